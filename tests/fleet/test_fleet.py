"""The platform as a fleet: two gunicorn servers, two Celery workers and a beat, all real
processes on the test database (PostgreSQL), a real broker (Redis, then RabbitMQ), a
Redis cache they share, and a real SMTP server (tests/smtp_sink.py) that keeps every
email it accepts. On one machine, what production runs on several:

1. the mentor directory: a new or deactivated mentor shows on both servers at once;
2. the Connect race and the follow-up race, racers spread over both servers: exactly
   the free slots are used;
3. a worker killed with SIGKILL while sending and the broker restarted: every email
   delivered exactly once;
4. PostgreSQL stopped: both servers answer 503 "try again in a moment" and readiness
   fails; started again: every process serves again on its own, nothing is lost;
5. 2,000 emails through the SMTP server by both workers, one connection per email and
   one per batch: none lost, none twice, emails per second for each.

The sweep, which beat runs every minute in production, is run here by the test with
short thresholds (seconds, not minutes), as tests/hardening/test_worker_kill.py does.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import NamedTuple
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.utils import timezone

from matching.models import Connection, ConnectionRequest
from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import enqueue_deliveries, sweep_notifications
from tests import brokers
from tests.connections.conftest import configure
from tests.connections.factories import ConnectionFactory
from tests.connections.test_race import run_together
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory
from tests.factories import mentee as make_mentee
from tests.fleet import infra
from tests.fleet.processes import HOST, app_env, beat, gunicorn, started, worker
from tests.follow_up.conftest import FORCED, ended_meeting
from tests.ports import free_port
from tests.smtp_sink import SmtpSink

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the fleet's processes share the test database: needs PostgreSQL "
        "(set DATABASE_URL=postgres://...)",
    ),
    pytest.mark.skipif(
        not REDIS_URL or infra.postgresql_cluster() is None,
        reason="needs Redis (REDIS_URL) and a local PostgreSQL cluster the test may restart",
    ),
    # It stops the machine's PostgreSQL and RabbitMQ for a few seconds: only where that
    # was said to be fine (.ci/run says so; a developer's machine may be serving more).
    pytest.mark.skipif(
        os.environ.get("FLEET_MAY_RESTART_SERVICES") != "1",
        reason="stops and starts the machine's PostgreSQL and RabbitMQ; "
        "set FLEET_MAY_RESTART_SERVICES=1 to allow it",
    ),
]

Status = Notification.Status
CONNECT_RACERS = 40
FOLLOW_UP_RACERS = 30
BULK = 2000
FULL = "Not taking new mentees right now"


# --- people, as the servers see them ------------------------------------------------------------


def _session_for(user) -> str:
    """A signed-in session, written as Django's login writes it."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = django_settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


class Answer(NamedTuple):
    status: int
    body: str
    location: str


@dataclass
class Person:
    session: str
    csrf: str = ""

    def __post_init__(self) -> None:
        self.csrf = self.csrf or secrets.token_hex(16)  # a valid unmasked CSRF secret

    def request(self, port: int, method: str, path: str, data: dict | None = None) -> Answer:
        headers = {"Cookie": f"sessionid={self.session}; csrftoken={self.csrf}"}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
        return _http(port, method, path, headers=headers, body=body)


def _http(
    port: int, method: str, path: str, *, headers: dict | None = None, body: str | None = None
) -> Answer:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Answer(
            response.status,
            response.read().decode(errors="replace"),
            response.getheader("Location", ""),
        )
    finally:
        conn.close()


# --- the test process talking to the fleet's broker and cache ------------------------------------


def _wait_until(predicate, *, timeout: float, what: str, every: float = 0.1) -> float:
    started_at = time.monotonic()
    while not predicate():
        if time.monotonic() - started_at > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(every)
    return time.monotonic() - started_at


def _sweep_until_sent(ids: list[int], *, settings, stuck_after: int, timeout: float) -> float:
    """Run the sweep (beat's job) every second until every row is sent."""
    settings.NOTIFICATIONS_STUCK_AFTER = stuck_after
    settings.NOTIFICATIONS_PENDING_GRACE = 2

    def all_sent() -> bool:
        sweep_notifications()
        return Notification.objects.filter(pk__in=ids, status=Status.SENT).count() == len(ids)

    return _wait_until(all_sent, timeout=timeout, what="every email sent", every=1.0)


