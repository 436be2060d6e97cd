"""Capacity under real concurrency: 50 threads, real transactions, PostgreSQL row locks.

Each thread is a separate browser (its own test Client and database connection); a
``threading.Barrier`` releases them together. SQLite serialises whole-database writes
and has no ``SELECT … FOR UPDATE``, so these tests only mean something on PostgreSQL.
"""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from matching.models import Connection, ConnectionRequest
from notifications.models import Notification
from tests.connections.conftest import configure
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.factories import MentorMembershipFactory, ProgramFactory
from tests.factories import mentee as make_mentee

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="race tests need PostgreSQL row locks and concurrent connections; "
        "set DATABASE_URL=postgres://… to run them",
    ),
]

THREADS = 50
FULL = "isn&#x27;t taking on new ongoing mentees right now"


def run_together(jobs):
    """Run each job in its own thread, all released at once; return results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


class RacerClient(Client):
    """A test Client that answers like a browser: status, headers, content and cookies,
    without recording the templates and contexts each response rendered.

    Django's Client records them by connecting a receiver to every template render for
    the length of each request, and a receiver copies the render's context. With fifty
    requests in flight at once, each render was copied fifty times: the accept race below
    took 68 s, 47 of them before the first refusal came back. A failure still shows: the
    handler turns an exception into a 500, which the races' status counts refuse."""

    def request(self, **request):
        response = self.handler(self._base_environ(**request))
        if response.cookies:
            self.cookies.update(response.cookies)
        return response


def logged_in(user) -> Client:
    client = RacerClient()
    client.force_login(user)
    return client


@pytest.fixture
def race_program(db):
    program = ProgramFactory(slug="race")
    configure(
        program,
        ongoing_enabled=True,
        preferred_mentoring_enabled=False,
        default_max_ongoing_mentees=3,
        max_ongoing_mentors_per_mentee=3,
        max_pending_requests_per_mentee=3,
    )
    return program


def test_fifty_mentees_race_for_the_last_slot(race_program, racer_db):
    membership = MentorMembershipFactory(program=race_program, max_ongoing_mentees=3)
    mentor = membership.user
    for _ in range(2):
        ConnectionFactory(program=race_program, mentor=mentor, mentee=make_mentee(race_program))
    url = reverse("portal:connect", args=[race_program.slug, membership.pk])
    clients = [logged_in(make_mentee(race_program)) for _ in range(THREADS)]

    responses = run_together(
        [lambda c=c: c.post(url, {"message": "Please mentor me."}) for c in clients]
    )

    assert not [r for r in responses if isinstance(r, Exception)], responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(302) == 1
    assert statuses.count(409) == THREADS - 1, statuses
    refused = [r for r in responses if r.status_code == 409]
    assert all(FULL in r.content.decode() for r in refused)
    assert ConnectionRequest.objects.filter(mentor=mentor, status="pending").count() == 1
    assert Notification.objects.filter(kind="connection_request_received").count() == 1
    racer_db.assert_routed(at_least=THREADS)


def test_fifty_concurrent_accepts_after_the_limit_was_lowered(race_program):
    membership = MentorMembershipFactory(program=race_program, max_ongoing_mentees=THREADS + 2)
    mentor = membership.user
    for _ in range(2):
        ConnectionFactory(program=race_program, mentor=mentor, mentee=make_mentee(race_program))
    requests = [
        ConnectionRequestFactory(
            program=race_program, mentor=mentor, mentee=make_mentee(race_program)
        )
        for _ in range(THREADS)
    ]
    membership.max_ongoing_mentees = 3  # two active connections: one slot left
    membership.save()
    clients = [logged_in(mentor) for _ in range(THREADS)]

    responses = run_together(
        [
            lambda c=c, r=r: c.post(reverse("portal:request_accept", args=[r.pk]))
            for c, r in zip(clients, requests, strict=True)
        ]
    )

    assert not [r for r in responses if isinstance(r, Exception)], responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(302) == 1
    assert statuses.count(409) == THREADS - 1, statuses
    assert all(FULL in r.content.decode() for r in responses if r.status_code == 409)
    assert Connection.objects.filter(mentor=mentor, status="active").count() == 3
    assert ConnectionRequest.objects.filter(mentor=mentor, status="accepted").count() == 1
    assert ConnectionRequest.objects.filter(mentor=mentor, status="pending").count() == THREADS - 1


def test_double_submit_of_the_same_request_at_once_makes_one_row_and_one_email(
    race_program, racer_db
):
    membership = MentorMembershipFactory(program=race_program)
    mentee = make_mentee(race_program)
    url = reverse("portal:connect", args=[race_program.slug, membership.pk])
    clients = [logged_in(mentee) for _ in range(10)]
    mail.outbox = []

    responses = run_together([lambda c=c: c.post(url, {"message": "Hello!"}) for c in clients])

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(302) == 1 and statuses.count(409) == 9, statuses
    assert ConnectionRequest.objects.filter(mentee=mentee).count() == 1
    assert Notification.objects.filter(kind="connection_request_received").count() == 1
    assert len([m for m in mail.outbox if "asks you for ongoing mentoring" in m.subject]) == 1
    racer_db.assert_routed(at_least=10)


def test_double_submit_of_the_same_accept_at_once_makes_one_connection_and_one_email(
    race_program, racer_db
):
    membership = MentorMembershipFactory(program=race_program)
    request = ConnectionRequestFactory(
        program=race_program, mentor=membership.user, mentee=make_mentee(race_program)
    )
    url = reverse("portal:request_accept", args=[request.pk])
    clients = [logged_in(membership.user) for _ in range(10)]
    mail.outbox = []

    responses = run_together([lambda c=c: c.post(url) for c in clients])

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(302) == 1 and statuses.count(409) == 9, statuses
    assert Connection.objects.filter(request=request).count() == 1
    assert Notification.objects.filter(kind="connection_request_accepted").count() == 1
    assert len([m for m in mail.outbox if "accepted your mentoring request" in m.subject]) == 1
    racer_db.assert_routed(at_least=10)
