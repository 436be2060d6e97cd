"""``/metrics`` in the Prometheus text format: django-prometheus's request metrics and the
project's own gauges, for operators only.

Request metrics come from django-prometheus's outer middleware and
:class:`RequestMetricsMiddleware`, a leaner version of its inner one (counters and
histograms kept in this process). With several gunicorn workers, set
``PROMETHEUS_MULTIPROC_DIR`` (a directory per host; config/gunicorn.py empties it when
gunicorn starts): every worker then writes its numbers there and whichever worker
answers the scrape adds them all up.

The project's gauges are computed when the page is scraped, from the database and the
shared cache, so they are the same whichever process answers:

- ``mentoring_outbox_pending`` / ``_sending`` / ``_failed``: outbox rows by status;
- ``mentoring_outbox_oldest_pending_age_seconds``: how long the oldest pending email has
  waited since it was written (0 with none pending);
- ``mentoring_periodic_job_last_success_timestamp_seconds{job}``: when each periodic job
  (CELERY_BEAT_SCHEDULE) last succeeded, recorded by :func:`record_periodic_success` in
  the worker, in the cache every process shares (Redis, with REDIS_URL or CACHE_URL;
  with the per-process memory cache a web process sees only jobs run in itself); a job
  not seen since the cache was emptied has no sample;
- ``mentoring_periodic_job_interval_seconds{job}``: its period, so one alert rule fits
  all: ``time() - last_success > 2 * interval``;
- ``mentoring_metrics_source_up{source}``: 0 when the database or the cache could not be
  read for this scrape (the gauges from it are then missing, not zero).

Who may read the page (:func:`allowed`): clients in ``METRICS_ALLOWED_NETWORKS`` (default
loopback only), or anyone sending ``Authorization: Bearer <METRICS_TOKEN>`` when that is
set. Anyone else gets what any unknown URL gets (404): the page is not advertised.

Names and help texts are for operators' tools, not people: not translated.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_prometheus.middleware import PrometheusAfterMiddleware
from django_prometheus.utils import Time, TimeSince
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric

from mentoring.client_address import client_address
from notifications.models import Notification

logger = logging.getLogger(__name__)

# The classic text format: every Prometheus 2.x and 3.x server reads it.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PERIODIC_SUCCESS_KEY = "metrics:periodic-success:"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


# --- request metrics ---------------------------------------------------------------------


class RequestMetricsMiddleware(PrometheusAfterMiddleware):
    """django-prometheus's inner middleware, keeping the request metrics one watches and
    leaving out those that cost the most per request and tell little here.

    Kept: ``django_http_requests_total_by_method``,
    ``django_http_responses_total_by_status_view_method``,
    ``django_http_requests_latency_seconds_by_view_method`` and the exception counts
    (plus the outer middleware's total count and latency, unchanged). Left out: the
    request and response body-size histograms (30 buckets each, and the request's
    headers parsed a second time for its Content-Length), the counts by transport,
    charset, template, AJAX and streaming, and the count by view that the responses'
    count already has. CPU per request, both halves, measured on the development
    machine (a trivial view, best of 40 runs): 87 us with the library's inner
    middleware, 33 us with this one.
    """

    def process_request(self, request: HttpRequest) -> None:
        self.metrics.requests_by_method.labels(method=self._method(request)).inc()
        request.prometheus_after_middleware_event = Time()  # type: ignore[attr-defined]

    def process_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        return None

    def process_template_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        return response

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        method = self._method(request)
        view = self._get_view_name(request)
        self.metrics.responses_by_status_view_method.labels(
            status=str(response.status_code), view=view, method=method
        ).inc()
        started = getattr(request, "prometheus_after_middleware_event", None)
        if started is not None:
            self.metrics.requests_latency_by_view_method.labels(view=view, method=method).observe(
                TimeSince(started)
            )
        else:
            self.metrics.requests_unknown_latency.inc()
        return response


# --- who may read it ---------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _parse_networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)
    except ValueError as error:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {error}") from error


def allowed_networks() -> tuple[Network, ...]:
    return _parse_networks(tuple(getattr(settings, "METRICS_ALLOWED_NETWORKS", ())))


def _bearer_ok(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        return False
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    # Constant time: the comparison must not tell an attacker how much of a guess was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _address_ok(request: HttpRequest) -> bool:
    if not getattr(settings, "TRUSTED_PROXIES", 0) and "HTTP_X_FORWARDED_FOR" in request.META:
        # Proxies in front but none declared: REMOTE_ADDR is the proxy's address (often
        # 127.0.0.1), whoever the client is. Only the token can vouch for such a request.
        return False
    address = client_address(request)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # "::ffff:127.0.0.1" from a dual-stack socket is 127.0.0.1
    return any(ip in network for network in allowed_networks())


def allowed(request: HttpRequest) -> bool:
    return _bearer_ok(request) or _address_ok(request)


# --- periodic jobs -----------------------------------------------------------------------


def _jobs_of_task(task_name: str) -> list[str]:
    schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", {})
    return [job for job, entry in schedule.items() if entry.get("task") == task_name]


def record_periodic_success(sender: Any = None, **kwargs: Any) -> None:
    """Celery's ``task_success`` (connected in config/celery.py, so it runs in workers and
    for in-process tasks): if the task is a periodic job's, note the time in the shared
    cache for the metrics page. A cache that does not answer costs the job nothing."""
    jobs = _jobs_of_task(getattr(sender, "name", ""))
    if not jobs:
        return
    now = time.time()
    try:
        cache.set_many({PERIODIC_SUCCESS_KEY + job: now for job in jobs}, timeout=None)
    except Exception as error:
        logger.warning("could not record the success of %s: %s", jobs, error)


def _interval_seconds(schedule: object) -> float | None:
    if isinstance(schedule, int | float):
        return float(schedule)
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    run_every = getattr(schedule, "run_every", None)  # celery.schedules.schedule
    return run_every.total_seconds() if isinstance(run_every, timedelta) else None


# --- the project's gauges ----------------------------------------------------------------


def outbox_counts() -> dict[str, Any]:
    """Outbox rows that are not done, in three small queries rather than one: each status
    alone can be read from its own partial index (pending and sending have one), while
    one query over the three statuses reads the whole table, sent rows and all (measured
    with 500,000 rows on PostgreSQL: 70 ms, against 0.5 ms for pending and sending).
    Failed rows have no index of their own yet: that count still reads the table."""
    Status = Notification.Status
    pending = Notification.objects.filter(status=Status.PENDING).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    return {
        "pending": pending["count"],
        "oldest_pending": pending["oldest"],
        "sending": Notification.objects.filter(status=Status.SENDING).count(),
        "failed": Notification.objects.filter(status=Status.FAILED).count(),
    }


class ProjectCollector:
    """The project's gauges, computed at scrape time (a prometheus_client collector)."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "mentoring_metrics_source_up",
            "1 if the source of the project's gauges could be read for this scrape.",
            labels=["source"],
        )
        yield from self._outbox(up)
        yield from self._periodic_jobs(up)
        yield up

    def _outbox(self, up: GaugeMetricFamily) -> Iterable[Metric]:
        try:
            counts = outbox_counts()
        except DatabaseError as error:
            logger.warning("metrics: the outbox could not be read: %s", error)
            up.add_metric(["database"], 0)
            return []
        up.add_metric(["database"], 1)
        oldest = counts["oldest_pending"]
        age = max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0
        return [
            GaugeMetricFamily(
                "mentoring_outbox_pending",
                "Outbox emails waiting to be sent.",
                value=counts["pending"],
            ),
            GaugeMetricFamily(
                "mentoring_outbox_oldest_pending_age_seconds",
                "Seconds since the oldest pending outbox email was written (0: none).",
                value=age,
            ),
            GaugeMetricFamily(
                "mentoring_outbox_sending",
                "Outbox emails claimed by a worker and being sent.",
                value=counts["sending"],
            ),
            GaugeMetricFamily(
                "mentoring_outbox_failed",
                "Outbox emails that failed for good (resend them in admin).",
                value=counts["failed"],
            ),
        ]

    def _periodic_jobs(self, up: GaugeMetricFamily) -> Iterable[Metric]:
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", {})
        interval = GaugeMetricFamily(
            "mentoring_periodic_job_interval_seconds",
            "How often each periodic job is scheduled.",
            labels=["job"],
        )
        for job, entry in sorted(schedule.items()):
            seconds = _interval_seconds(entry.get("schedule"))
            if seconds is not None:
                interval.add_metric([job], seconds)
        last = GaugeMetricFamily(
            "mentoring_periodic_job_last_success_timestamp_seconds",
            "Unix time of each periodic job's last success.",
            labels=["job"],
        )
        try:
            seen = cache.get_many([PERIODIC_SUCCESS_KEY + job for job in schedule])
        except Exception as error:
            logger.warning("metrics: the cache could not be read: %s", error)
            up.add_metric(["cache"], 0)
            return [interval]
        up.add_metric(["cache"], 1)
        for job in sorted(schedule):
            value = seen.get(PERIODIC_SUCCESS_KEY + job)
            if isinstance(value, int | float):
                last.add_metric([job], value)
        return [interval, last]


class _Collectors:
    """What one scrape reads: the request metrics (all workers' files in multiprocess
    mode, this process's registry otherwise) and the project's gauges."""

    def __init__(self, *sources: Any) -> None:
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


def multiprocess_dir() -> str | None:
    # prometheus_client's own switch (its old lower-case spelling is not supported here).
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def render() -> bytes:
    if multiprocess_dir():
        requests: Any = CollectorRegistry(auto_describe=False)
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    return generate_latest(_Collectors(requests, ProjectCollector()))  # type: ignore[arg-type]
