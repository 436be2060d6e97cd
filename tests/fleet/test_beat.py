"""Two beats on one Redis: only the one holding the lock sends the periodic jobs, once
per period; when it dies the other takes over, and no period is sent twice.

Real ``celery beat`` processes with the production scheduler (celery-redbeat), a job
every second sent to a queue of the test's own on the Redis broker, which nobody
consumes: the queue's length is what the beats sent.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest

from tests.fleet.processes import app_env, beat, started

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="needs Redis for the beats' lock; set REDIS_URL=redis://..."
)

LOCK_TIMEOUT = 4  # seconds (30 in production)


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL)


def test_two_beats_send_each_job_once_per_period_and_the_standby_takes_over(tmp_path, capsys):
    run = uuid.uuid4().hex[:8]
    queue, prefix = f"fleet-beat-{run}", f"fleet-redbeat-{run}"
    env = app_env(
        DJANGO_SETTINGS_MODULE="tests.fleet.beat_settings",
        REDIS_URL=REDIS_URL,
        CELERY_BROKER_URL=REDIS_URL,
        FLEET_BEAT_QUEUE=queue,
        REDBEAT_KEY_PREFIX=prefix,
        REDBEAT_LOCK_TIMEOUT=str(LOCK_TIMEOUT),
    )
    redis = _redis()

    def sent() -> int:
        return redis.llen(queue)

    try:
        first = beat("beat-1", env=env, logs=tmp_path)
        with started(first):
            first.wait_for_log("Acquired lock")
            second = beat("beat-2", env=env, logs=tmp_path)
            with started(second):
                second.wait_for_log("beat: Starting")
                # Both running: one job a second, not two.
                before, began = sent(), time.monotonic()
                time.sleep(8)
                together = sent() - before
                seconds_together = time.monotonic() - began
                assert "Acquired lock" not in second.log()
                assert seconds_together - 2 <= together <= seconds_together + 1, together

                # The lock holder dies without a word; the standby takes over.
                first.kill()
                killed, at_kill = time.monotonic(), sent()
                second.wait_for_log("Acquired lock", timeout=LOCK_TIMEOUT + 15)
                takeover = time.monotonic() - killed
                before, began = sent(), time.monotonic()
                time.sleep(5)
                alone = sent() - before
                seconds_alone = time.monotonic() - began
                assert seconds_alone - 2 <= alone <= seconds_alone + 1, alone
                # Nothing was sent twice around the takeover: at most one per second.
                assert sent() - at_kill <= time.monotonic() - killed + 1
    finally:
        redis.delete(queue, *redis.keys(f"{prefix}*"))
    with capsys.disabled():
        print(
            f"\n[beat] two beats: {together} jobs in {seconds_together:.1f} s; "
            f"standby took over {takeover:.1f} s after the first was killed "
            f"(lock timeout {LOCK_TIMEOUT} s); then {alone} in {seconds_alone:.1f} s"
        )
