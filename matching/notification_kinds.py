"""Emails about ongoing mentoring: connection requests and connections."""

from notifications.registry import NotificationKind, register

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
    )
)
register(
    NotificationKind(
        name="connection_request_declined",
        required_context=("mentor_name", "reason", "note", "directory_path"),
        sample_context={
            "mentor_name": "Amara Okafor",
            "reason": "Busy at this time",
            "note": "Try me again in spring!",
            "directory_path": "/programs/demo/mentors/",
            **PATHS,
        },
        description="A mentee is told that the mentor declined their request, and why.",
    )
)
register(
    NotificationKind(
        name="connection_request_withdrawn",
        required_context=("mentee_name", "requests_received_path"),
        sample_context={"mentee_name": "Elif Demir", **PATHS},
        description="A mentor is told that the mentee withdrew their request.",
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
    )
)
register(
    NotificationKind(
        name="connection_request_closed",
        required_context=("mentee_name", "reason", "requests_received_path"),
        sample_context={
            "mentee_name": "Elif Demir",
            "reason": "The mentee reached the most ongoing mentors the program allows",
            **PATHS,
        },
        description="A mentor is told that a request to them closed (the mentee is now "
        "connected elsewhere).",
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
    )
)
