"""Template tags for flash meetings.

* ``{% meeting_when meeting %}`` / ``{% time_range starts_at ends_at %}``: the time in
  the viewer's zone (the active zone), labelled with the zone's name.
"""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings.timezones import format_when

register = template.Library()


@register.simple_tag
def time_range(starts_at, ends_at=None) -> str:
    if starts_at is None:
        return _("time not set yet")
    return format_when(starts_at, ends_at, timezone.get_current_timezone())


@register.simple_tag
def meeting_when(meeting) -> str:
    return time_range(meeting.starts_at, meeting.ends_at)
