"""Logs: one line per request and per task, each with the request id, which follows a
request into the tasks it enqueues (in-process, and through a real broker and worker)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.signals import before_task_publish
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from config.celery import app as celery_app
from config.logs import TASK_HEADER, RequestIdFilter, request_id
from notifications.models import Notification
from notifications.tasks import sweep_notifications
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory
from tests.observability.conftest import broker

REQUESTS = "mentoring_platform.requests"
TASKS = "mentoring_platform.tasks"
ROOT = Path(__file__).resolve().parents[2]


# --- one line per request --------------------------------------------------------------------


@pytest.mark.django_db
def test_one_json_line_per_request_with_its_id(client, json_lines):
    response = client.get("/accounts/login/?next=/dashboard/")
    [line] = json_lines.records(REQUESTS)
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert line["method"] == "GET"
    assert line["path"] == "/accounts/login/"  # never the query string
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert line["message"].startswith("GET /accounts/login/ 200 ")
    assert line["time"].endswith("+00:00")
    assert request_id.get() is None, "the id must not outlive its request"


@pytest.mark.django_db
def test_the_line_names_the_url_pattern_not_the_values_in_it(client, json_lines):
    """A path can carry a password-reset token or a person's id; the pattern cannot."""
    # Values no line could hold by chance: each line's request id is 32 hex digits, which
    # once held "ada" (the name this test used before) and could hold any bare number.
    user = UserFactory(username="grace-hopper", email="grace@example.org")
    client.force_login(user)
    client.get("/accounts/reset/MQ/c2hv-0123456789abcdef0123/")
    client.get("/meetings/4711/")
    paths = [line["path"] for line in json_lines.records(REQUESTS)]
    assert paths == ["/accounts/reset/<uidb64>/<token>/", "/meetings/<int:meeting_id>/"]
    text = json.dumps(json_lines.records())
    for personal in ("grace", "hopper", "c2hv-0123456789abcdef0123", "/4711", f"/{user.pk}/"):
        assert personal not in text


@pytest.mark.django_db
def test_an_unknown_path_stays_on_one_line(client, json_lines):
    client.get("/no/such%0Aline%0D<script>/")
    line = json_lines.records(REQUESTS)[0]
    assert line["status"] == 404
    assert "\n" not in line["path"] and "\r" not in line["path"]


@pytest.mark.django_db
def test_djangos_own_4xx_lines_are_left_to_the_request_line(client, json_lines):
    """Django's "Not Found: <path>" would say the request's line again, with the path."""
    client.get("/no-such-page/")
    assert [line["logger"] for line in json_lines.records()] == [REQUESTS]


@pytest.mark.django_db
def test_djangos_own_error_lines_carry_the_id_too(client, json_lines, caplog):
    """Django writes its 4xx/5xx line after the middleware has answered: the id is still
    set then (it is cleared when the response is closed)."""
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.get("/no-such-page/")
    [not_found] = json_lines.records("django.request")
    assert not_found["message"] == "Not Found: /no-such-page/"
    assert not_found["request_id"] == response["X-Request-ID"]
    assert not_found["request"] == "<WSGIRequest>"  # an object: its type, not its repr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("edge-7f3a9c.1_b", True),
        ("0123456789abcdef0123456789abcdef", True),
        ("x" * 65, False),
        ("two words", False),
        ("id\r\nSet-Cookie: a=b", False),
        ("<script>", False),
        ("", False),
    ],
)
def test_a_clients_request_id_is_kept_only_if_it_is_a_short_token(client, json_lines, given, kept):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)
    rid = response["X-Request-ID"]
    assert (rid == given) is kept
    if not kept:
        assert len(rid) == 32 and int(rid, 16) >= 0
    assert json_lines.records(REQUESTS)[0]["request_id"] == rid


def test_the_text_format_shows_the_request_id():
    formatter = logging.Formatter(django_settings.LOGGING["formatters"]["text"]["format"])
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    token = request_id.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    assert formatter.format(record).endswith("INFO app [abc123] hello world")
    outside = logging.LogRecord("app", logging.INFO, __file__, 1, "idle", (), None)
    RequestIdFilter().filter(outside)
    assert "[-] idle" in formatter.format(outside)


