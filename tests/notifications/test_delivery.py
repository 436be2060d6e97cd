"""deliver_notification and the sweep: at most one email per claim, retries, failures."""

import smtplib
import threading
from datetime import timedelta

import pytest
from celery._state import _set_task_join_will_block
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from notifications.tasks import (
    deliver_notification,
    is_permanent,
    retry_delay,
    sweep_due_ids,
    sweep_notifications,
)
from tests.notifications.backends import disconnected, mailbox_busy, no_such_user
from tests.notifications.conftest import needs_postgresql
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

Status = Notification.Status


def _refresh(notification: Notification) -> Notification:
    notification.refresh_from_db()
    return notification


def test_running_the_task_twice_sends_one_email(mailoutbox):
    notification = NotificationFactory()
    deliver_notification.delay(notification.pk)
    deliver_notification.delay(notification.pk)
    assert len(mailoutbox) == 1
    assert _refresh(notification).status == Status.SENT
    assert notification.attempts == 1


def test_a_row_being_sent_elsewhere_is_left_alone(mailoutbox):
    notification = NotificationFactory(status=Status.SENDING, claimed_at=timezone.now())
    assert deliver_notification.apply(args=[notification.pk]).get() == "skipped"
    assert mailoutbox == []


def test_smtp_failing_twice_then_succeeding_sends_one_email_after_three_attempts(
    scripted_backend, mailoutbox
):
    scripted_backend.script = [disconnected(), mailbox_busy()]
    notification = NotificationFactory()
    deliver_notification.delay(notification.pk)  # eager: retries run at once
    assert len(mailoutbox) == 1
    assert scripted_backend.calls == 3
    _refresh(notification)
    assert (notification.status, notification.attempts) == (Status.SENT, 3)
    assert "451" in notification.last_error  # the last transient error is kept


def test_permanent_failure_marks_failed_keeps_error_and_does_not_retry(
    scripted_backend, mailoutbox, settings
):
    settings.NOTIFICATIONS_PENDING_GRACE = 0
    notification = NotificationFactory()
    scripted_backend.script = [no_such_user(notification.to_email)]
    deliver_notification.delay(notification.pk)
    _refresh(notification)
    assert notification.status == Status.FAILED
    assert notification.attempts == 1
    assert "550" in notification.last_error and "No such user" in notification.last_error
    assert scripted_backend.calls == 1
    # No retry storm: neither the task again nor the sweep touch a failed row.
    deliver_notification.delay(notification.pk)
    assert sweep_notifications() == 0
    assert scripted_backend.calls == 1
    assert mailoutbox == []


def test_transient_failures_stop_at_the_attempt_limit(scripted_backend, mailoutbox, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    scripted_backend.script = [disconnected() for _ in range(10)]
    notification = NotificationFactory()
    deliver_notification.delay(notification.pk)
    _refresh(notification)
    assert (notification.status, notification.attempts) == (Status.FAILED, 3)
    assert "SMTPServerDisconnected" in notification.last_error
    assert scripted_backend.calls == 3
    assert mailoutbox == []


def test_missing_address_fails_for_good(mailoutbox):
    notification = NotificationFactory(to_email="")
    deliver_notification.delay(notification.pk)
    _refresh(notification)
    assert notification.status == Status.FAILED
    assert "no email address" in notification.last_error
    assert mailoutbox == []


def test_a_kind_that_cannot_render_fails_for_good(mailoutbox):
    notification = NotificationFactory(kind="kind_that_was_removed")
    deliver_notification.delay(notification.pk)
    _refresh(notification)
    assert notification.status == Status.FAILED
    assert "Could not render" in notification.last_error
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (disconnected(), False),
        (mailbox_busy(), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
        (no_such_user("x@example.org"), True),
        (
            smtplib.SMTPRecipientsRefused(
                {"a@example.org": (550, b"no"), "b@example.org": (452, b"full")}
            ),
            False,
        ),
        (smtplib.SMTPDataError(554, b"Message rejected"), True),
        (smtplib.SMTPSenderRefused(553, b"bad sender", "x@y"), True),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
    ],
)
def test_smtp_errors_are_sorted_into_transient_and_permanent(error, permanent):
    assert is_permanent(error) is permanent


