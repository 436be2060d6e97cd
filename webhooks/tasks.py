"""Celery tasks: deliver one webhook, and sweep up the deliveries left behind.

The same outbox guarantees as the email outbox (notifications/tasks.py): a conditional
UPDATE claims the row (pending → sending, one worker wins), the POST goes out, and the
row becomes delivered; a failure puts it back to pending with an exponential backoff
(with jitter) until the last attempt, which marks it failed. A message delivered twice,
a duplicate enqueue or two sweeps at once meet a row that is no longer pending and do
nothing. Receivers get each event at least once and tell repeats by ``webhook-id``.

What counts as "try again": connection refused or reset, time-outs, TLS errors, and any
answer but 2xx (5xx, 429, and 4xx too: a receiver answering 401 or 404 is usually being
deployed or has a wrong secret, and the backlog should arrive once it is fixed; after
the last attempt the row is failed and "Send again" is there). ``Retry-After`` is
honoured up to the retry cap. What does not: ``410 Gone`` (the receiver says the
endpoint is gone: the delivery fails and the endpoint is turned off, with the reason)
and a URL the SSRF guard refuses.
"""

from __future__ import annotations

import http.client
import logging
import random
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import outbox
from webhooks import network, payloads, signing
from webhooks.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

Status = Delivery.Status
USER_AGENT = "MentoringPlatform-Webhooks/1.0"
RESPONSE_EXCERPT = 1000


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return _setting("WEBHOOKS_MAX_ATTEMPTS", 10)


