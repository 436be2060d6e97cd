"""Emails about life after connecting."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import NotificationKind, register

register(
    NotificationKind(
        name="connection_nudge",
        required_context=("other_name", "days", "connection_path", "dashboard_path"),
        sample_context={
            "other_name": "Amara Okafor",
            "days": 30,
            "connection_path": "/connections/1/",
            "dashboard_path": "/",
        },
        description=(
            "A program admin nudges both people of a connection with no activity for a while "
            "(connection health admin)."
        ),
        label=_("Your program team checks in on your quiet mentoring connection"),
        why_always=_(
            "Your program team sends it, rarely and by hand, about your own mentoring connection."
        ),
    )
)