def test_retry_delays_grow_with_jitter_and_stay_below_the_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    cap = settings.NOTIFICATIONS_RETRY_MAX_DELAY
    assert cap < visibility
    for attempt in range(1, 30):
        delays = [retry_delay(attempt) for _ in range(50)]
        assert all(0 < delay <= cap < visibility for delay in delays)
        assert len(set(delays)) > 1  # jitter
    base = settings.NOTIFICATIONS_RETRY_BASE_DELAY
    assert base / 2 <= retry_delay(1) <= base
    assert 2 * base <= retry_delay(3) <= 4 * base


def test_a_retry_leaves_the_row_pending_with_its_next_attempt(scripted_backend):
    # A real worker (not eager) would wait for the countdown; check the row meanwhile.
    scripted_backend.script = [disconnected()]
    notification = NotificationFactory()
    # Called directly (not through a worker), self.retry re-raises the SMTP error
    # instead of scheduling the retry.
    with pytest.raises(smtplib.SMTPServerDisconnected):
        deliver_notification.run(notification.pk)
    _refresh(notification)
    assert notification.status == Status.PENDING
    assert notification.attempts == 1
    assert notification.next_attempt_at > timezone.now()
    # ...so the sweep does not pick it up before it is due.
    assert sweep_due_ids() == []


def test_sweep_delivers_overdue_pending_and_stuck_sending_rows_only(mailoutbox):
    now = timezone.now()
    overdue = NotificationFactory(next_attempt_at=now - timedelta(minutes=2))
    fresh = NotificationFactory(next_attempt_at=now - timedelta(seconds=10))
    stuck = NotificationFactory(
        status=Status.SENDING, attempts=1, claimed_at=now - timedelta(minutes=10)
    )
    busy = NotificationFactory(
        status=Status.SENDING, attempts=1, claimed_at=now - timedelta(seconds=30)
    )
    sent = NotificationFactory(
        status=Status.SENT, sent_at=now, next_attempt_at=now - timedelta(hours=1)
    )
    failed = NotificationFactory(status=Status.FAILED, next_attempt_at=now - timedelta(hours=1))

    assert sweep_notifications() == 2
    assert sorted(email.to[0] for email in mailoutbox) == sorted([overdue.to_email, stuck.to_email])
    assert _refresh(overdue).status == Status.SENT
    assert (_refresh(stuck).status, stuck.attempts) == (Status.SENT, 2)
    assert _refresh(fresh).status == Status.PENDING
    assert _refresh(busy).status == Status.SENDING
    assert _refresh(sent).status == Status.SENT and _refresh(failed).status == Status.FAILED
    assert sweep_notifications() == 0  # nothing left to do
    assert len(mailoutbox) == 2


def test_sweep_run_twice_in_a_row_enqueues_once(mailoutbox, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    now = timezone.now()
    rows = NotificationFactory.create_batch(3, next_attempt_at=now - timedelta(minutes=5))
    first = sweep_due_ids(now=now)
    second = sweep_due_ids(now=now)
    assert sorted(first) == sorted(r.pk for r in rows)
    assert second == []  # the first sweep made them due now, not overdue


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_email_once(mailoutbox):
    past = timezone.now() - timedelta(minutes=5)
    rows = NotificationFactory.create_batch(20, next_attempt_at=past)
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def sweep():
        try:
            barrier.wait()
            counts.append(sweep_notifications())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == 20
    assert len(mailoutbox) == 20
    assert sorted(m.extra_headers["X-Notification-Id"] for m in mailoutbox) == sorted(
        str(r.pk) for r in rows
    )
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_task_racing_itself_sends_one_email(mailoutbox):
    notification = NotificationFactory()
    barrier = threading.Barrier(4)
    results = []

    def run():
        try:
            barrier.wait()
            # Celery's eager ``apply()`` marks "inside a task" in one process-wide flag
            # (``denied_join_result``), and four threads restoring it in turn can leave
            # it set: ``get()`` would then refuse as if called from a task. The result
            # is already there, so reading it never blocks.
            result = deliver_notification.apply(args=[notification.pk])
            results.append(result.get(disable_sync_subtasks=False))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        _set_task_join_will_block(False)  # as it was: never leave the flag to later tests
    assert sorted(results) == ["sent", "skipped", "skipped", "skipped"]
    assert len(mailoutbox) == 1
