"""The outbox's sweep, one rule for both of its tables (``Notification``, and webhooks'
``Delivery``, which take the same road): a row a worker should have finished by now is
taken back and made due now, so that the sweep hands it to a worker again.

Overdue is: pending for longer than a grace period past its due time (never handed to a
worker, a retry whose message was lost, or a wait longer than a task message may carry),
or sending for longer than a worker may take (it died mid-send). The rows are locked
with SKIP LOCKED: a second sweep at the same moment skips them, and after its commit
they are no longer overdue, so each row is taken once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models, transaction
from django.db.models import Q


def take_overdue(
    model: type[models.Model],
    *,
    now: datetime,
    limit: int,
    pending_grace: float,
    stuck_after: float,
) -> list[int]:
    """The ids of up to ``limit`` overdue rows of ``model`` (a table with ``status``
    (its ``Status.PENDING``/``SENDING``), ``next_attempt_at`` and ``claimed_at``),
    oldest due first, each now pending and due at ``now``. Seconds for the periods."""
    pending, sending = model.Status.PENDING, model.Status.SENDING
    with transaction.atomic():
        ids = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=pending, next_attempt_at__lt=now - timedelta(seconds=pending_grace))
                | Q(status=sending, claimed_at__lt=now - timedelta(seconds=stuck_after))
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            model.objects.filter(pk__in=ids).update(status=pending, next_attempt_at=now)
    return ids
