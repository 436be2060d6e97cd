"""Turn a notification into the email a person receives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, engines
from django.template.loader import render_to_string

from notifications.registry import NotificationKind, get_kind


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def template_context(*, context: dict[str, Any], recipient: Any, program: Any) -> dict[str, Any]:
    """What every template sees: the kind's context plus recipient, program, site_url."""
    return {
        **context,
        "recipient": recipient,
        "program": program,
        "site_url": settings.SITE_URL,
    }


def _render_plain(template_name: str, context: dict[str, Any]) -> str:
    # Subjects and text bodies are not HTML: render without autoescaping so that
    # "Tom & Jerry" does not arrive as "Tom &amp; Jerry".
    template = engines["django"].engine.get_template(template_name)
    return template.render(Context(context, autoescape=False))


def render_kind(
    *, kind: NotificationKind, context: dict[str, Any], recipient: Any, program: Any
) -> RenderedEmail:
    names = kind.template_names
    full = template_context(context=context, recipient=recipient, program=program)
    subject = " ".join(_render_plain(names["subject"], full).split())  # one line
    text = re.sub(r"\n{3,}", "\n\n", _render_plain(names["text"], full)).strip() + "\n"
    html = render_to_string(names["html"], full)
    return RenderedEmail(subject=subject, text=text, html=html)


def render_notification(notification: Any) -> RenderedEmail:
    return render_kind(
        kind=get_kind(notification.kind),
        context=notification.context,
        recipient=notification.recipient,
        program=notification.program,
    )


def build_message(
    notification: Any, rendered: RenderedEmail | None = None
) -> EmailMultiAlternatives:
    rendered = rendered or render_notification(notification)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        headers={
            "Auto-Submitted": "auto-generated",
            "X-Notification-Kind": notification.kind,
            "X-Notification-Id": str(notification.pk),
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    for attachment in notification.attachments or []:
        message.attach(
            attachment["filename"],
            attachment["content"],
            attachment.get("mimetype") or "application/octet-stream",
        )
    return message
