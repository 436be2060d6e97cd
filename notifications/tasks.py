"""Celery tasks: deliver one notification, and sweep up the ones left behind.

Delivery is at most once per claim: a conditional UPDATE moves the row from pending
to sending (only one worker can win it), the email goes out, and the row becomes sent.
A message delivered twice, a duplicate enqueue or two sweeps at once all meet a row
that is no longer pending and do nothing.
"""

from __future__ import annotations

import contextlib
import logging
import random
import smtplib
import time
from collections import Counter
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import InterfaceError, OperationalError
from django.db import connection as db_connection
from django.db.models import F, QuerySet
from django.utils import timezone

from notifications import outbox
from notifications.models import Notification
from notifications.rendering import build_message
from notifications.selectors import suppression_reason

logger = logging.getLogger(__name__)

Status = Notification.Status


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return _setting("NOTIFICATIONS_MAX_ATTEMPTS", 5)


def retry_delay(attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``: exponential backoff with jitter.

    The delay doubles with each attempt up to NOTIFICATIONS_RETRY_MAX_DELAY, half the
    shorter of Redis's visibility timeout (a countdown longer than that would be
    redelivered while still waiting) and RabbitMQ's consumer_timeout (which would close
    the channel of the worker holding it). The jitter spreads retries of many emails that
    failed together (an SMTP outage) so they do not all come back at once.
    """
    base = _setting("NOTIFICATIONS_RETRY_BASE_DELAY", 30)
    cap = _setting("NOTIFICATIONS_RETRY_MAX_DELAY", 1800)
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    # Retry jitter, not a secret: a non-cryptographic generator is right here.
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  # nosec B311


class PermanentDeliveryError(Exception):
    """Delivery can never succeed as things stand (bad address, missing template)."""


def is_permanent(error: BaseException) -> bool:
    """5xx replies and bad addresses are permanent; connection trouble and 4xx are not."""
    if isinstance(error, PermanentDeliveryError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return False  # our configuration, not this email: retry while someone fixes it
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    # SMTPNotSupportedError is permanent; connection refused/reset, timeouts,
    # SMTPServerDisconnected and unknown trouble are worth another try.
    return isinstance(error, smtplib.SMTPNotSupportedError)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


class _Retry(Exception):
    """This attempt failed for now; the row is pending again, due in ``delay`` seconds."""

    def __init__(self, error: BaseException, delay: float) -> None:
        super().__init__(str(error))
        self.error, self.delay = error, delay


def _deliver(notification_id: int, connection: BaseEmailBackend) -> str:
    """Claim one row, send it over ``connection`` and record the outcome on the row.

    Returns "sent", "suppressed", "failed" or "skipped" (not ours to send); raises
    ``_Retry`` when a later attempt may succeed, the row already pending again.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, status=Status.PENDING).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return "skipped"  # someone else has it, or it is already sent or failed
    notification = Notification.objects.select_related("recipient", "program").get(
        pk=notification_id
    )
    # Later updates only touch the row while it is still *our* claim.
    ours = Notification.objects.filter(
        pk=notification_id, status=Status.SENDING, attempts=notification.attempts
    )
    # Turned off after the row was written (or before an admin's "send again"): not sent.
    suppressed = suppression_reason(user_id=notification.recipient_id, kind=notification.kind)
    if suppressed:
        ours.update(status=Status.SUPPRESSED, suppressed_reason=suppressed)
        return "suppressed"
    try:
        if not notification.to_email:
            raise PermanentDeliveryError("The recipient has no email address.")
        try:
            message = build_message(notification)
        except Exception as error:
            raise PermanentDeliveryError(f"Could not render: {_describe(error)}") from error
        message.connection = connection
        message.send()
    except Exception as error:
        if is_permanent(error) or notification.attempts >= max_attempts():
            ours.update(status=Status.FAILED, last_error=_describe(error))
            logger.warning(
                "Notification %s failed for good after %s attempt(s): %s",
                notification_id,
                notification.attempts,
                _describe(error),
            )
            return "failed"
        delay = retry_delay(notification.attempts)
        ours.update(
            status=Status.PENDING,
            last_error=_describe(error),
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        logger.info(
            "Notification %s attempt %s failed (%s); retrying in %.0f s",
            notification_id,
            notification.attempts,
            _describe(error),
            delay,
        )
        raise _Retry(error, delay) from error
    _record_sent(ours)
    return "sent"


def _record_sent(ours: QuerySet[Notification]) -> None:
    """Write down that the email went out, even if the database is away for a moment.

    The SMTP server has accepted the email. If this write failed and the row stayed
    ``sending``, the sweep would hand it out again and the person would get it twice;
    a PostgreSQL restart or failover takes seconds, so the worker keeps trying for up
    to NOTIFICATIONS_RECORD_SENT_WITHIN seconds (well below NOTIFICATIONS_STUCK_AFTER,
    so the sweep never takes the row from a worker that is still trying).
    """
    deadline = time.monotonic() + _setting("NOTIFICATIONS_RECORD_SENT_WITHIN", 60)
    while True:
        try:
            ours.update(status=Status.SENT, sent_at=timezone.now())
            return
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                raise
            logger.warning("Could not record a sent notification yet; trying again")
            # Broken: closed, the next query connects again (a task runs outside any
            # transaction; a test runs inside one, which must stay open).
            if not db_connection.in_atomic_block:
                db_connection.close()
            time.sleep(1)


@shared_task(
    bind=True,
    # Safe because the claim makes the task idempotent: a message redelivered after a
    # worker was lost meets a row that is sending (the sweep resets it later) or sent,
    # and does nothing, so there is no poison-message loop.
    acks_late=True,
    reject_on_worker_lost=True,
    # Bounded twice: the row counts attempts (NOTIFICATIONS_MAX_ATTEMPTS, then failed),
    # and Celery's own retry count stops at the same number (passed to retry() at run
    # time; 5 here is that setting's default).
    max_retries=5,
)
def deliver_notification(self, notification_id: int) -> str:
    """One email over a connection of its own (a notification written by a request)."""
    try:
        return _deliver(notification_id, get_connection(fail_silently=False))
    except _Retry as retry:
        # The row is pending again, so if this publish is lost the sweep still has it.
        raise self.retry(
            countdown=retry.delay, exc=retry.error, max_retries=max_attempts()
        ) from retry.error


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    """A batch of emails over one SMTP connection (the sweep's backlog after an outage).

    Opening an SMTP connection (TCP, greeting, EHLO, STARTTLS, login) costs more than
    sending a short email over it; tests/fleet/ measures both ways against a real SMTP
    server. Each row is claimed just before it is sent, exactly as ``deliver_notification``
    does, so the batch is idempotent too. An email that fails for now is pending again
    with its backoff (the sweep hands it out once it is due); after a failure the
    connection is closed and opened again for the next email, and when it cannot even be
    opened the batch stops: the rows not yet claimed are still pending and due, and the
    next sweep hands them out again.
    """
    outcomes: Counter[str] = Counter()
    connection = get_connection(fail_silently=False)
    try:
        for position, notification_id in enumerate(notification_ids):
            # Open (again) ahead of the send: a backend sending over a connection it
            # opened itself closes it afterwards. If this fails, the send below tries
            # once more and records the error on its row, with its backoff.
            with contextlib.suppress(Exception):
                connection.open()
            try:
                outcomes[_deliver(notification_id, connection)] += 1
            except _Retry as retry:
                outcomes["retry"] += 1
                with contextlib.suppress(Exception):
                    connection.close()
                if _cannot_connect(retry.error):
                    outcomes["left"] += len(notification_ids) - position - 1
                    break
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return dict(outcomes)


def _cannot_connect(error: BaseException) -> bool:
    """The server is not there (refused, unreachable, timed out, closed at once): every
    other email in the batch would fail the same way."""
    # Refused, unreachable, timed out, no such host: socket errors, not SMTP replies (an
    # SMTP error is an OSError too), or a greeting that refused us.
    return isinstance(error, smtplib.SMTPConnectError) or (
        isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)
    )


