"""The end-of-connection job twice at once, on PostgreSQL with a frozen clock: each
connection ends once and each person gets each email once."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db

from matching import services
from matching.models import Connection, ConnectionExtension
from notifications.models import Notification
from tests.connections.conftest import configure
from tests.connections.factories import ConnectionFactory
from tests.connections.test_race import run_together
from tests.factories import MentorMembershipFactory, ProgramFactory
from tests.factories import mentee as make_mentee

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        db.vendor != "postgresql",
        reason="race tests need PostgreSQL row locks and concurrent connections; "
        "set DATABASE_URL=postgres://… to run them",
    ),
]

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_the_job_in_two_threads_ends_each_connection_once_and_reminds_once(racer_db):
    program = ProgramFactory(slug="terms")
    configure(program, connection_end_reminder_days=7, connection_extension_days=30)
    mentor = MentorMembershipFactory(program=program).user
    ending = [
        ConnectionFactory(
            program=program, mentor=mentor, mentee=make_mentee(program), ends_on=NOW.date()
        )
        for _ in range(5)
    ]
    soon = [
        ConnectionFactory(
            program=program,
            mentor=mentor,
            mentee=make_mentee(program),
            ends_on=NOW.date() + timedelta(days=3),
        )
        for _ in range(5)
    ]
    # A pending extension on one that is ending: dropped with it.
    ConnectionExtension.objects.create(connection=ending[0], requested_by=mentor, days=30)

    results = run_together([lambda: services.connections_run_terms(now=NOW)] * 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["completed"] for r in results) == 5
    assert sum(r["reminded"] for r in results) == 5
    again = services.connections_run_terms(now=NOW)
    assert again == {"reminded": 0, "completed": 0}

    assert set(
        Connection.objects.filter(pk__in=[c.pk for c in ending]).values_list("status", "end_cause")
    ) == {("ended", "completed")}
    assert not Connection.objects.filter(
        pk__in=[c.pk for c in soon], end_reminder_sent_at__isnull=True
    ).exists()
    assert Notification.objects.filter(kind="connection_completed").count() == 10
    assert Notification.objects.filter(kind="connection_end_reminder").count() == 10
    assert not ConnectionExtension.objects.filter(status="pending").exists()
    racer_db.assert_routed(at_least=2)
