"""Emails about flash meetings (templates in templates/notifications/<kind>/)."""

from notifications.registry import NotificationKind, register

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
    "meeting_when": "Monday 30 March 2026, 09:00–09:30 (Europe/London)",
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


def _kind(name: str, description: str, **extra) -> None:
    register(
        NotificationKind(
            name=name,
            required_context=(*_COMMON, *extra),
            sample_context={**_SAMPLE, **extra},
            description=description,
        )
    )


_kind(
    "flash_meeting_requested",
    "A mentor is asked for a flash meeting (a slot or proposed times).",
    message="I would love your advice on my first engineering job.",
    proposed_times=["Tuesday 31 March 2026, 10:00–10:30 (Europe/London)"],
)
_kind(
    "flash_meeting_accepted",
    "Both people learn that a flash meeting is scheduled; with an .ics invite.",
)
_kind(
    "flash_meeting_declined",
    "The mentee learns that the mentor declined, and why.",
    reason="I am travelling that week.",
)
_kind("flash_meeting_withdrawn", "The mentor learns that the mentee withdrew a request.")
_kind("flash_meeting_expired", "The mentee learns that a request expired unanswered.")
_kind(
    "flash_meeting_time_proposed",
    "The mentee learns that the mentor proposed another time.",
    proposed_when="Wednesday 1 April 2026, 14:00–14:30 (Europe/London)",
)
_kind(
    "flash_meeting_cancelled",
    "Both people learn that a scheduled meeting was cancelled; with an .ics CANCEL.",
    cancel_message="Something came up, sorry.",
    cancelled_by_name="Amara Okafor",
    cancelled_by_you=False,
)
_kind("flash_meeting_reminder", "Both people are reminded of a meeting once, before it starts.")
_kind(
    "flash_meeting_follow_up",
    "After the meeting's end the mentee is asked to follow up on it.",
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
    )
)
register(
    NotificationKind(
        name="flash_connection_created_mentee",
        required_context=("mentor_name", "meeting_topic", "connection_path"),
        sample_context={**_FORCED_CONTEXT, "mentor_name": "Amara Okafor"},
        description="The mentee's confirmation of an ongoing connection made after a "
        "flash meeting (forced-connection policy).",
    )
)
