"""The sweep's backlog goes out in batches, each over one SMTP connection, through a
real SMTP server (tests/smtp_sink.py); each email still exactly once, each failure
recorded on its own row."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.tasks import (
    deliver_notification,
    deliver_notifications,
    enqueue_deliveries,
    sweep_notifications,
)
from tests.notifications.conftest import closed_port
from tests.notifications.factories import NotificationFactory
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db

Status = Notification.Status


@pytest.fixture
def sink(settings):
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink


def _rows(count: int, **fields) -> list[Notification]:
    return [NotificationFactory(to_email=f"person{n}@example.org", **fields) for n in range(count)]


def _statuses(rows) -> list[str]:
    return [Notification.objects.get(pk=row.pk).status for row in rows]


def test_a_batch_sends_every_email_once_over_one_connection(sink):
    rows = _rows(5)
    outcome = deliver_notifications.run([row.pk for row in rows])
    assert outcome == {"sent": 5}
    assert sink.notification_ids() == [row.pk for row in rows]
    assert sink.connections() == 1
    assert _statuses(rows) == [Status.SENT] * 5


def test_one_task_per_email_opens_one_connection_per_email(sink):
    rows = _rows(3)
    for row in rows:
        deliver_notification.run(row.pk)
    assert sink.connections() == 3


def test_a_batch_leaves_rows_it_does_not_own_alone(sink):
    sent, sending, pending = _rows(3)
    Notification.objects.filter(pk=sent.pk).update(status=Status.SENT, sent_at=timezone.now())
    Notification.objects.filter(pk=sending.pk).update(
        status=Status.SENDING, claimed_at=timezone.now()
    )
    outcome = deliver_notifications.run([sent.pk, sending.pk, pending.pk, pending.pk])
    assert outcome == {"skipped": 3, "sent": 1}
    assert sink.notification_ids() == [pending.pk]


def test_a_refused_address_fails_alone_and_the_rest_of_the_batch_goes_out(sink):
    first, refused, last = _rows(3)
    sink.refuse[refused.to_email] = "550 5.1.1 No such user here"
    assert deliver_notifications.run([first.pk, refused.pk, last.pk]) == {"sent": 2, "failed": 1}
    assert sink.notification_ids() == [first.pk, last.pk]
    assert _statuses([first, refused, last]) == [Status.SENT, Status.FAILED, Status.SENT]
    assert "550" in Notification.objects.get(pk=refused.pk).last_error


def test_an_email_that_fails_for_now_waits_for_its_retry_and_the_rest_goes_out(sink):
    first, busy, last = _rows(3)
    sink.refuse[busy.to_email] = "451 4.3.0 Mailbox busy, try again later"
    before = timezone.now()
    assert deliver_notifications.run([first.pk, busy.pk, last.pk]) == {"sent": 2, "retry": 1}
    busy.refresh_from_db()
    assert (busy.status, busy.attempts) == (Status.PENDING, 1)
    assert busy.next_attempt_at > before + timedelta(seconds=10)  # its backoff, not now
    assert sink.notification_ids() == [first.pk, last.pk]
    # The connection was opened again after the failure.
    assert sink.connections() == 2


def test_with_no_smtp_server_the_batch_stops_and_leaves_the_rest_due(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    rows = _rows(4)
    assert deliver_notifications.run([row.pk for row in rows]) == {"retry": 1, "left": 3}
    attempts = [Notification.objects.get(pk=row.pk).attempts for row in rows]
    assert attempts == [1, 0, 0, 0]  # only the first was tried
    assert _statuses(rows) == [Status.PENDING] * 4


def test_the_sweep_hands_out_its_backlog_in_batches(settings):
    settings.NOTIFICATIONS_DELIVERY_BATCH = 2
    overdue = timezone.now() - timedelta(hours=1)
    rows = _rows(5, next_attempt_at=overdue)
    with (
        mock.patch.object(deliver_notifications, "apply_async") as batches,
        mock.patch.object(deliver_notification, "apply_async") as singles,
    ):
        assert sweep_notifications() == 5
    ids = sorted(row.pk for row in rows)
    assert [call.args[0][0] for call in batches.call_args_list] == [ids[0:2], ids[2:4]]
    assert [call.args[0][0] for call in singles.call_args_list] == [ids[4]]


def test_with_the_broker_down_the_sweep_gives_up_quickly_and_keeps_the_rows(settings):
    settings.NOTIFICATIONS_DELIVERY_BATCH = 2
    with mock.patch.object(
        deliver_notifications, "apply_async", side_effect=ConnectionError("broker down")
    ) as batches:
        assert enqueue_deliveries([1, 2, 3, 4, 5]) == 0
    assert batches.call_count == 1  # the rest would fail the same way


def test_the_sweep_through_a_real_smtp_server_sends_each_email_once(sink, settings):
    settings.NOTIFICATIONS_DELIVERY_BATCH = 4
    rows = _rows(10, next_attempt_at=timezone.now() - timedelta(hours=1))
    assert sweep_notifications() == 10  # eager: the batches run here, one after another
    assert sorted(sink.notification_ids()) == sorted(row.pk for row in rows)
    assert sink.duplicates() == {}
    assert sink.connections() == 3  # 4 + 4 + 2
