"""Kinds owned by the notifications app itself."""

from notifications.registry import NotificationKind, register

register(
    NotificationKind(
        name="test_message",
        required_context=("message",),
        sample_context={"message": "If you can read this, email delivery works."},
        description="A test email an administrator sends to check that delivery works.",
    )
)