def batch_size() -> int:
    return max(1, _setting("NOTIFICATIONS_DELIVERY_BATCH", 50))


def _publish(task, args: tuple, *, what: str) -> bool:
    """Hand a delivery to the task queue; never raises (the sweep catches up later).

    Publishing does not retry: with the broker down the caller's request must not
    hang. The rows stay pending and the periodic sweep re-enqueues them.
    """
    try:
        task.apply_async(args, retry=False)
    except Exception:
        logger.warning(
            "Could not hand %s to the task queue; it stays pending and the sweep will retry it.",
            what,
            exc_info=True,
        )
        return False
    return True


def enqueue_delivery(notification_id: int) -> bool:
    """Hand one id to the delivery task (one email, its own SMTP connection)."""
    return _publish(
        deliver_notification, (notification_id,), what=f"notification {notification_id}"
    )


def enqueue_deliveries(notification_ids: list[int]) -> int:
    """Hand many ids to the workers in batches of NOTIFICATIONS_DELIVERY_BATCH (one SMTP
    connection each); never raises. Returns how many ids were handed over."""
    size = batch_size()
    handed = 0
    for start in range(0, len(notification_ids), size):
        batch = notification_ids[start : start + size]
        if len(batch) == 1:
            published = enqueue_delivery(batch[0])
        else:
            published = _publish(
                deliver_notifications, (batch,), what=f"a batch of {len(batch)} notifications"
            )
        if not published:
            break  # the broker is down: the rest would fail the same way
        handed += len(batch)
    return handed


def sweep_due_ids(*, now=None, limit: int | None = None) -> list[int]:
    """Take the notifications a worker should have delivered by now and make them due now
    (``outbox.take_overdue``): pending more than NOTIFICATIONS_PENDING_GRACE seconds past
    their due time, or sending for longer than NOTIFICATIONS_STUCK_AFTER seconds."""
    return outbox.take_overdue(
        Notification,
        now=now or timezone.now(),
        limit=limit or _setting("NOTIFICATIONS_SWEEP_BATCH", 500),
        pending_grace=_setting("NOTIFICATIONS_PENDING_GRACE", 60),
        stuck_after=_setting("NOTIFICATIONS_STUCK_AFTER", 300),
    )


@shared_task(ignore_result=True)
def sweep_notifications() -> int:
    """Periodic (Celery beat): re-enqueue overdue pending rows and stuck sending rows."""
    ids = sweep_due_ids()
    enqueue_deliveries(ids)
    if ids:
        logger.info("Notification sweep re-enqueued %s row(s)", len(ids))
    return len(ids)
