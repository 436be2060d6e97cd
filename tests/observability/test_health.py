"""/health/live and /health/ready: what a load balancer or an orchestrator asks, with each
dependency up and down, before any of the site's own middleware."""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import caches
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config import health
from tests.brokers import broker_kind_fixture, broker_url_fixture, closed_port  # noqa: F401
from tests.factories import UserFactory
from tests.observability.conftest import broker

pytestmark = pytest.mark.django_db

LIVE = "/health/live"
READY = "/health/ready"


def _body(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def _assert_probe_headers(response) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.cookies, "a probe must never set a cookie"
    assert "Cookie" not in response.get("Vary", "")


# --- liveness --------------------------------------------------------------------------------


def test_liveness_asks_nothing_of_anyone(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(LIVE)
    assert response.status_code == 200
    assert _body(response) == {"status": "ok"}
    _assert_probe_headers(response)


def test_liveness_stays_up_when_every_dependency_is_down(client, broken_database, settings):
    settings.CACHES = {"default": _closed_redis_cache()}
    with broker(f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get(LIVE)
    assert response.status_code == 200


# --- readiness, all well ---------------------------------------------------------------------


def test_readiness_reports_each_check(client):
    response = client.get(READY)
    assert response.status_code == 200
    body = _body(response)
    assert body["status"] == "ok"
    checks = body["checks"]
    assert set(checks) == {"database", "migrations", "broker", "cache"}
    assert checks["database"]["status"] == "ok"
    assert checks["migrations"]["status"] == "ok"
    assert checks["broker"] == {"status": "not used"}  # tests run tasks in-process
    assert checks["cache"]["status"] == "ok"
    assert all(isinstance(check.get("ms", 0), float | int) for check in checks.values())
    _assert_probe_headers(response)


def test_migrations_are_read_once_per_process_when_all_applied(client):
    with CaptureQueriesContext(connections["default"]) as first:
        assert client.get(READY).status_code == 200
    assert any("django_migrations" in query["sql"] for query in first.captured_queries)
    # Afterwards only the database's own check runs (SELECT 1, on PostgreSQL with its
    # statement timeout): the answer "all applied" cannot change within a process.
    with CaptureQueriesContext(connections["default"]) as again:
        response = client.get(READY)
    assert _body(response)["checks"]["migrations"]["status"] == "ok"
    statements = [query["sql"] for query in again.captured_queries]
    assert not any("django_migrations" in sql for sql in statements)
    assert [sql for sql in statements if "SAVEPOINT" not in sql][-1] == "SELECT 1"


# --- readiness, one dependency down ----------------------------------------------------------


@pytest.fixture
def broken_database(monkeypatch):
    """The readiness check pointed at a database that cannot be reached: the same engine
    and settings as the test database, on a closed port (PostgreSQL) or in a directory
    that does not exist (SQLite)."""
    default = connections["default"].settings_dict
    broken = dict(default)
    if connections["default"].vendor == "postgresql":
        broken.update(HOST="127.0.0.1", PORT=str(closed_port()), PASSWORD="secret-pw")
    else:
        broken.update(NAME="/nonexistent-directory/secret-place/db.sqlite3")
    # A connection of its own, not in DATABASES: the test database stays as it is.
    wrapper = load_backend(broken["ENGINE"]).DatabaseWrapper(broken, alias="unreachable")
    connections["unreachable"] = wrapper
    monkeypatch.setattr(health, "DATABASE", "unreachable")
    yield broken
    wrapper.close()
    del connections["unreachable"]


def test_readiness_fails_when_the_database_is_unreachable(client, broken_database):
    response = client.get(READY)
    assert response.status_code == 503
    checks = _body(response)["checks"]
    assert checks["database"] == {"status": "fail", "reason": "OperationalError"}
    assert checks["migrations"] == {"status": "fail", "reason": "database unreachable"}
    assert checks["cache"]["status"] == "ok"
    _assert_probe_headers(response)
    # A short reason only: no host, port, file name or password from the error message.
    text = response.content.decode()
    for secret in ("secret", broken_database["PORT"], "127.0.0.1", "nonexistent"):
        assert not secret or secret not in text


def test_readiness_fails_while_a_migration_is_not_applied(client):
    latest = MigrationRecorder.Migration.objects.filter(app="notifications").latest("id")
    latest.delete()  # rolled back with the test
    response = client.get(READY)
    assert response.status_code == 503
    assert _body(response)["checks"]["migrations"] == {
        "status": "fail",
        "reason": "1 migrations not applied",
    }
    # The migrate job finishes: the next probe sees it (nothing was cached while failing).
    MigrationRecorder.Migration.objects.create(app=latest.app, name=latest.name)
    assert client.get(READY).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        lambda port: f"redis://127.0.0.1:{port}/0",
        lambda port: f"amqp://guest:guest@127.0.0.1:{port}//",
    ],
    ids=["redis", "rabbitmq"],
)
def test_readiness_fails_when_the_broker_is_unreachable(client, url):
    with broker(url(closed_port())):
        started = time.monotonic()
        response = client.get(READY)
        took = time.monotonic() - started
    assert response.status_code == 503
    body = _body(response)
    assert body["checks"]["broker"] == {"status": "fail", "reason": "OperationalError"}
    assert body["checks"]["database"]["status"] == "ok"
    assert took < 2, f"a probe must not wait long for a dead broker ({took:.1f} s)"


def test_a_broker_that_accepts_and_never_answers_costs_about_a_second(client):
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)  # the kernel completes the handshake; nobody ever answers
        port = silent.getsockname()[1]
        with broker(f"amqp://guest:guest@127.0.0.1:{port}//"):
            started = time.monotonic()
            response = client.get(READY)
            took = time.monotonic() - started
    assert response.status_code == 503
    assert _body(response)["checks"]["broker"]["status"] == "fail"
    assert took < 2.5, f"{took:.1f} s"


