"""Emails the portal sends: the password reset link (templates in
templates/notifications/<kind>/)."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import NotificationKind, register

register(
    NotificationKind(
        name="password_reset",
        required_context=("username", "reset_path", "valid_hours"),
        sample_context={
            "username": "elif",
            "reset_path": "/accounts/reset/MQ/c2hv-0123456789abcdef/",
            "valid_hours": 3,
        },
        description=(
            "Someone asked for a new password on the sign-in page: the link to choose one. "
            "Sent whatever the person's email preferences say (it is what lets them in)."
        ),
        label=_("A link to choose a new password, when you ask for one"),
        why_always=_("It is how you get back into your account when you forget your password."),
    )
)
