"""50 mentees who each just met the same mentor, who has one free slot, all say "yes" at
the same moment: exactly one gets the slot, everyone else is told the mentor is full."""

import threading

import pytest
from django.db import connection as db_connection

from flash_meetings import services
from flash_meetings.models import FlashMeeting
from matching.models import Connection, ConnectionRequest
from mentoring.errors import DomainError
from tests.connections.factories import ConnectionFactory
from tests.follow_up.conftest import FORCED, REQUEST, make_setup

MENTEES = 50

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        db_connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no row locks to race against (set DATABASE_URL)",
    ),
]


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_fifty_mentees_one_free_slot(policy):
    setup = make_setup(policy, mentor_limit=2, max_pending_requests_per_mentee=5)
    ConnectionFactory(program=setup.program, mentor=setup.mentor)  # one of two slots used
    meetings = [setup.meeting] + [setup.another_mentee_meeting() for _ in range(MENTEES - 1)]
    meetings = list(FlashMeeting.objects.filter(pk__in=[m.pk for m in meetings]))
    barrier = threading.Barrier(MENTEES)
    outcomes: list[str] = []
    lock = threading.Lock()

    def say_yes(meeting: FlashMeeting) -> None:
        try:
            barrier.wait()
            services.follow_up_answer(
                meeting=meeting, actor=meeting.mentee, choice="connect", expected_policy=policy
            )
            outcome = "ok"
        except DomainError as error:
            outcome = error.message
        except Exception as error:  # anything else would be a 500
            outcome = f"crash: {error!r}"
        finally:
            db_connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=say_yes, args=(m,)) for m in meetings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("ok") == 1, outcomes
    full = "Amara Okafor isn't taking on new ongoing mentees right now."
    assert outcomes.count(full) == MENTEES - 1, set(outcomes)
    flash_connections = Connection.objects.filter(origin=Connection.Origin.FLASH_MEETING)
    pending = ConnectionRequest.objects.filter(status=ConnectionRequest.Status.PENDING)
    if policy == FORCED:
        assert flash_connections.count() == 1 and not pending.exists()
    else:
        assert pending.count() == 1 and not flash_connections.exists()
    used = (
        Connection.objects.filter(mentor=setup.mentor, status="active").count()
        + pending.filter(mentor=setup.mentor).count()
    )
    assert used == 2  # never above the limit
    # The winners' meeting records the choice; everyone else's does not.
    answered = FlashMeeting.objects.filter(pk__in=[m.pk for m in meetings]).exclude(
        follow_up_choice=""
    )
    assert answered.count() == 1


SUBMITS = 20


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_one_mentee_submitting_many_answers_at_once_records_one(policy):
    """Double clicks and two tabs: the meeting's row lock lets exactly one answer through;
    the same choice again is a quiet repeat, another choice is refused."""
    setup = make_setup(policy, mentor_limit=5, max_pending_requests_per_mentee=5)
    meeting = FlashMeeting.objects.get(pk=setup.meeting.pk)
    choices = ["connect" if n % 2 else "no_thanks" for n in range(SUBMITS)]
    barrier = threading.Barrier(SUBMITS)
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def submit(choice: str) -> None:
        try:
            barrier.wait()
            result = services.follow_up_answer(
                meeting=FlashMeeting(pk=meeting.pk, mentee_id=meeting.mentee_id),
                actor=meeting.mentee,
                choice=choice,
                expected_policy=policy,
            )
            outcome = "repeat" if result.repeated else "recorded"
        except DomainError as error:
            outcome = error.message
        except Exception as error:  # anything else would be a 500
            outcome = f"crash: {error!r}"
        finally:
            db_connection.close()
        with lock:
            outcomes.append((choice, outcome))

    threads = [threading.Thread(target=submit, args=(choice,)) for choice in choices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    recorded = [choice for choice, outcome in outcomes if outcome == "recorded"]
    assert len(recorded) == 1, outcomes
    winner = recorded[0]
    refused = f"You already answered this follow-up: {FlashMeeting.FollowUpChoice(winner).label}."
    for choice, outcome in outcomes:
        if outcome != "recorded":
            assert outcome == ("repeat" if choice == winner else refused), outcomes
    meeting.refresh_from_db()
    assert meeting.follow_up_choice == winner
    made = (
        Connection.objects.filter(origin=Connection.Origin.FLASH_MEETING).count()
        + ConnectionRequest.objects.filter(origin=ConnectionRequest.Origin.FLASH_MEETING).count()
    )
    assert made == (1 if winner == "connect" else 0)
