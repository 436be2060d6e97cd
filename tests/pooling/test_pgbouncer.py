"""The app behind a transaction-pooling PgBouncer (Debian's 1.18: no prepared-statement
support in transaction mode), configured with ``DJANGO_DB_PREPARED_STATEMENTS=false``.

In transaction pooling a client holds a server connection only for one transaction (one
statement, in autocommit); the next may run on another server connection, and another
client's on this one. Whatever one client leaves on a server connection outside a
transaction — a prepared statement, a cursor — is missing for it on the next and in
the way of the others. These tests run several people's pages and writes on one shared
server connection with the switch off, and show the two failures it prevents.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import ProgrammingError, connection, transaction
from django.test import Client
from django.urls import reverse

from flash_meetings.models import FlashMeeting
from mentoring.models import Membership, User
from tests import pgbouncer
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory
from tests.flash_meetings.factories import AvailabilitySlotFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PgBouncer pools PostgreSQL connections; set DATABASE_URL=postgres://…",
    ),
]

PEOPLE = 3
ROUNDS = 7  # beyond psycopg's prepare_threshold (5): every repeated query gets prepared
PREPARED = re.compile(r'prepared statement "_pg3_\d+" (already exists|does not exist)')
WAIT = 30  # seconds for one job in a person's thread


@pytest.fixture(scope="module")
def one_server(django_db_setup, django_db_blocker):
    """A PgBouncer that opens one server connection per database: every client shares
    it, each transaction in turn."""
    with pgbouncer.running(pool_size=1, **pgbouncer.django_upstream()) as port:
        yield port


class Person:
    """Someone signed in with a browser of their own, in a thread of their own: its
    Django connection is made the first time the thread uses the database."""

    def __init__(self, user: User):
        self.client = Client()
        self.client.force_login(user)  # the session is written by the test's own thread
        self.thread = ThreadPoolExecutor(max_workers=1)

    def start(self, job):
        return self.thread.submit(job)

    def leave(self) -> None:
        self.thread.submit(lambda: connection.close()).result(WAIT)
        self.thread.shutdown()


def book_slots_together(port: int, *, prepared_statements: bool) -> dict:
    """PEOPLE mentees, through PgBouncer ``port``, each open the mentor's request page
    and book one of its open slots, all at once, ROUNDS times over. Returns what each
    person saw per round ("booked" or the error), what PgBouncer counted while they were
    connected, and the slots."""
    program = ProgramFactory()
    program.matching_settings.max_pending_meeting_requests_per_mentee = ROUNDS
    program.matching_settings.save()
    mentor = MentorMembershipFactory(program=program, max_flash_meetings_per_month=50)
    slots = [
        AvailabilitySlotFactory(program=program, mentor=mentor.user) for _ in range(PEOPLE * ROUNDS)
    ]
    mentees = [
        MembershipFactory(program=program, role=Membership.Role.MENTEE).user for _ in range(PEOPLE)
    ]
    url = reverse("flash_meetings:request", args=[mentor.pk])
    database = connection.settings_dict["NAME"]
    before = pgbouncer.stats(port, database)["total_xact_count"]

    def visit_and_book(person: Person, slot) -> str:
        try:
            page = person.client.get(url)
            assert page.status_code == 200, page.status_code
            # The slots are a ModelChoiceField's radio buttons: rendered by .iterator()
            assert f'value="{slot.pk}"' in page.content.decode()
            booked = person.client.post(url, {"topic": "Pooling", "slot": slot.pk})
            assert booked.status_code == 302, booked.status_code
            return "booked"
        except Exception as error:  # noqa: BLE001  (the caller asserts on it)
            return f"{type(error).__name__}: {error}"

    outcomes: dict[int, list[str]] = {index: [] for index in range(PEOPLE)}
    with pgbouncer.route_new_connections(port, prepared_statements=prepared_statements):
        people = [Person(user) for user in mentees]
        try:
            for round_ in range(ROUNDS):
                turns = [
                    person.start(
                        lambda person=person, slot=slots[round_ * PEOPLE + index]: visit_and_book(
                            person, slot
                        )
                    )
                    for index, person in enumerate(people)
                ]
                for index, turn in enumerate(turns):
                    outcomes[index].append(turn.result(WAIT))
            clients = [
                c for c in pgbouncer.admin(port, "SHOW CLIENTS") if c["database"] == database
            ]
            servers = [
                s for s in pgbouncer.admin(port, "SHOW SERVERS") if s["database"] == database
            ]
        finally:
            for person in people:
                person.leave()
    return {
        "outcomes": outcomes,
        "clients": len(clients),
        "servers": len(servers),
        "transactions": pgbouncer.stats(port, database)["total_xact_count"] - before,
        "slots": slots,
        "mentees": mentees,
    }


def test_pages_and_writes_of_several_people_share_one_server_connection(one_server):
    """Prepared statements off (DJANGO_DB_PREPARED_STATEMENTS=false): three people's
    page views and bookings, seven rounds at once, all on one server connection."""
    seen = book_slots_together(one_server, prepared_statements=False)

    assert seen["outcomes"] == {index: ["booked"] * ROUNDS for index in range(PEOPLE)}
    assert seen["clients"] == PEOPLE  # three Django connections to PgBouncer ...
    assert seen["servers"] == 1  # ... sharing one to PostgreSQL
    assert seen["transactions"] >= PEOPLE * ROUNDS * 2  # every page and booking went through
    booked = FlashMeeting.objects.filter(status=FlashMeeting.Status.REQUESTED)
    assert sorted(booked.values_list("slot_id", flat=True)) == [s.pk for s in seen["slots"]]
    for index, mentee in enumerate(seen["mentees"]):
        mine = [s.pk for s in seen["slots"][index::PEOPLE]]
        assert sorted(booked.filter(mentee=mentee).values_list("slot_id", flat=True)) == mine


def test_prepared_statements_break_on_a_shared_server_connection(one_server):
    """Why the switch exists: with prepared statements on (the default, for a direct
    connection), each client names its statements ``_pg3_0``, ``_pg3_1``… on whatever
    server connection it has at the time; PgBouncer 1.18 does not track them, so a
    client finds another's statement under its name, or its own missing. Should this
    fail, PgBouncer prepares statements itself (1.21+, ``max_prepared_statements``) and
    the switch may stay on behind it."""
    seen = book_slots_together(one_server, prepared_statements=True)

    failures = [o for outcomes in seen["outcomes"].values() for o in outcomes if o != "booked"]
    assert failures, "every booking worked with prepared statements on"
    assert any(PREPARED.search(failure) for failure in failures), failures


@pytest.mark.parametrize(
    "disable_server_side_cursors",
    [True, False],
    ids=["without_server_side_cursors", "with_server_side_cursors"],
)
def test_iterating_a_queryset_while_another_client_holds_the_server(
    pgbouncer_port, disable_server_side_cursors
):
    """``QuerySet.iterator()`` (every ModelChoiceField's choices) reads through a
    server-side cursor when one is allowed: declared on one server connection, read on
    the next one PgBouncer hands out. Here the cursor's server connection is taken by
    another client's transaction between two reads. DJANGO_DB_PREPARED_STATEMENTS=false
    disables server-side cursors too: the rows are read at once, and this works."""
    program = ProgramFactory()
    for _ in range(3):
        MembershipFactory(program=program)
    reader, holder = ThreadPoolExecutor(max_workers=1), ThreadPoolExecutor(max_workers=1)
    holding, release = threading.Event(), threading.Event()
    held = None

    def hold_a_transaction() -> None:
        with transaction.atomic():
            Membership.objects.filter(program=program).count()  # takes a server connection
            holding.set()
            assert release.wait(WAIT)

    with pgbouncer.route_new_connections(
        pgbouncer_port,
        prepared_statements=False,
        DISABLE_SERVER_SIDE_CURSORS=disable_server_side_cursors,
    ):
        try:
            memberships = Membership.objects.filter(program=program).order_by("pk")
            rows = reader.submit(lambda: iter(memberships.iterator(chunk_size=1))).result(WAIT)
            first = reader.submit(next, rows).result(WAIT)
            # PgBouncer hands out the server connection used last: the cursor's.
            held = holder.submit(hold_a_transaction)
            assert holding.wait(WAIT)
            rest = reader.submit(list, rows)
            if disable_server_side_cursors:
                assert [first, *rest.result(WAIT)] == list(memberships)
            else:
                # Django's error, or psycopg's when closing the cursor fails the same way
                missing = (ProgrammingError, psycopg.errors.InvalidCursorName)
                with pytest.raises(missing, match=r'cursor "_django_curs_\S+" does not exist'):
                    rest.result(WAIT)
        finally:
            release.set()
            if held is not None:
                held.result(WAIT)
            for thread in (reader, holder):
                thread.submit(lambda: connection.close()).result(WAIT)
                thread.shutdown()
            pgbouncer.close_server_connections(pgbouncer_port, connection.settings_dict["NAME"])


def test_the_switch_turns_off_what_transaction_pooling_breaks():
    """config/settings.py, run with each value of DJANGO_DB_PREPARED_STATEMENTS."""
    assert pgbouncer.database_settings(prepared_statements=False) == {
        "OPTIONS": {"server_side_binding": False, "prepare_threshold": None, "connect_timeout": 5},
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }
    assert pgbouncer.database_settings(prepared_statements=True) == {
        "OPTIONS": {"server_side_binding": True, "prepare_threshold": 5, "connect_timeout": 5},
        "DISABLE_SERVER_SIDE_CURSORS": False,
    }
