"""Kinds owned by the notifications app itself."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import ALWAYS_ADMIN_TEST, NotificationKind, register

register(
    NotificationKind(
        name="test_message",
        required_context=("message",),
        sample_context={"message": "If you can read this, email delivery works."},
        description="A test email an administrator sends to check that delivery works.",
        label=_("A test email from the program team"),
        why_always=ALWAYS_ADMIN_TEST,
    )
)
