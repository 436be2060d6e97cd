"""A worker killed with SIGKILL in the middle of sending does not lose the email.

A real ``celery -A config worker`` subprocess (solo pool) on the Redis broker and the
test database sends through ``tests.hardening.slow_backend`` (sleeps, then writes a line
to a file, so another process's deliveries can be counted). The worker is killed while
the backend sleeps, so the row is left ``sending`` and the message unacknowledged (Redis
would redeliver it only after the visibility timeout, an hour). A restarted worker and
the stuck-in-sending sweep (``NOTIFICATIONS_STUCK_AFTER`` shortened for the test) deliver
it, exactly once; the late redelivery would meet a sent row and do nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import deliver_notification, sweep_due_ids, sweep_notifications
from tests.factories import ProgramFactory, UserFactory
from tests.hardening.slow_backend import lines
from tests.notifications.conftest import REDIS_URL, celery_mode, wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not REDIS_URL,
        reason="needs a Redis broker for a real Celery worker; set REDIS_URL=redis://...",
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker subprocess must reach the test database: needs PostgreSQL "
        "(set DATABASE_URL=postgres://...); SQLite's test database lives in memory",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
Status = Notification.Status


def _database_url() -> str:
    """The test database (``test_<name>``) as a URL for the worker subprocess."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL)


def _unacked_tags() -> set[bytes]:
    """Delivery tags of messages a worker took but has not acknowledged (kombu keeps
    them in the ``unacked`` hash and restores them after the visibility timeout)."""
    return set(_redis().hkeys("unacked"))


def _forget_unacked(tags: set[bytes]) -> None:
    """Drop the killed worker's message, so that it is not restored an hour from now
    into whatever then uses this Redis database."""
    if tags:
        _redis().hdel("unacked", *tags)
        _redis().zrem("unacked_index", *tags)


@contextlib.contextmanager
def _worker(outbox: Path, logs: Path, *, send_seconds: float, name: str):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "EMAIL_BACKEND": "tests.hardening.slow_backend.SlowFileBackend",
        "SLOW_EMAIL_DIR": str(outbox),
        "SLOW_EMAIL_SECONDS": str(send_seconds),
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
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
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
    tmp_path, settings, capsys
):
    outbox, logs = tmp_path / "outbox", tmp_path / "logs"
    outbox.mkdir()
    logs.mkdir()
    recipient = UserFactory(username="grace", email="grace@example.org")
    program = ProgramFactory()
    started = time.monotonic()
    ours: set[bytes] = set()
    try:
        with celery_mode(eager=False, broker_url=REDIS_URL) as app:
            app.control.purge()  # leftovers from an earlier, interrupted run
            unacked_before = _unacked_tags()
            # 1. A worker takes the email and is killed while the backend is sending it.
            with _worker(outbox, logs, send_seconds=600, name="doomed") as doomed:
                with transaction.atomic():  # published to Redis on commit
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
            # acks_late: the message was taken and never acknowledged.
            ours = _unacked_tags() - unacked_before
            assert len(ours) == 1
            notification.refresh_from_db()
            assert (notification.status, notification.attempts) == (Status.SENDING, 1)
            assert lines(outbox, "delivered.log") == []

            # 2. A fresh worker comes up; the message is not redelivered before the
            # visibility timeout, so nothing happens on its own...
            with _worker(outbox, logs, send_seconds=0.2, name="fresh"):
                settings.NOTIFICATIONS_STUCK_AFTER = 1  # seconds (300 in production)
                time.sleep(0.5)
                assert sweep_due_ids() == []  # not stuck yet: a live worker may be sending
                time.sleep(1.0)
                # ...until beat runs the sweep, which finds the row stuck in sending.
                assert sweep_notifications() == 1
                wait_until(
                    lambda: Notification.objects.get(pk=notification.pk).status == Status.SENT,
                    timeout=60,
                )
                # A second sweep, and the killed worker's message redelivered late, meet
                # a sent row and do nothing.
                assert sweep_notifications() == 0
                deliver_notification.delay(notification.pk)
                time.sleep(1.0)
            recovered_in = time.monotonic() - killed_at
    except BaseException:
        print(_log_tail(logs))
        raise
    finally:
        _forget_unacked(ours)
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.attempts == 2
    assert notification.sent_at is not None
    assert notification.sent_at > timezone.now() - timedelta(minutes=5)
    delivered = lines(outbox, "delivered.log")
    assert delivered == [f"delivered grace@example.org {delivered[0].split(' ', 2)[2]}"]
    assert len(lines(outbox, "started.log")) == 2  # the killed attempt and the good one
    with capsys.disabled():
        print(
            f"\n[worker kill] killed mid-send; delivered once {recovered_in:.1f} s later "
            f"(test {time.monotonic() - started:.1f} s)"
        )
