"""Emails about flash meetings (templates in templates/notifications/<kind>/)."""

from datetime import UTC, datetime

from django.utils.translation import gettext_lazy as _

from notifications import localized
from notifications.registry import (
    ALWAYS_REQUEST_TO_YOU,
    ALWAYS_YOUR_CONNECTION,
    ALWAYS_YOUR_MEETING,
    ALWAYS_YOUR_REQUEST,
    NotificationKind,
    register,
)

_COMMON = (
    "meeting_id",
    "meeting_topic",
    "meeting_when",
    "mentor_name",
    "mentee_name",
    "other_name",
    "is_mentor",
    "location",
    "video_url",
    "meeting_path",
    "meetings_path",
    "mentor_meetings_path",
    "follow_up_path",
)
_SAMPLE = {
    "meeting_id": 1,
    "meeting_topic": "Moving from support into engineering",
    # Written in the recipient's language and zone when rendered (notifications.localized).
    "meeting_when": localized.span(
        datetime(2026, 3, 30, 8, 0, tzinfo=UTC), datetime(2026, 3, 30, 8, 30, tzinfo=UTC)
    ),
    "mentor_name": "Amara Okafor",
    "mentee_name": "Elif Demir",
    "other_name": "Amara Okafor",
    "is_mentor": False,
    "location": "",
    "video_url": "https://meet.example.org/abc",
    "meeting_path": "/meetings/1/",
    "meetings_path": "/meetings/",
    "mentor_meetings_path": "/meetings/mentor/",
    "follow_up_path": "/meetings/1/follow-up/",
}


def _kind(name: str, description: str, *, label, why_always="", optional=False, **extra) -> None:
    register(
        NotificationKind(
            name=name,
            required_context=(*_COMMON, *extra),
            sample_context={**_SAMPLE, **extra},
            description=description,
            label=label,
            why_always=why_always,
            optional=optional,
        )
    )


_kind(
    "flash_meeting_requested",
    "A mentor is asked for a flash meeting (a slot or proposed times).",
    label=_("A mentee asks you for a flash meeting"),
    why_always=ALWAYS_REQUEST_TO_YOU,
    message="I would love your advice on my first engineering job.",
    proposed_times=[
        localized.span(
            datetime(2026, 3, 31, 9, 0, tzinfo=UTC), datetime(2026, 3, 31, 9, 30, tzinfo=UTC)
        )
    ],
)
_kind(
    "flash_meeting_accepted",
    "Both people learn that a flash meeting is scheduled; with an .ics invite.",
    label=_("A flash meeting of yours is scheduled"),
    why_always=ALWAYS_YOUR_MEETING,
)
_kind(
    "flash_meeting_declined",
    "The mentee learns that the mentor declined, and why.",
    label=_("A mentor declines your meeting request"),
    why_always=ALWAYS_YOUR_REQUEST,
    reason="I am travelling that week.",
)
_kind(
    "flash_meeting_withdrawn",
    "The mentor learns that the mentee withdrew a request.",
    label=_("A mentee withdraws their meeting request to you"),
    why_always=ALWAYS_REQUEST_TO_YOU,
)
_kind(
    "flash_meeting_expired",
    "The mentee learns that a request expired unanswered.",
    label=_("Your meeting request expires without an answer"),
    why_always=ALWAYS_YOUR_REQUEST,
)
_kind(
    "flash_meeting_time_proposed",
    "The mentee learns that the mentor proposed another time.",
    label=_("A mentor proposes another time for your meeting"),
    why_always=ALWAYS_YOUR_REQUEST,
    proposed_when=localized.span(
        datetime(2026, 4, 1, 13, 0, tzinfo=UTC), datetime(2026, 4, 1, 13, 30, tzinfo=UTC)
    ),
)
_kind(
    "flash_meeting_cancelled",
    "Both people learn that a scheduled meeting was cancelled; with an .ics CANCEL.",
    label=_("A flash meeting of yours is cancelled"),
    why_always=ALWAYS_YOUR_MEETING,
    cancel_message="Something came up, sorry.",
    cancelled_by_name="Amara Okafor",
    cancelled_by_you=False,
)
_kind(
    "flash_meeting_reminder",
    "Both people are reminded of a meeting once, before it starts.",
    label=_("A reminder before each flash meeting"),
    optional=True,
)
_kind(
    "flash_meeting_follow_up",
    "After the meeting's end the mentee is asked to follow up on it.",
    label=_("After a flash meeting: how did it go, and what next?"),
    # Optional although it is the product's core prompt: it is a nudge, not news. The
    # meeting did not change and nobody waits for an answer, and the same three choices
    # wait on the dashboard ("Meetings to follow up") whether or not the email comes.
    optional=True,
)


# --- After the follow-up (flash_meetings/follow_up.py) --------------------------------

_FORCED_CONTEXT = {
    "meeting_topic": "Moving into product management",
    "meeting_date": "2026-03-31",
    "connection_path": "/connections/1/",
    "dashboard_path": "/",
}
register(
    NotificationKind(
        name="flash_connection_created_mentor",
        required_context=("mentee_name", "meeting_topic", "connection_path"),
        sample_context={**_FORCED_CONTEXT, "mentee_name": "Elif Demir"},
        description="A mentor learns that a mentee they met chose ongoing mentoring with "
        "them and they are now connected (forced-connection policy).",
        label=_("A mentee you met is now connected with you"),
        why_always=ALWAYS_YOUR_CONNECTION,
    )
)
register(
    NotificationKind(
        name="flash_connection_created_mentee",
        required_context=("mentor_name", "meeting_topic", "connection_path"),
        sample_context={**_FORCED_CONTEXT, "mentor_name": "Amara Okafor"},
        description="The mentee's confirmation of an ongoing connection made after a "
        "flash meeting (forced-connection policy).",
        label=_("Your ongoing mentoring after a flash meeting is confirmed"),
        why_always=ALWAYS_YOUR_CONNECTION,
    )
)
