"""Emails about ongoing mentoring: connection requests and connections."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from notifications import localized
from notifications.registry import (
    ALWAYS_REQUEST_TO_YOU,
    ALWAYS_YOUR_CONNECTION,
    ALWAYS_YOUR_REQUEST,
    NotificationKind,
    register,
)

PATHS = {
    "requests_received_path": "/requests/received/",
    "requests_sent_path": "/requests/sent/",
    "dashboard_path": "/",
}

register(
    NotificationKind(
        name="connection_request_received",
        required_context=("mentee_name", "message", "expiry_days", "requests_received_path"),
        sample_context={
            "mentee_name": "Elif Demir",
            "message": "I'd love help planning a move into engineering management.",
            "expiry_days": 14,
            **PATHS,
        },
        description="A mentor is told that a mentee asked for ongoing mentoring.",
        label=_("A mentee asks you for ongoing mentoring"),
        why_always=ALWAYS_REQUEST_TO_YOU,
    )
)
register(
    NotificationKind(
        name="connection_request_accepted",
        required_context=("mentor_name", "connection_path", "dashboard_path"),
        sample_context={
            "mentor_name": "Amara Okafor",
            "connection_path": "/connections/1/",
            **PATHS,
        },
        description="A mentee is told that the mentor accepted their request.",
        label=_("A mentor accepts your request"),
        why_always=ALWAYS_YOUR_REQUEST,
    )
)
register(
    NotificationKind(
        name="connection_request_declined",
        required_context=("mentor_name", "reason", "note", "directory_path"),
        sample_context={
            "mentor_name": "Amara Okafor",
            # Labels and dates are written in the recipient's language when rendered.
            "reason": localized.text(_("Busy at this time")),
            "note": "Try me again in spring!",
            "directory_path": "/programs/demo/mentors/",
            **PATHS,
        },
        description="A mentee is told that the mentor declined their request, and why.",
        label=_("A mentor declines your request"),
        why_always=ALWAYS_YOUR_REQUEST,
    )
)
register(
    NotificationKind(
        name="connection_request_withdrawn",
        required_context=("mentee_name", "requests_received_path"),
        sample_context={"mentee_name": "Elif Demir", **PATHS},
        description="A mentor is told that the mentee withdrew their request.",
        label=_("A mentee withdraws their request to you"),
        why_always=ALWAYS_REQUEST_TO_YOU,
    )
)
register(
    NotificationKind(
        name="connection_request_expired",
        required_context=("mentor_name", "expiry_days", "directory_path"),
        sample_context={
            "mentor_name": "Amara Okafor",
            "mentee_name": "Elif Demir",
            "expiry_days": 14,
            "directory_path": "/programs/demo/mentors/",
            **PATHS,
        },
        description="A mentee is told that their request expired without an answer.",
        label=_("Your request expires without an answer"),
        why_always=ALWAYS_YOUR_REQUEST,
    )
)
register(
    NotificationKind(
        name="connection_request_closed",
        required_context=("mentee_name", "reason", "requests_received_path"),
        sample_context={
            "mentee_name": "Elif Demir",
            "reason": localized.text(
                _("The mentee reached the most ongoing mentors the program allows")
            ),
            **PATHS,
        },
        description="A mentor is told that a request to them closed (the mentee is now "
        "connected elsewhere).",
        label=_("A request to you closes"),
        why_always=ALWAYS_REQUEST_TO_YOU,
    )
)
register(
    NotificationKind(
        name="connection_request_reminder",
        required_context=("mentee_name", "message", "days_left", "requests_received_path"),
        sample_context={
            "mentee_name": "Elif Demir",
            "message": "I'd love help planning a move into engineering management.",
            "days_left": 7,
            **PATHS,
        },
        description="A mentor is reminded, once, of a request waiting halfway to expiry.",
        label=_("A reminder of a request waiting for your answer"),
        optional=True,
    )
)
register(
    NotificationKind(
        name="connection_ended",
        required_context=("other_name", "ended_by_name", "reason", "dashboard_path"),
        sample_context={
            "other_name": "Elif Demir",
            "ended_by_name": "Elif Demir",
            "reason": "I reached my goal, thank you!",
            **PATHS,
        },
        description="One side of a connection (or an admin) ended it; the other side is told.",
        label=_("Your mentoring connection ends"),
        why_always=ALWAYS_YOUR_CONNECTION,
    )
)
register(
    NotificationKind(
        name="connection_created",
        required_context=("other_name", "role", "connection_path"),
        sample_context={
            "other_name": "Elif Demir",
            "role": "mentor",
            "connection_path": "/connections/1/",
            **PATHS,
        },
        description="Both people are told that the program team connected them.",
        label=_("The program team connects you with someone"),
        why_always=ALWAYS_YOUR_CONNECTION,
    )
)

# How long a connection runs: extensions, the reminder before the end, the end.
TERM_SAMPLE = {
    "other_name": "Elif Demir",
    "connection_path": "/connections/1/",
    "ends_on": localized.day(date(2026, 6, 30)),
    **PATHS,
}
register(
    NotificationKind(
        name="connection_extension_requested",
        required_context=("other_name", "days", "ends_on", "new_ends_on", "connection_path"),
        sample_context={**TERM_SAMPLE, "days": 90, "new_ends_on": localized.day(date(2026, 9, 28))},
        description="One side of a connection asks to extend it; the other is asked.",
        label=_("Someone asks to extend your mentoring connection"),
        why_always=ALWAYS_REQUEST_TO_YOU,
    )
)
register(
    NotificationKind(
        name="connection_extension_withdrawn",
        required_context=("other_name", "ends_on", "connection_path"),
        sample_context=TERM_SAMPLE,
        description="The side who asked to extend a connection withdrew; the other is told.",
        label=_("A request to extend your connection is withdrawn"),
        why_always=ALWAYS_REQUEST_TO_YOU,
    )
)
register(
    NotificationKind(
        name="connection_extension_declined",
        required_context=("other_name", "ends_on", "connection_path"),
        sample_context=TERM_SAMPLE,
        description="The side who asked to extend a connection is told the other declined.",
        label=_("Your request to extend a connection is declined"),
        why_always=ALWAYS_YOUR_REQUEST,
    )
)
register(
    NotificationKind(
        name="connection_extended",
        required_context=("other_name", "extended_by_name", "ends_on", "connection_path"),
        sample_context={**TERM_SAMPLE, "extended_by_name": "Elif Demir"},
        description="A connection was extended: the side who asked is told the other "
        "accepted, or both are told the program team extended it.",
        label=_("Your mentoring connection is extended"),
        why_always=ALWAYS_YOUR_CONNECTION,
    )
)
register(
    NotificationKind(
        name="connection_end_reminder",
        required_context=("other_name", "ends_on", "days_left", "connection_path"),
        sample_context={**TERM_SAMPLE, "days_left": 14, "extension_days": 90},
        description="Both sides are reminded, once, that their connection ends soon.",
        label=_("A reminder that your mentoring connection ends soon"),
        optional=True,
    )
)
register(
    NotificationKind(
        name="connection_completed",
        required_context=("other_name", "ends_on", "dashboard_path"),
        sample_context=TERM_SAMPLE,
        description="Both sides are told their connection reached its end date and ended.",
        label=_("Your mentoring connection reaches its end date"),
        why_always=ALWAYS_YOUR_CONNECTION,
    )
)
