"""Writes to the outbox. Other apps call ``notify``; admins call ``notification_resend``."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from django.db import router, transaction
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from notifications.models import Notification
from notifications.registry import NotificationKindError, get_kind
from notifications.tasks import enqueue_delivery

RESERVED_CONTEXT_KEYS = frozenset({"recipient", "program", "site_url"})


def _validate_attachments(attachments: list[dict[str, str]]) -> None:
    for attachment in attachments:
        if not isinstance(attachment, dict) or not {"filename", "content"} <= attachment.keys():
            raise NotificationKindError(
                'Each attachment is {"filename": ..., "content": ..., "mimetype": ...}.'
            )
        if not isinstance(attachment["content"], str):
            raise NotificationKindError("Attachment content must be text (for example .ics).")


def _insert_unless_duplicate(notification: Notification) -> bool:
    """``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id``: one statement, no
    savepoint, and a concurrent duplicate never aborts the caller's transaction (as a
    failed plain INSERT would on PostgreSQL). Sets the pk and says whether it inserted.
    """
    meta = Notification._meta
    using = router.db_for_write(Notification)
    query = InsertQuery(
        Notification,
        on_conflict=OnConflict.IGNORE,
        unique_fields=[meta.get_field("dedupe_key")],
    )
    query.insert_values([f for f in meta.concrete_fields if f is not meta.pk], [notification])
    rows = query.get_compiler(using=using).execute_sql(returning_fields=[meta.pk])
    if not rows or rows[0] is None:  # the dedupe key exists: nothing inserted
        return False
    notification.pk = rows[0][0]
    notification._state.adding = False
    notification._state.db = using
    return True


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

    notification = Notification(
        kind=kind,
        recipient=recipient,
        to_email=recipient.email or "",
        program=program,
        context=context,
        attachments=attachments,
        dedupe_key=dedupe_key,
    )
    created = _insert_unless_duplicate(notification)
    if not created:
        notification = Notification.objects.get(dedupe_key=dedupe_key)
    if created:
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
