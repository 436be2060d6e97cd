"""Settings for the beat processes of tests/fleet/test_beat.py: the real ones, with one
periodic job every second sent to a queue of the test's own (nobody consumes it, so the
test can count what the beats sent)."""

import os

from config.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    "fleet-tick": {
        "task": "fleet.tick",
        "schedule": 1.0,
        "options": {"queue": os.environ["FLEET_BEAT_QUEUE"]},
    }
}
