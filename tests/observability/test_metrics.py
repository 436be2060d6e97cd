"""/metrics: the Prometheus text format parses, the project's gauges count real rows, and
only the clients it is meant for get an answer."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from config import metrics
from notifications.models import Notification
from notifications.tasks import sweep_notifications
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

Status = Notification.Status
OUTSIDE = "203.0.113.9"  # TEST-NET-3: never loopback, never in a private network
TOKEN = "a-long-random-scrape-token-0123456789abcdef"


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    """GET /metrics and parse it: {(sample name, sorted labels): value}."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


# --- the project's gauges --------------------------------------------------------------------


def test_outbox_gauges_count_rows_by_status(client):
    recipient = UserFactory()
    now = timezone.now()
    NotificationFactory(recipient=recipient, created_at=now - timedelta(seconds=600))
    NotificationFactory.create_batch(2, recipient=recipient)
    NotificationFactory.create_batch(2, recipient=recipient, status=Status.SENDING)
    NotificationFactory(recipient=recipient, status=Status.FAILED, last_error="550 no such user")
    NotificationFactory.create_batch(4, recipient=recipient, status=Status.SENT, sent_at=now)
    NotificationFactory(
        recipient=recipient, status=Status.SUPPRESSED, suppressed_reason="turned off"
    )
    samples = scrape(client)
    assert samples[("mentoring_outbox_pending", ())] == 3
    assert samples[("mentoring_outbox_sending", ())] == 2
    assert samples[("mentoring_outbox_failed", ())] == 1
    age = samples[("mentoring_outbox_oldest_pending_age_seconds", ())]
    assert 600 <= age < 660
    assert samples[("mentoring_metrics_source_up", (("source", "database"),))] == 1


def test_an_empty_outbox_is_zero_everywhere(client):
    NotificationFactory(status=Status.SENT, sent_at=timezone.now())
    samples = scrape(client)
    for name in ("pending", "sending", "failed", "oldest_pending_age_seconds"):
        assert samples[(f"mentoring_outbox_{name}", ())] == 0


def test_the_outbox_costs_three_queries_whatever_its_size(client, django_assert_num_queries):
    NotificationFactory.create_batch(20)
    NotificationFactory.create_batch(5, status=Status.FAILED)
    with django_assert_num_queries(3):  # pending (count, oldest), sending, failed
        client.get("/metrics")


def test_a_database_that_cannot_be_read_leaves_the_gauges_out_not_zero(client, monkeypatch):
    def unreachable():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(metrics, "outbox_counts", unreachable)
    samples = scrape(client)
    assert ("mentoring_outbox_pending", ()) not in samples
    assert samples[("mentoring_metrics_source_up", (("source", "database"),))] == 0
    # The rest of the page is still there.
    assert ("mentoring_periodic_job_interval_seconds", (("job", "notifications-sweep"),)) in samples


@shared_task(name="tests.observability.steady_job")
def steady_job() -> None:
    """A periodic job that succeeds."""


@shared_task(name="tests.observability.broken_job")
def broken_job() -> None:
    """A periodic job that fails."""
    raise RuntimeError("the job failed")


def test_periodic_jobs_last_success_and_interval(client, settings):
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "test-steady": {"task": "tests.observability.steady_job", "schedule": 120.0},
        "test-broken": {"task": "tests.observability.broken_job", "schedule": timedelta(hours=2)},
    }
    before = time.time()
    steady_job.delay()
    broken_job.delay()  # in-process: the failure is logged, not raised
    sweep_notifications.delay()
    after = time.time()

    samples = scrape(client)

    def last(job):
        return samples.get(
            ("mentoring_periodic_job_last_success_timestamp_seconds", (("job", job),))
        )

    def interval(job):
        return samples.get(("mentoring_periodic_job_interval_seconds", (("job", job),)))

    assert before <= last("test-steady") <= after
    assert before <= last("notifications-sweep") <= after
    assert last("test-broken") is None, "a failed run is no success"
    assert last("surveys-reminders") is None, "never ran since the cache was emptied"
    assert interval("test-steady") == 120
    assert interval("test-broken") == 7200
    assert interval("notifications-sweep") == 60
    assert samples[("mentoring_metrics_source_up", (("source", "cache"),))] == 1