def retry_delay(attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``: WEBHOOKS_RETRY_BASE_DELAY doubling up to
    WEBHOOKS_RETRY_MAX_DELAY, with jitter (the lower half of the range) so that the
    deliveries that failed together (a receiver's outage) do not all come back at once."""
    base = _setting("WEBHOOKS_RETRY_BASE_DELAY", 30)
    cap = _setting("WEBHOOKS_RETRY_MAX_DELAY", 3 * 3600)
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    # Retry jitter, not a secret: a non-cryptographic generator is right here.
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  # nosec B311


def countdown_cap() -> float:
    """The longest wait a task message may carry: half the shorter of Redis's visibility
    timeout and RabbitMQ's consumer timeout (README, "Choosing the broker"). A longer
    wait is left to the sweep, which hands the row out once it is due."""
    return (
        min(
            _setting("CELERY_VISIBILITY_TIMEOUT", 3600), _setting("RABBITMQ_CONSUMER_TIMEOUT", 1800)
        )
        / 2
    )


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return min(float(value.strip()), float(_setting("WEBHOOKS_RETRY_MAX_DELAY", 3 * 3600)))
    return None


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


class _Retry(Exception):
    """This attempt failed for now; the row is pending again, due in ``delay`` seconds."""

    def __init__(self, reason: str, delay: float) -> None:
        super().__init__(reason)
        self.delay = delay


def request_headers(*, delivery: Delivery, endpoint: Endpoint, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.headers(
            secrets=endpoint.signing_secrets(),
            event_id=delivery.event_id,
            timestamp=int(time.time()),
            body=body,
        ),
    }


def _deliver(delivery_id: int) -> str:
    """Claim one row, POST it and record the outcome on the row.

    Returns "delivered", "failed" or "skipped" (not ours to send); raises ``_Retry`` when
    a later attempt may succeed, the row already pending again.
    """
    claimed = Delivery.objects.filter(pk=delivery_id, status=Status.PENDING).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if not claimed:
        return "skipped"  # someone else has it, or it is already delivered or failed
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    # Later updates only touch the row while it is still *our* claim.
    ours = Delivery.objects.filter(
        pk=delivery_id, status=Status.SENDING, attempts=delivery.attempts
    )

    def fail(reason: str, **fields) -> str:
        ours.update(status=Status.FAILED, last_error=reason[:2000], **fields)
        logger.warning(
            "Webhook delivery %s (%s) failed for good after %s attempt(s): %s",
            delivery_id,
            delivery.event_type,
            delivery.attempts,
            reason,
        )
        return "failed"

    def retry(reason: str, *, at_least: float | None = None, **fields) -> str:
        if delivery.attempts >= max_attempts():
            return fail(reason, **fields)
        delay = max(retry_delay(delivery.attempts), at_least or 0)
        ours.update(
            status=Status.PENDING,
            last_error=reason[:2000],
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            **fields,
        )
        logger.info(
            "Webhook delivery %s attempt %s failed (%s); retrying in %.0f s",
            delivery_id,
            delivery.attempts,
            reason,
            delay,
        )
        raise _Retry(reason, delay)

    if not endpoint.active:
        return fail(_("The endpoint was turned off before this event could be sent."))
    body = payloads.encode(delivery.payload)
    try:
        response = network.post(
            endpoint.url,
            body=body,
            headers=request_headers(delivery=delivery, endpoint=endpoint, body=body),
        )
    except network.UnsafeURL as error:
        return fail(_("Refused by the private-network guard: %(reason)s") % {"reason": error})
    except (OSError, http.client.HTTPException) as error:  # refused, reset, timeout, TLS
        return retry(_describe(error))
    excerpt = response.body[:RESPONSE_EXCERPT].decode("utf-8", errors="replace")
    answered = {"last_status_code": response.status, "last_response": excerpt}
    if 200 <= response.status < 300:
        ours.update(status=Status.DELIVERED, delivered_at=timezone.now(), last_error="", **answered)
        return "delivered"
    if response.status == 410:
        reason = _("The receiver answered 410 Gone, so the endpoint was turned off.")
        Endpoint.objects.filter(pk=endpoint.pk, active=True).update(
            active=False, deactivated_reason=reason
        )
        return fail(reason, **answered)
    if 300 <= response.status < 400:
        reason = _(
            "The receiver answered %(status)s (redirects are not followed): %(location)s"
        ) % {
            "status": response.status,
            "location": response.headers.get("location", "")[:500],
        }
    else:
        reason = _("The receiver answered %(status)s.") % {"status": response.status}
    return retry(reason, at_least=_retry_after(response.headers.get("retry-after")), **answered)


@shared_task(
    bind=True,
    # Safe because the claim makes the task idempotent (see notifications.tasks).
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=10,  # WEBHOOKS_MAX_ATTEMPTS's default; the setting is passed at run time
)
def deliver_webhook(self, delivery_id: int) -> str:
    try:
        return _deliver(delivery_id)
    except _Retry as retry:
        if retry.delay > countdown_cap() or self.request.is_eager:
            # Pending and due later: the sweep hands it out then. In-process tasks (no
            # broker, `make run`) would retry at once, inside the request that committed.
            return "later"
        # The row is pending again, so if this publish is lost the sweep still has it.
        raise self.retry(countdown=retry.delay, max_retries=max_attempts()) from retry


def _publish(delivery_id: int) -> bool:
    """Hand a delivery to the task queue; never raises (the sweep catches up later).

    Publishing does not retry: with the broker down the caller's request must not hang.
    The row stays pending and the periodic sweep re-enqueues it.
    """
    try:
        deliver_webhook.apply_async((delivery_id,), retry=False)
    except Exception:
        logger.warning(
            "Could not hand webhook delivery %s to the task queue; it stays pending and the "
            "sweep will retry it.",
            delivery_id,
            exc_info=True,
        )
        return False
    return True


def enqueue_delivery(delivery_id: int) -> bool:
    return _publish(delivery_id)


def sweep_due_ids(*, now=None, limit: int | None = None) -> list[int]:
    """Take the deliveries a worker should have made by now and make them due now
    (notifications' ``outbox.take_overdue``, the same rule as for emails): pending more
    than WEBHOOKS_PENDING_GRACE seconds past their due time, or sending for longer than
    WEBHOOKS_STUCK_AFTER seconds."""
    return outbox.take_overdue(
        Delivery,
        now=now or timezone.now(),
        limit=limit or _setting("WEBHOOKS_SWEEP_BATCH", 500),
        pending_grace=_setting("WEBHOOKS_PENDING_GRACE", 60),
        stuck_after=_setting("WEBHOOKS_STUCK_AFTER", 300),
    )


@shared_task(ignore_result=True)
def sweep_webhooks() -> int:
    """Periodic (Celery beat): re-enqueue overdue pending rows and stuck sending rows."""
    ids = sweep_due_ids()
    for delivery_id in ids:
        if not _publish(delivery_id):
            break  # the broker is down: the rest would fail the same way, next sweep
    if ids:
        logger.info("Webhook sweep re-enqueued %s row(s)", len(ids))
    return len(ids)
