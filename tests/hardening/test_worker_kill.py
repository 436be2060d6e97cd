"""A worker killed with SIGKILL in the middle of sending does not lose the email.

A real ``celery -A config worker`` subprocess (one pool thread: the solo pool stalls
between tasks on RabbitMQ) on each broker in turn (Redis, RabbitMQ: ``tests.brokers``)
and the test database sends through ``tests.hardening.slow_backend`` (sleeps, then
writes a line to a file, so another process's deliveries can be counted), and records
what each task returned (``tests.task_results``). The worker is killed while the backend
sleeps, so the row is left ``sending`` (attempt 1) and the message unacknowledged. What
the broker then does with the message differs:

- RabbitMQ sees the worker's connection drop and puts the message back at once; the
  restarted worker takes it, meets a row that is sending and does nothing ("skipped").
- Redis keeps it in kombu's ``unacked`` hash until the visibility timeout (an hour): the
  restarted worker gets nothing. The test stands in for that late redelivery, which
  meets a sent row and does nothing.

Either way the stuck-in-sending sweep, once the row has been sending longer than
``NOTIFICATIONS_STUCK_AFTER`` (the test moves ``claimed_at`` back instead of waiting
five minutes), hands it out again and it is delivered exactly once, on attempt 2.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from config.celery import app as celery_app
from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import deliver_notification, sweep_due_ids, sweep_notifications
from tests.brokers import (  # noqa: F401 - the fixtures, for pytest to find
    broker_kind_fixture,
    broker_url_fixture,
    celery_mode,
    message_count,
    purge,
    wake,
)
from tests.factories import ProgramFactory, UserFactory
from tests.fleet.processes import database_url
from tests.hardening.slow_backend import lines
from tests.notifications.conftest import wait_until
from tests.task_results import READY, task_results

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker subprocess must reach the test database: needs PostgreSQL "
        "(set DATABASE_URL=postgres://...); SQLite's test database lives in memory",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
Status = Notification.Status


def _unacked_tags(redis_url: str) -> set[bytes]:
    """Delivery tags of messages a Redis worker took but has not acknowledged (kombu
    keeps them in the ``unacked`` hash and restores them after the visibility timeout)."""
    import redis

    return set(redis.Redis.from_url(redis_url).hkeys("unacked"))


def _forget_unacked(redis_url: str, tags: set[bytes]) -> None:
    """Drop the killed worker's message, so that it is not restored an hour from now
    into whatever then uses this Redis database."""
    import redis

    if tags:
        client = redis.Redis.from_url(redis_url)
        client.hdel("unacked", *tags)
        client.zrem("unacked_index", *tags)


def _skipped(logs: Path, name: str) -> int:
    """Deliveries worker ``name`` ran that found the row not pending and did nothing."""
    results = task_results(logs / f"{name}.results", "notifications.tasks.deliver_notification")
    return results.count("SUCCESS skipped")


@contextlib.contextmanager
def _worker(outbox: Path, logs: Path, *, broker_url: str, send_seconds: float, name: str):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_BACKEND": "tests.hardening.slow_backend.SlowFileBackend",
        "SLOW_EMAIL_DIR": str(outbox),
        "SLOW_EMAIL_SECONDS": str(send_seconds),
        "TASK_RESULTS_FILE": str(logs / f"{name}.results"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("EMAIL_URL", None)
    log = (logs / f"{name}.log").open("w")
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed args
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=threads",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            "--include=tests.task_results",
            f"--hostname={name}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: a kill reaches nothing else
    )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.terminate()  # warm shutdown
            wake(celery_app, f"{name}@{socket.gethostname()}")
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
        log.close()


def _log_tail(logs: Path) -> str:
    return "\n".join(
        f"--- {path.name}\n" + "\n".join(path.read_text().splitlines()[-30:])
        for path in sorted(logs.glob("*.log"))
    )


def test_an_email_whose_worker_was_killed_mid_send_is_delivered_exactly_once(
    broker_kind, broker_url, tmp_path, settings, capsys
):
    outbox, logs = tmp_path / "outbox", tmp_path / "logs"
    outbox.mkdir()
    logs.mkdir()
    recipient = UserFactory(username="grace", email="grace@example.org")
    program = ProgramFactory()
    started = time.monotonic()
    on_redis = broker_kind == "redis"
    ours: set[bytes] = set()
    try:
        with celery_mode(eager=False, broker_url=broker_url):
            purge(broker_url)  # leftovers from an earlier, interrupted run
            unacked_before = _unacked_tags(broker_url) if on_redis else set()
            # 1. A worker takes the email and is killed while the backend is sending it.
            with _worker(
                outbox, logs, broker_url=broker_url, send_seconds=600, name="doomed"
            ) as doomed:
                with transaction.atomic():  # published to the broker on commit
                    notification = notify(
                        kind="test_message",
                        recipient=recipient,
                        program=program,
                        context={"message": "Survives a dead worker"},
                        dedupe_key="hardening:worker-kill",
                    )
                wait_until(lambda: lines(outbox, "started.log"), timeout=60)
                os.killpg(doomed.pid, signal.SIGKILL)
                doomed.wait(timeout=10)
            killed_at = time.monotonic()
            assert doomed.returncode == -signal.SIGKILL
            notification.refresh_from_db()
            assert (notification.status, notification.attempts) == (Status.SENDING, 1)
            assert lines(outbox, "delivered.log") == []
            # acks_late: the message was taken and never acknowledged...
            if on_redis:
                # ...so Redis holds it in its unacked hash, for the visibility timeout.
                ours = _unacked_tags(broker_url) - unacked_before
                assert len(ours) == 1
                assert message_count(broker_url) == 0
            else:
                # ...so RabbitMQ, seeing the worker's connection gone, queues it again.
                wait_until(lambda: message_count(broker_url) == 1, timeout=10, interval=0.1)

            # 2. A fresh worker comes up.
            with _worker(outbox, logs, broker_url=broker_url, send_seconds=0.2, name="fresh"):
                wait_until(
                    lambda: READY in task_results(logs / "fresh.results"), timeout=60, interval=0.1
                )
                if on_redis:
                    time.sleep(1.0)  # room for the message to arrive, if it were to
                    assert message_count(broker_url) == 0
                    assert ours <= _unacked_tags(broker_url)  # still held for the timeout
                else:
                    # It takes the redelivered message, which meets a sending row.
                    wait_until(lambda: _skipped(logs, "fresh") == 1, timeout=30, interval=0.1)
                    assert message_count(broker_url) == 0
                # Either way nothing was sent, and the row is not taken over while a
                # live worker may still be sending it.
                notification.refresh_from_db()
                assert (notification.status, notification.attempts) == (Status.SENDING, 1)
                assert lines(outbox, "delivered.log") == []
                assert sweep_due_ids() == []
                # Five minutes on, beat's sweep finds the row stuck in sending.
                Notification.objects.filter(pk=notification.pk).update(
                    claimed_at=F("claimed_at")
                    - timedelta(seconds=settings.NOTIFICATIONS_STUCK_AFTER + 1)
                )
                assert sweep_notifications() == 1
                wait_until(
                    lambda: Notification.objects.get(pk=notification.pk).status == Status.SENT,
                    timeout=60,
                )
                # A second sweep finds nothing to do.
                assert sweep_notifications() == 0
                if on_redis:
                    # The killed worker's message, as Redis would redeliver it an hour
                    # later, meets a sent row and does nothing.
                    deliver_notification.delay(notification.pk)
                    wait_until(lambda: _skipped(logs, "fresh") == 1, timeout=30, interval=0.1)
                time.sleep(0.5)  # room for a duplicate to show up, if there were one
            recovered_in = time.monotonic() - killed_at
    except BaseException:
        print(_log_tail(logs))
        raise
    finally:
        if on_redis:
            _forget_unacked(broker_url, ours)
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.attempts == 2
    assert notification.sent_at is not None
    assert notification.sent_at > timezone.now() - timedelta(minutes=5)
    delivered = lines(outbox, "delivered.log")
    assert delivered == [f"delivered grace@example.org {delivered[0].split(' ', 2)[2]}"]
    assert len(lines(outbox, "started.log")) == 2  # the killed attempt and the good one
    assert _skipped(logs, "fresh") == 1  # the killed worker's message, on either broker
    with capsys.disabled():
        print(
            f"\n[worker kill] {broker_kind}: killed mid-send; delivered once "
            f"{recovered_in:.1f} s later (test {time.monotonic() - started:.1f} s)"
        )
