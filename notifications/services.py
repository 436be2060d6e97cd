"""Writes to the outbox (other apps call ``notify``; admins call ``notification_resend``)
and to a person's email preferences."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.inserts import insert_unless_conflict
from notifications import selectors
from notifications.errors import KindNotOptional
from notifications.models import EmailOptOut, Notification
from notifications.registry import NotificationKindError, get_kind, is_optional, optional_kinds
from notifications.tasks import enqueue_delivery

RESERVED_CONTEXT_KEYS = frozenset(
    {"recipient", "program", "site_url", "preferences_url", "unsubscribe_url"}
)


def _validate_attachments(attachments: list[dict[str, str]]) -> None:
    for attachment in attachments:
        if not isinstance(attachment, dict) or not {"filename", "content"} <= attachment.keys():
            raise NotificationKindError(
                'Each attachment is {"filename": ..., "content": ..., "mimetype": ...}.'
            )
        if not isinstance(attachment["content"], str):
            raise NotificationKindError("Attachment content must be text (for example .ics).")


def notify(
    *,
    kind: str,
    recipient: Any,
    context: dict[str, Any],
    dedupe_key: str,
    program: Any = None,
    attachments: list[dict[str, str]] | None = None,
) -> Notification:
    """Write one outbox row inside the caller's transaction; deliver it after commit.

    The same ``dedupe_key`` twice gives back the first row (its context wins) and
    enqueues nothing more. Unknown kinds, missing context keys and values that are
    not JSON raise ``NotificationKindError``: that is a bug in the caller.

    When the recipient turned this (optional) kind off, the row is still written, as
    ``suppressed`` with the reason, so the outbox shows what was not sent and why; it
    is never enqueued, and neither the sweep nor the worker ever picks it up.
    """
    kind_def = get_kind(kind)
    reserved = RESERVED_CONTEXT_KEYS.intersection(context)
    if reserved:
        raise NotificationKindError(
            f"Notification {kind!r}: context keys {sorted(reserved)} are reserved; "
            "templates get recipient, program and site_url automatically."
        )
    missing = kind_def.missing_context(context)
    if missing:
        raise NotificationKindError(
            f"Notification {kind!r} needs context keys: {', '.join(missing)}."
        )
    attachments = list(attachments or [])
    _validate_attachments(attachments)
    try:
        json.dumps(context)
    except (TypeError, ValueError) as error:
        raise NotificationKindError(
            f"Notification {kind!r}: context must be JSON (strings, numbers, lists): {error}"
        ) from error

    suppressed = selectors.suppression_reason(user_id=recipient.pk, kind=kind)
    notification = Notification(
        kind=kind,
        recipient=recipient,
        to_email=recipient.email or "",
        program=program,
        context=context,
        attachments=attachments,
        dedupe_key=dedupe_key,
        status=Notification.Status.SUPPRESSED if suppressed else Notification.Status.PENDING,
        suppressed_reason=suppressed,
    )
    created = insert_unless_conflict(notification)  # the dedupe key is unique
    if not created:
        notification = Notification.objects.get(dedupe_key=dedupe_key)
    if created and not suppressed:
        transaction.on_commit(partial(enqueue_delivery, notification.pk), robust=True)
    return notification


@transaction.atomic
def notification_resend(*, notification: Notification) -> bool:
    """Put a failed notification back in the queue; ``False`` if it was not failed."""
    now = timezone.now()
    updated = Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.FAILED
    ).update(status=Notification.Status.PENDING, attempts=0, next_attempt_at=now, claimed_at=None)
    if updated:
        transaction.on_commit(partial(enqueue_delivery, notification.pk), robust=True)
    return bool(updated)


# --- email preferences ---------------------------------------------------------------------


def _refuse_mandatory(kind: str) -> None:
    if not is_optional(kind):
        raise KindNotOptional(
            _(
                "That email cannot be turned off: it is about your own requests, meetings or "
                "connections."
            ),
            code="kind_not_optional",
        )


@transaction.atomic
def email_kind_turn_off(*, user: Any, kind: str, via: str) -> bool:
    """Turn one optional kind off for ``user``; ``True`` if it was on. Idempotent: a
    second call (a mail program retrying its one-click POST) changes nothing."""
    _refuse_mandatory(kind)
    _opt_out, created = EmailOptOut.objects.get_or_create(
        user=user, kind=kind, defaults={"via": via}
    )
    return created


@transaction.atomic
def email_preferences_save(*, user: Any, send: Iterable[str]) -> None:
    """Keep exactly the optional kinds in ``send`` on and turn the others off. A kind
    in ``send`` that is not optional is refused (mandatory kinds are always on)."""
    send = set(send)
    for kind in sorted(send):
        _refuse_mandatory(kind)
    off = {kind.name for kind in optional_kinds()} - send
    # Kinds on again lose their row (and so do rows for kinds no longer optional).
    EmailOptOut.objects.filter(user=user).exclude(kind__in=off).delete()
    already = set(
        EmailOptOut.objects.filter(user=user, kind__in=off).values_list("kind", flat=True)
    )
    EmailOptOut.objects.bulk_create(
        [
            EmailOptOut(user=user, kind=kind, via=EmailOptOut.Via.PREFERENCES)
            for kind in sorted(off - already)
        ],
        ignore_conflicts=True,  # the same person saving in two tabs at once
    )
