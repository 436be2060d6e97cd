"""Turn a notification into the email a person receives, in their language and zone.

Everything is rendered inside ``mentoring.when.as_seen_by(recipient, program)``: the
recipient's language (``User.language``, else the program's, else English) and time
zone are active for the subject, the text and the HTML part, so ``{% translate %}``,
the ``{% load when %}`` filters and ``<html lang="…">`` follow the recipient, not the
person whose action enqueued the email, nor the worker's defaults.

A context is stored at enqueue time, in the actor's request, so it holds no text put
into words for anyone: dates, times and our own sentences are marked values
(``notifications.localized``: ``span``, ``moment``, ``day``, ``text``, ``by_language``), which
``localized.localize`` writes out here, inside ``as_seen_by``, before the templates see
them. Plain values (names, people's own words, paths, and the already-written strings of
rows enqueued before marked values existed) pass through as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, engines
from django.template.loader import render_to_string

from mentoring import when
from notifications.localized import localize
from notifications.registry import NotificationKind, get_kind
from notifications.tokens import preferences_url, unsubscribe_url


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    # Optional kinds only: the signed link that turns this kind off for the recipient,
    # in the footer and in the List-Unsubscribe header.
    unsubscribe_url: str = ""


def template_context(
    *, context: dict[str, Any], recipient: Any, program: Any, unsubscribe: str = ""
) -> dict[str, Any]:
    """What every template sees: the kind's context plus recipient, program, site_url,
    and for the footer preferences_url and (optional kinds) unsubscribe_url."""
    return {
        **context,
        "recipient": recipient,
        "program": program,
        "site_url": settings.SITE_URL,
        "preferences_url": preferences_url(),
        "unsubscribe_url": unsubscribe,
    }


def _render_plain(template_name: str, context: dict[str, Any]) -> str:
    # Subjects and text bodies are not HTML: render without autoescaping so that
    # "Tom & Jerry" does not arrive as "Tom &amp; Jerry".
    template = engines["django"].engine.get_template(template_name)
    return template.render(Context(context, autoescape=False))


def render_kind(
    *, kind: NotificationKind, context: dict[str, Any], recipient: Any, program: Any
) -> RenderedEmail:
    """The three parts of ``kind`` for ``recipient``, in their language and zone (the
    context's marked values written out the same way)."""
    names = kind.template_names
    unsubscribe = ""
    if kind.optional and getattr(recipient, "pk", None) is not None:
        unsubscribe = unsubscribe_url(user_id=recipient.pk, kind=kind.name)
    with when.as_seen_by(recipient, program):
        full = template_context(
            context=localize(context), recipient=recipient, program=program, unsubscribe=unsubscribe
        )
        subject = " ".join(_render_plain(names["subject"], full).split())  # one line
        text = re.sub(r"\n{3,}", "\n\n", _render_plain(names["text"], full)).strip() + "\n"
        html = render_to_string(names["html"], full)
    return RenderedEmail(subject=subject, text=text, html=html, unsubscribe_url=unsubscribe)


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
    headers = {
        "Auto-Submitted": "auto-generated",
        "X-Notification-Kind": notification.kind,
        "X-Notification-Id": str(notification.pk),
    }
    if rendered.unsubscribe_url:
        # RFC 2369 and RFC 8058: mail programs offer their own "Unsubscribe" button, which
        # POSTs "List-Unsubscribe=One-Click" to the link (no sign-in, no CSRF token).
        headers["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    for attachment in notification.attachments or []:
        message.attach(
            attachment["filename"],
            attachment["content"],
            attachment.get("mimetype") or "application/octet-stream",
        )
    return message