def test_log_format_json_configures_every_process_that_way():
    """A fresh process with LOG_FORMAT=json, as gunicorn, a worker or beat starts: every
    record is one JSON object per line, tracebacks included."""
    script = (
        "import django, logging\n"
        "django.setup()\n"
        "log = logging.getLogger('demo')\n"
        "log.info('hello %s', 'there', extra={'rows': 3, 'kind': 'sweep'})\n"
        "try:\n"
        "    1 / 0\n"
        "except ZeroDivisionError:\n"
        "    log.exception('it broke')\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed script
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    lines = [json.loads(line) for line in result.stderr.decode().splitlines() if "demo" in line]
    assert len(lines) == 2, result.stderr.decode()
    hello, broke = lines
    assert hello["message"] == "hello there"
    assert hello["logger"] == "demo"
    assert hello["request_id"] == "-"
    assert (hello["rows"], hello["kind"]) == (3, "sweep")
    assert broke["level"] == "ERROR"
    assert "ZeroDivisionError" in broke["exc_info"]


# --- tasks -----------------------------------------------------------------------------------


def _reset_password(client, email: str):
    return client.post("/accounts/password_reset/", {"email": email})


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_on_commit_runs_under_the_requests_id(client, json_lines):
    """In-process (no broker): the task runs inside the request's commit, in its thread."""
    UserFactory(username="grace", email="grace@example.org")
    response = _reset_password(client, "grace@example.org")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    [task] = [line for line in json_lines.records(TASKS) if "deliver" in line["task"]]
    assert task["request_id"] == response["X-Request-ID"]
    assert task["state"] == "SUCCESS"
    assert task["task"] == "notifications.tasks.deliver_notification"
    assert isinstance(task["runtime_ms"], float) and task["task_id"]
    [request_line] = json_lines.records(REQUESTS)
    assert request_line["request_id"] == task["request_id"]


@pytest.mark.django_db(transaction=True)
def test_a_task_published_on_commit_carries_the_id_to_a_real_worker(client, json_lines):
    """Through a broker: the message carries the id in a header, and the worker (a real
    Celery worker consuming the in-memory broker) logs the task under it."""
    from celery.contrib.testing.worker import start_worker

    UserFactory(username="grace", email="grace@example.org")
    published = []

    def remember(headers=None, **kwargs):
        published.append(dict(headers or {}))

    before_task_publish.connect(remember, weak=False)
    try:
        with (
            broker("memory://localhost/"),
            start_worker(
                celery_app,
                pool="solo",
                loglevel="INFO",  # as --loglevel=info: one line per task
                perform_ping_check=False,
                shutdown_timeout=10,
            ),
        ):
            json_lines.attach()
            response = _reset_password(client, "grace@example.org")
            rid = response["X-Request-ID"]
            assert [headers.get(TASK_HEADER) for headers in published] == [rid]
            _wait_for(lambda: Notification.objects.filter(status="sent").exists())
    finally:
        before_task_publish.disconnect(remember)
    tasks = [line for line in json_lines.records(TASKS) if "deliver" in line["task"]]
    assert [(line["state"], line["request_id"]) for line in tasks] == [("SUCCESS", rid)]


def _wait_for(predicate, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.02)


@pytest.mark.django_db
def test_a_periodic_job_gets_an_id_and_passes_it_on(json_lines):
    """No request behind the sweep: it gets an id of its own, and every delivery it hands
    out runs under that id."""
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    NotificationFactory.create_batch(2, next_attempt_at=long_ago, created_at=long_ago)
    sweep_notifications.delay()
    lines = json_lines.records(TASKS)
    [sweep] = [line for line in lines if line["task"].endswith("sweep_notifications")]
    handed_out = [line for line in lines if line is not sweep]
    assert handed_out, "the sweep handed nothing out"
    assert {line["request_id"] for line in handed_out} == {sweep["request_id"]}
    assert sweep["request_id"] != "-"
    assert request_id.get() is None


@pytest.mark.django_db
def test_a_failed_task_is_a_warning_line(json_lines, settings):
    from tests.observability.test_metrics import broken_job

    broken_job.delay()
    [line] = json_lines.records(TASKS)
    assert (line["level"], line["state"]) == ("WARNING", "FAILURE")