def _notify_many(people, program, key: str, count: int) -> list[int]:
    with transaction.atomic():  # published to the fleet's broker on commit
        rows = [
            notify(
                kind="test_message",
                recipient=people[n % len(people)],
                program=program,
                context={"message": f"Fleet {key} {n}"},
                dedupe_key=f"fleet:{key}:{n}",
            )
            for n in range(count)
        ]
    return [row.pk for row in rows]


def _all_sent(ids: list[int]) -> bool:
    return Notification.objects.filter(pk__in=ids, status=Status.SENT).count() == len(ids)


def _delivered_once(sink: SmtpSink, ids: list[int]) -> None:
    received = [i for i in sink.notification_ids() if i in set(ids)]
    assert sorted(received) == sorted(ids), (
        f"missing {sorted(set(ids) - set(received))[:10]}, twice {sink.duplicates()}"
    )


def _database_restart(ports, viewer, sink, people, program, settings, report) -> None:
    """PostgreSQL stopped under the running fleet, then started again."""
    sink.delay = 0.2
    ids = _notify_many(people, program, "database", 40)
    _wait_until(lambda: sink.sending >= 2, timeout=30, what="emails being sent")
    with infra.postgresql_stopped():
        outage = [viewer.request(port, "GET", "/")[:2] for port in ports for _ in range(3)]
        readiness = [_http(port, "GET", "/health/ready").status for port in ports]
        time.sleep(2)
    connection.close()  # this process's own connection died with the server
    assert [status for status, _ in outage] == [503] * len(outage), outage
    assert all("try again in a moment" in body for _, body in outage)
    assert readiness == [503, 503]
    back = _wait_until(
        lambda: all(
            viewer.request(port, "GET", "/").status == 200 for port in ports for _ in range(4)
        ),
        timeout=30,
        what="both servers serving again",
    )
    # ...and ready again, so a load balancer sends them people again, with no restart.
    assert [_http(port, "GET", "/health/ready").status for port in ports] == [200, 200]
    sink.delay = 0
    recovered = _sweep_until_sent(ids, settings=settings, stuck_after=20, timeout=180)
    _delivered_once(sink, ids)
    report.append(
        f"PostgreSQL stopped: {len(outage)} requests answered 503 'try again in a moment', "
        f"readiness 503; back: both servers served (and were ready) within {back:.1f} s, "
        f"{len(ids)} emails each once ({recovered:.1f} s)"
    )


# --- the fleet -----------------------------------------------------------------------------------


@pytest.fixture(params=brokers.KINDS)
def broker_kind(request):
    """Redis: a server of the test's own, restarted (losing what it held). RabbitMQ: the
    machine's (RABBITMQ_URL), its application stopped and started."""
    if request.param == "rabbitmq":
        brokers.require("rabbitmq")  # skips without RABBITMQ_URL, fails if it is down
    return request.param


