"""Worker settings that keep email neither lost nor doubled, asserted (issue 9, Workers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app
from notifications.tasks import deliver_notification, retry_delay

ROOT = Path(__file__).resolve().parents[2]
DELAYED = re.compile(r"\b(countdown|eta|retry_backoff(_max)?|default_retry_delay)\s*=")
APPS = ("config", "mentoring", "matching", "flash_meetings", "surveys", "notifications")


def _our_tasks():
    celery_app.loader.import_default_modules()  # autodiscovery, as a worker does
    return {name: task for name, task in celery_app.tasks.items() if name.split(".", 1)[0] in APPS}


def test_serialisation_is_json_only():
    conf = celery_app.conf
    assert list(conf.accept_content) == ["json"]
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert conf.event_serializer == "json"
    assert conf.result_accept_content in (None, ["json"])  # None: same as accept_content


def test_delivery_acks_late_and_is_rejected_when_the_worker_is_lost():
    assert deliver_notification.acks_late is True
    assert deliver_notification.reject_on_worker_lost is True
    # One message at a time per worker process: a dead worker strands at most one.
    assert celery_app.conf.worker_prefetch_multiplier == 1
    # A worker that loses its broker connection finishes the email it is sending (the
    # copy RabbitMQ redelivers at once meets a sending row); cancelling it could abandon
    # an email the SMTP server already took, for the sweep to send a second time.
    assert celery_app.conf.worker_cancel_long_running_tasks_on_connection_loss is False


def test_retries_are_bounded():
    assert isinstance(deliver_notification.max_retries, int)
    assert 1 <= deliver_notification.max_retries <= settings.NOTIFICATIONS_MAX_ATTEMPTS
    assert 1 <= settings.NOTIFICATIONS_MAX_ATTEMPTS <= 10
    unbounded = [name for name, task in _our_tasks().items() if task.max_retries is None]
    assert unbounded == []
    # The attempt limit is enforced on the row whatever the Celery retry count says.
    source = (ROOT / "notifications" / "tasks.py").read_text()
    assert "countdown=retry.delay, exc=retry.error, max_retries=max_attempts()" in source


def test_every_countdown_and_expiry_stays_well_below_both_brokers_redelivery_limits():
    """A retry waits for its countdown taken but unacknowledged (and, acks_late, until it
    has run). Redis redelivers such a message after the visibility timeout although its
    worker is alive (a second delivery); RabbitMQ closes the channel of a worker that
    holds one longer than its consumer_timeout (30 min by default) and redelivers all
    the channel held. The longest retry must end, and run, well within both."""
    visibility = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert visibility == settings.CELERY_VISIBILITY_TIMEOUT
    limits = {
        "Redis visibility_timeout": visibility,
        "RabbitMQ consumer_timeout": settings.RABBITMQ_CONSUMER_TIMEOUT,
    }
    cap = settings.NOTIFICATIONS_RETRY_MAX_DELAY
    assert max(retry_delay(attempt) for attempt in range(1, 64)) <= cap
    for name, limit in limits.items():
        assert cap <= limit / 2, name
        assert cap + celery_app.conf.task_time_limit < limit, name
    shortest = min(limits.values())
    # The sweep never takes over an email a live worker is still sending.
    assert celery_app.conf.task_time_limit < settings.NOTIFICATIONS_STUCK_AFTER < shortest
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        expires = entry.get("options", {}).get("expires")
        assert expires is not None, f"{name}: a beat job without expires piles up"
        # A missed run expires before the next one is due, well within the timeout.
        assert expires <= entry["schedule"], name
        assert expires < visibility, name


def test_no_other_countdown_or_eta_in_the_code():
    """The only delayed publish is the bounded retry above; a new ``countdown=``,
    ``eta=`` or ``retry_backoff`` must be checked against both brokers' limits (above)
    and added here."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line in path.read_text().splitlines():
                if DELAYED.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{line.strip()}")
    assert found == [
        "notifications/tasks.py:countdown=retry.delay, exc=retry.error, max_retries=max_attempts()"
    ]


@pytest.mark.parametrize("attempt", [1, 2, 5, 10, 30])
def test_backoff_grows_and_is_capped(attempt):
    delay = retry_delay(attempt)
    ceiling = min(
        settings.NOTIFICATIONS_RETRY_MAX_DELAY,
        settings.NOTIFICATIONS_RETRY_BASE_DELAY * 2 ** (attempt - 1),
    )
    assert ceiling / 2 <= delay <= ceiling
