"""Template tags for flash meetings.

* ``{% meeting_when meeting %}`` / ``{% time_range starts_at ends_at %}``: the time in
  the viewer's zone (the active zone), labelled with the zone's name.
* ``{% meetings_dashboard_section user %}``: "Meetings to follow up" and upcoming
  meetings, for the dashboard.
* ``{% flash_meeting_profile_section mentor_membership user %}``: on a mentor profile,
  the open slots and a "Request a flash meeting" link, or one sentence why not.
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


@register.inclusion_tag("flash_meetings/_dashboard_section.html")
def meetings_dashboard_section(user) -> dict:
    if not getattr(user, "is_authenticated", False):
        return {"show": False}
    to_follow_up, upcoming = selectors.dashboard_meetings(user=user)
    return {"show": True, "to_follow_up": to_follow_up, "upcoming": upcoming, "user": user}


@register.inclusion_tag("flash_meetings/_profile_section.html")
def flash_meeting_profile_section(mentor_membership, user) -> dict:
    section = selectors.profile_section(mentor_membership=mentor_membership, viewer=user)
    return {"section": section, "mentor_membership": mentor_membership}
