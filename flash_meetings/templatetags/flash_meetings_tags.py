"""Template tags for flash meetings.

* ``{% meeting_when meeting %}`` / ``{% time_range starts_at ends_at %}``: the time in
  the viewer's zone (the active zone), labelled with the zone's name.
* ``{% connection_meetings connection viewer %}``: the meetings section of a
  connection's page.
"""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings import selectors
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


@register.inclusion_tag("flash_meetings/_connection_meetings.html")
def connection_meetings(connection, viewer) -> dict:
    """The meetings section of a connection's page (``{% connection_meetings connection
    request.user %}``): its meetings, and for its mentee, while it is active, the way to
    request one. Two queries."""
    return {
        "connection": connection,
        "meetings": selectors.connection_meetings(connection_id=connection.pk),
        "can_request": connection.is_active and viewer.pk == connection.mentee_id,
    }