def test_the_fleet(broker_kind, tmp_path, settings, capsys):  # noqa: C901, PLR0915
    report: list[str] = []
    run = uuid.uuid4().hex[:8]
    with contextlib.ExitStack() as stack:
        shared = stack.enter_context(infra.RedisServer(tmp_path))  # cache + beat's lock
        if broker_kind == "redis":
            broker = stack.enter_context(infra.RedisServer(tmp_path))
            broker_url, restart_broker = broker.url, broker.restart
        else:
            broker_url, restart_broker = brokers.url_for("rabbitmq"), infra.restart_rabbitmq
        sink = stack.enter_context(SmtpSink())
        stack.enter_context(brokers.celery_mode(eager=False, broker_url=broker_url))
        brokers.purge(broker_url)  # an earlier, interrupted run's leftovers
        # This process writes through the same cache as the servers (a new mentor here
        # must reach their cached directory order).
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": shared.url,
                "KEY_PREFIX": f"fleet-{run}",
            }
        }
        env = app_env(
            REDIS_URL=shared.url,
            CELERY_BROKER_URL=broker_url,
            CACHE_KEY_PREFIX=f"fleet-{run}",
            REDBEAT_KEY_PREFIX=f"fleet-redbeat-{run}",
            EMAIL_URL=sink.url,
            DJANGO_CONN_MAX_AGE="60",  # persistent connections, as in production
        )
        logs = tmp_path
        ports = [free_port(), free_port()]
        servers = [
            gunicorn(
                f"web-{n + 1}",
                port=port,
                env={**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"metrics-{n + 1}")},
                logs=logs,
            )
            for n, port in enumerate(ports)
        ]
        stack.enter_context(started(*servers))
        workers = [worker(f"worker-{n + 1}", env=env, logs=logs) for n in range(2)]
        stack.enter_context(started(*workers))
        scheduler = beat("beat", env=env, logs=logs)
        stack.enter_context(started(scheduler))

        # --- 1. the directory, on both servers -------------------------------------------------
        program = ProgramFactory(slug=f"fleet-{run}")
        configure(
            program,
            ongoing_enabled=True,
            preferred_mentoring_enabled=False,
            flash_to_ongoing_enabled=True,
            flash_to_ongoing_policy=FORCED,
            max_ongoing_mentors_per_mentee=3,
            max_pending_requests_per_mentee=3,
        )
        viewer = Person(_session_for(make_mentee(program)))
        directory = f"/programs/{program.slug}/mentors/"
        leaving = MentorMembershipFactory(program=program, user__display_name="Leon Leaving")

        def everywhere(text: str, *, listed: bool) -> bool:
            pages = [viewer.request(port, "GET", directory) for port in ports for _ in range(4)]
            assert all(page.status == 200 for page in pages), [page.status for page in pages]
            return all((text in page.body) == listed for page in pages)

        assert everywhere("Leon Leaving", listed=True)  # now cached on every process
        MentorMembershipFactory(program=program, user__display_name="Nadia Newcomer")
        assert everywhere("Nadia Newcomer", listed=True)  # at once, not a minute later
        leaving.active = False
        leaving.save()
        assert everywhere("Leon Leaving", listed=False)
        report.append(
            "directory: a new, a deactivated and (after the race) a full mentor showed so on "
            "both servers at once"
        )

        # --- 2. the races, spread over both servers --------------------------------------------
        mentor = MentorMembershipFactory(
            program=program, max_ongoing_mentees=5, user__display_name="Fiona Filling"
        )
        assert everywhere(FULL, listed=False)
        for _ in range(2):
            ConnectionFactory(program=program, mentor=mentor.user, mentee=make_mentee(program))
        connect = f"/programs/{program.slug}/mentors/{mentor.pk}/connect/"
        racers = [Person(_session_for(make_mentee(program))) for _ in range(CONNECT_RACERS)]
        answers = run_together(
            [
                lambda p=p, n=n: p.request(ports[n % 2], "POST", connect, {"message": "Hello!"})
                for n, p in enumerate(racers)
            ]
        )
        statuses = [a.status if isinstance(a, Answer) else repr(a) for a in answers]
        assert statuses.count(302) == 3, statuses  # five slots, two taken
        assert statuses.count(409) == CONNECT_RACERS - 3, statuses
        assert ConnectionRequest.objects.filter(mentor=mentor.user, status="pending").count() == 3
        assert everywhere(FULL, listed=True)  # her card says so at once, on every server

        met = MentorMembershipFactory(program=program, max_ongoing_mentees=3)
        ConnectionFactory(program=program, mentor=met.user, mentee=make_mentee(program))
        meetings = [
            ended_meeting(
                program,
                met.user,
                MembershipFactory(program=program).user,
                ends_at=timezone.now() - timedelta(minutes=30, hours=n),
            )
            for n in range(FOLLOW_UP_RACERS)
        ]
        answers = run_together(
            [
                lambda m=m, n=n: Person(_session_for(m.mentee)).request(
                    ports[n % 2],
                    "POST",
                    f"/meetings/{m.pk}/follow-up/",
                    {"choice": "connect", "policy": FORCED},
                )
                for n, m in enumerate(meetings)
            ]
        )
        assert not [a for a in answers if not isinstance(a, Answer)], answers
        # Connected: on to the survey; refused (full): back to the follow-up, with why.
        outcomes = ["survey" if "/surveys/" in a.location else a.location for a in answers]
        assert outcomes.count("survey") == 2, outcomes  # three slots, one taken
        assert all(a.status == 302 for a in answers), [a.status for a in answers]
        assert Connection.objects.filter(mentor=met.user, status="active").count() == 3
        race_ids = list(Notification.objects.values_list("pk", flat=True))
        _wait_until(
            lambda: (
                Notification.objects.filter(pk__in=race_ids, status=Status.SENT).count()
                == len(race_ids)
            ),
            timeout=60,
            what="the races' emails",
        )
        _delivered_once(sink, race_ids)
        report.append(
            f"races: Connect {CONNECT_RACERS} racers -> 3 requests (3 free slots); follow-up "
            f"{FOLLOW_UP_RACERS} racers -> 2 connections (2 free); {len(race_ids)} emails once"
        )

        # --- 3. a worker killed mid-send, the broker restarted -----------------------------------
        people = [make_mentee(program) for _ in range(5)]
        sink.delay = 0.3
        ids = _notify_many(people, program, "kill", 60)
        _wait_until(lambda: sink.sending >= 3, timeout=30, what="emails being sent")
        workers[0].kill()
        restart_began = time.monotonic()
        restart_broker()
        broker_restart = time.monotonic() - restart_began
        replacement = worker("worker-3", env=env, logs=logs)
        stack.enter_context(started(replacement))
        sink.delay = 0
        interrupted = Notification.objects.filter(pk__in=ids, status=Status.SENDING).count()
        recovered = _sweep_until_sent(ids, settings=settings, stuck_after=3, timeout=180)
        _delivered_once(sink, ids)
        retried = Notification.objects.filter(pk__in=ids, attempts__gte=2).count()
        assert retried >= 1  # the killed worker's claims were sent again, once
        report.append(
            f"worker killed mid-send ({interrupted} emails interrupted) and {broker_kind} "
            f"restarted ({broker_restart:.1f} s): {len(ids)} emails, each once, "
            f"{retried} on a second attempt, all sent {recovered:.1f} s later"
        )

        _database_restart(ports, viewer, sink, people, program, settings, report)

        # --- 5. 2,000 emails, one connection per email vs per batch --------------------------
        for mode, size in (("one connection per email", 1), ("one connection per batch", 50)):
            settings.NOTIFICATIONS_DELIVERY_BATCH = size
            rows = Notification.objects.bulk_create(
                [
                    Notification(
                        kind="test_message",
                        recipient=people[n % len(people)],
                        to_email=people[n % len(people)].email,
                        program=program,
                        context={"message": f"Bulk {n}"},
                        dedupe_key=f"fleet:bulk:{size}:{n}",
                    )
                    for n in range(BULK)
                ]
            )
            ids = [row.pk for row in rows]
            connections_before = sink.connections()
            assert enqueue_deliveries(ids) == BULK
            seconds = _wait_until(
                partial(_all_sent, ids),
                timeout=300,
                what=f"{BULK} emails",
                every=0.25,
            )
            _delivered_once(sink, ids)
            used = sink.connections() - connections_before
            report.append(
                f"{BULK} emails, {mode} (batch {size}): {BULK / seconds:.0f} emails/s "
                f"({seconds:.1f} s, {used} SMTP connections, 2 workers x 2 processes)"
            )

        assert sink.duplicates() == {}
        # What an operator sees now: an outbox with nothing waiting and nothing failed, and
        # the requests of both gunicorn workers of the server that answered.
        metrics = _http(ports[0], "GET", "/metrics")
        assert metrics.status == 200
        lines = set(metrics.body.splitlines())
        assert {"mentoring_outbox_pending 0.0", "mentoring_outbox_failed 0.0"} <= lines
        assert 'mentoring_metrics_source_up{source="database"} 1.0' in lines

    with capsys.disabled():
        print(f"\n[fleet {broker_kind}]\n  " + "\n  ".join(report))
        wanted = [
            line
            for line in metrics.body.splitlines()
            if line.startswith(("mentoring_", "django_http_requests_total_by_method_total"))
        ]
        print("  metrics after the run:\n    " + "\n    ".join(wanted))