def test_a_task_that_is_no_periodic_job_records_nothing(client, settings):
    from django.core.cache import cache

    settings.CELERY_BEAT_SCHEDULE = {}
    steady_job.delay()
    assert not [key for key in cache._cache if metrics.PERIODIC_SUCCESS_KEY in key]


# --- request metrics -------------------------------------------------------------------------


def test_request_metrics_count_the_site_and_not_the_probes(client):
    before = scrape(client)
    client.get("/accounts/login/")
    client.get("/health/live")
    client.get("/metrics")
    after = scrape(client)
    key = ("django_http_requests_total_by_method_total", (("method", "GET"),))
    assert after[key] - before.get(key, 0) == 1  # the login page only
    by_view = (
        "django_http_responses_total_by_status_view_method_total",
        (("method", "GET"), ("status", "200"), ("view", "login")),
    )
    assert after[by_view] >= 1


# --- who may read it -------------------------------------------------------------------------


def test_loopback_may_read_it(client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:127.0.0.1").status_code == 200


def _without_token(page: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


def test_anyone_else_meets_an_unknown_url(client):
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE)
    unknown = client.get("/no-such-page-at-all", REMOTE_ADDR=OUTSIDE)
    assert response.status_code == unknown.status_code == 404
    # The site's own 404 page, word for word; the footer's language form carries its own
    # CSRF token and echoes the address asked for, as it does for any unknown address.
    assert _without_token(response.content) == _without_token(
        unknown.content.replace(b"/no-such-page-at-all", b"/metrics")
    )
    # A POST is no different: nothing says a page is there.
    assert client.post("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 404


def test_signing_in_grants_nothing(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 404


def test_configured_networks(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "2001:db8::/32"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404  # replaced
    assert client.get("/metrics", REMOTE_ADDR="11.0.0.1").status_code == 404


def test_a_bearer_token_opens_it_from_anywhere(client, settings):
    settings.METRICS_TOKEN = TOKEN
    ok = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert ok.status_code == 200
    for header in (f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, ""):
        response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=header)
        assert response.status_code == 404, header


def test_no_token_set_means_no_token_accepted(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_through_an_undeclared_proxy_loopback_is_not_enough(client, settings):
    """nginx on the same host, DJANGO_TRUSTED_PROXIES left at 0: every request arrives
    from 127.0.0.1. The proxy's X-Forwarded-For gives it away; only the token helps."""
    settings.TRUSTED_PROXIES = 0
    settings.METRICS_TOKEN = TOKEN
    via_proxy = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": OUTSIDE}
    assert client.get("/metrics", **via_proxy).status_code == 404
    authorised = client.get("/metrics", **via_proxy, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert authorised.status_code == 200


def test_behind_a_declared_proxy_the_client_address_decides(client, settings):
    settings.TRUSTED_PROXIES = 1
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "192.168.0.2"}
    inside = client.get("/metrics", **proxy, HTTP_X_FORWARDED_FOR="10.1.1.1")
    assert inside.status_code == 200
    # A client outside writing an inside address first: the proxy appended its real one.
    spoofed = client.get("/metrics", **proxy, HTTP_X_FORWARDED_FOR=f"10.1.1.1, {OUTSIDE}")
    assert spoofed.status_code == 404


def test_an_allowed_client_may_only_read(client):
    assert client.head("/metrics").status_code == 200
    assert client.post("/metrics").status_code == 405


def test_production_scrape_over_http_by_ip_address(client, settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["example.org"]
    settings.METRICS_TOKEN = TOKEN
    response = client.get(
        "/metrics",
        HTTP_HOST="10.1.2.3:8000",
        REMOTE_ADDR="10.9.9.9",
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
    )
    assert response.status_code == 200
    # Without the token: exactly what an unknown URL gets there (the host check's 400).
    refused = client.get("/metrics", HTTP_HOST="10.1.2.3:8000", REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == client.get("/nowhere", HTTP_HOST="10.1.2.3:8000").status_code


def test_a_malformed_network_fails_at_start(settings):
    from django.core.exceptions import ImproperlyConfigured

    from config.edge import EdgeMiddleware

    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "not-a-network"]
    with pytest.raises(ImproperlyConfigured, match="METRICS_ALLOWED_NETWORKS"):
        EdgeMiddleware(lambda request: None)