def test_an_optional_broker_is_reported_but_does_not_fail_readiness(client, settings):
    settings.HEALTH_READY_OPTIONAL = ["broker"]
    with broker(f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get(READY)
    assert response.status_code == 200
    body = _body(response)
    assert body["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "fail"


def test_readiness_with_a_live_broker(client, broker_url):
    with broker(broker_url):
        response = client.get(READY)
    assert response.status_code == 200
    assert _body(response)["checks"]["broker"]["status"] == "ok"


def _closed_redis_cache() -> dict:
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


def test_readiness_fails_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {"default": _closed_redis_cache()}
    response = client.get(READY)
    assert response.status_code == 503
    assert _body(response)["checks"]["cache"] == {"status": "fail", "reason": "ConnectionError"}


def test_readiness_with_a_live_redis_cache(client, settings):
    import os

    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("set REDIS_URL=redis://... to check a live Redis cache")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    response = client.get(READY)
    assert _body(response)["checks"]["cache"]["status"] == "ok"
    caches["default"].clear()


# --- before the site's own middleware --------------------------------------------------------


@pytest.mark.parametrize("path", [LIVE, READY])
def test_probes_pass_the_https_redirect_and_the_host_check_in_production(client, settings, path):
    """A balancer probes each server over plain http at its IP address."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["example.org"]
    response = client.get(path, HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    _assert_probe_headers(response)
    # The same request for a page is redirected (allowed host) or refused (foreign host).
    assert client.get("/accounts/login/", HTTP_HOST="example.org").status_code == 301
    assert client.get("/accounts/login/", HTTP_HOST="10.1.2.3:8000").status_code == 400


@pytest.mark.parametrize("path", [LIVE, READY])
def test_a_signed_in_probe_reads_no_session_and_sets_no_cookie(client, path):
    client.force_login(UserFactory())
    response = client.get(path)
    assert response.status_code == 200
    _assert_probe_headers(response)


@pytest.mark.parametrize("path", [LIVE, READY])
def test_probes_answer_get_and_head_only(client, path):
    head = client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    for method in (client.post, client.put, client.delete):
        response = method(path)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
        _assert_probe_headers(response)


def test_probes_are_not_throttled_by_the_sign_in_lockout(settings):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="probe-victim")
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "probe-victim", "password": "wrong"})
    assert client.post(
        "/accounts/login/", {"username": "probe-victim", "password": "wrong"}
    ).status_code in (403, 429)
    attempts = AccessAttempt.objects.count()
    for _ in range(20):
        assert client.get(LIVE).status_code == 200
        assert client.get(READY).status_code == 200
    assert AccessAttempt.objects.count() == attempts


def test_probes_are_not_in_the_request_log(client, json_lines):
    client.get(LIVE)
    client.get(READY)
    assert json_lines.records("mentoring_platform.requests") == []
