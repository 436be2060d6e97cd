"""End to end through a real Celery worker on each broker, and through a broker outage.

Each test runs on Redis and on RabbitMQ (``tests.brokers``: REDIS_URL, RABBITMQ_URL; CI
sets both). Without a broker's variable its real-worker tests skip, and the outage test
recovers through in-process tasks instead.
"""

import logging
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import sweep_notifications
from tests.brokers import celery_mode, closed_port, silent_port, url_at, url_for
from tests.notifications.conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

Status = Notification.Status
logger = logging.getLogger(__name__)


def _notify(recipient, program, key: str) -> Notification:
    return notify(
        kind="test_message",
        recipient=recipient,
        program=program,
        context={"message": f"Message {key}"},
        dedupe_key=key,
    )


def test_real_worker_delivers_a_notification_end_to_end(
    real_worker_factory, recipient, notif_program, mailoutbox
):
    with real_worker_factory():
        with transaction.atomic():
            notification = _notify(recipient, notif_program, "e2e:1")
        wait_until(lambda: Notification.objects.get(pk=notification.pk).status == Status.SENT)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [recipient.email]
    assert "Women in Tech 2026" in mailoutbox[0].body
    assert mailoutbox[0].alternatives[0][1] == "text/html"
    notification.refresh_from_db()
    assert notification.attempts == 1


@pytest.mark.parametrize(
    ("pool", "concurrency", "persistent_db"),
    [("threads", 1, False), ("threads", 4, True)],
    ids=["threads1-reconnect-per-task", "threads4-reuse-db"],
)
def test_real_worker_delivery_rate_over_500_notifications(
    real_worker_factory,
    recipient,
    notif_program,
    mailoutbox,
    pool,
    concurrency,
    persistent_db,
    capsys,
):
    count = 500
    with real_worker_factory(pool=pool, concurrency=concurrency, persistent_db=persistent_db):
        started = time.monotonic()
        with transaction.atomic():  # 500 rows, then 500 publishes on commit
            for number in range(count):
                _notify(recipient, notif_program, f"rate:{number}")
        published = time.monotonic()
        wait_until(lambda: len(mailoutbox) >= count, timeout=120)
        finished = time.monotonic()
    assert len(mailoutbox) == count
    assert Notification.objects.filter(status=Status.SENT).count() == count
    rate = count / (finished - started)
    with capsys.disabled():
        print(
            f"\n[notifications] real worker pool={pool} concurrency={concurrency} "
            f"persistent_db={persistent_db}: "
            f"{count} emails in {finished - started:.2f} s = {rate:.0f} emails/s "
            f"(write+publish {published - started:.2f} s)"
        )
    assert rate > 5  # a floor that catches a pathological slowdown, not a benchmark


def test_broker_outage_commits_fast_then_the_sweep_delivers_once(
    broker_kind, recipient, notif_program, mailoutbox, request, capsys, settings
):
    # 1. The broker is down: the caller's transaction still commits, quickly.
    with celery_mode(eager=False, broker_url=url_at(broker_kind, closed_port())):
        started = time.monotonic()
        with transaction.atomic():
            notification = _notify(recipient, notif_program, "outage:1")
        commit_seconds = time.monotonic() - started
    assert commit_seconds < 2
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Status.PENDING, 0)
    assert mailoutbox == []

    # 2. A minute later the broker is back and beat runs the sweep (twice, to be sure).
    Notification.objects.filter(pk=notification.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_PENDING_GRACE + 1)
    )
    recovered = time.monotonic()
    if url_for(broker_kind):
        worker_factory = request.getfixturevalue("real_worker_factory")
        with worker_factory():
            sweep_notifications.delay()
            sweep_notifications.delay()
            wait_until(lambda: Notification.objects.get(pk=notification.pk).status == Status.SENT)
            time.sleep(0.5)  # room for a duplicate to show up, if there were one
            how = f"{broker_kind} + real worker"
    else:
        with celery_mode(eager=True):
            sweep_notifications()
            sweep_notifications()
            how = f"in-process tasks ({broker_kind} not configured)"
    recovery_seconds = time.monotonic() - recovered
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Status.SENT, 1)
    with capsys.disabled():
        print(
            f"\n[notifications] outage ({broker_kind}): commit with broker down took "
            f"{commit_seconds:.3f} s; sweep delivered in {recovery_seconds:.2f} s via {how}"
        )


def test_a_broker_that_accepts_connections_but_never_answers_holds_a_commit_about_two_seconds(
    broker_kind, recipient, notif_program, mailoutbox, capsys
):
    """A hung broker, or one behind a network path that lost its replies: the producer
    gives up after CELERY_BROKER_CONNECTION_TIMEOUT (Celery's default, 4 s, would hold
    every request that writes a notification that long; amqp's connect and handshake and
    Redis's reads are both bounded by 2 s)."""
    with silent_port() as port, celery_mode(eager=False, broker_url=url_at(broker_kind, port)):
        started = time.monotonic()
        with transaction.atomic():
            notification = _notify(recipient, notif_program, "hung:1")
        commit_seconds = time.monotonic() - started
    assert commit_seconds < 3
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Status.PENDING, 0)
    assert mailoutbox == []
    with capsys.disabled():
        print(
            f"\n[notifications] hung {broker_kind} broker: commit took {commit_seconds:.2f} s; "
            "the row stays pending for the sweep"
        )
