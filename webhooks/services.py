"""Writes: emitting an event into the outbox, sending a failed delivery again, rotating
an endpoint's secret.

Other apps' services call ``webhook_emit`` inside their own transaction, at the point
where the change is written, exactly as they call ``notifications.services.notify``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from webhooks import payloads
from webhooks.errors import EndpointInactive
from webhooks.models import Delivery, Endpoint, EventType, generate_secret
from webhooks.tasks import enqueue_delivery

SECRET_GRACE = timedelta(hours=24)


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


@transaction.atomic(savepoint=False)
def webhook_emit(
    *,
    event: str,
    instance: Model,
    extra: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    program_has_endpoints: bool = True,
) -> list[Delivery]:
    """Write one delivery per active endpoint of ``instance``'s program that subscribes
    to ``event``, all with one event id; each is handed to a worker after commit. A
    rolled-back transaction leaves no row and sends nothing. One query when no endpoint
    wants the event.

    ``instance`` is a Connection, ConnectionRequest or FlashMeeting (``payloads.OBJECTS``);
    ``extra`` adds a few ids to the payload's data (say, the connection an accepted
    request became). ``program_has_endpoints=False`` says the caller has just read, in
    this transaction, that the program has no active endpoint: then there is no query.
    """
    if event not in EventType.values:
        raise ValueError(f"Unknown webhook event {event!r}.")
    if not program_has_endpoints:
        return []
    # Ordered by pk alone: the model's ordering joins the program to sort by its name,
    # which cost 0.6 ms of CPU on every write, most of which have no endpoint at all.
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(
            program_id=instance.program_id, active=True
        ).order_by("pk")
        if endpoint.subscribes_to(event)
    ]
    if not endpoints:
        return []
    payload = payloads.build(
        event=event,
        instance=instance,
        program=instance.program,
        occurred_at=occurred_at or timezone.now(),
        extra=extra,
    )
    event_id = new_event_id()
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(endpoint=endpoint, event_id=event_id, event_type=event, payload=payload)
            for endpoint in endpoints
        ]
    )
    for delivery in deliveries:
        transaction.on_commit(partial(enqueue_delivery, delivery.pk), robust=True)
    return deliveries


@transaction.atomic
def webhook_delivery_resend(*, delivery: Delivery) -> bool:
    """Put a failed delivery back in the queue, with its attempts counted afresh; the
    same event id, so a receiver that did get it can tell. ``False`` if it had not
    failed; ``EndpointInactive`` if its endpoint is turned off."""
    current = Delivery.objects.select_related("endpoint").get(pk=delivery.pk)
    if current.status != Delivery.Status.FAILED:
        return False
    if not current.endpoint.active:
        raise EndpointInactive(
            _("The endpoint “%(name)s” is turned off; turn it on before sending again.")
            % {"name": current.endpoint.name}
        )
    updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_at=None,
    )
    if updated:
        transaction.on_commit(partial(enqueue_delivery, delivery.pk), robust=True)
    return bool(updated)


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: Endpoint) -> Endpoint:
    """A new signing secret. The old one keeps signing too (a second signature in the
    header) for ``SECRET_GRACE``, so the receiver can switch without losing events."""
    current = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    now = timezone.now()
    current.previous_secret = current.secret
    current.previous_secret_expires_at = now + SECRET_GRACE
    current.secret = generate_secret()
    current.secret_rotated_at = now
    current.save(
        update_fields=[
            "secret",
            "previous_secret",
            "previous_secret_expires_at",
            "secret_rotated_at",
        ]
    )
    for name in ("secret", "previous_secret", "previous_secret_expires_at", "secret_rotated_at"):
        setattr(endpoint, name, getattr(current, name))
    return current
