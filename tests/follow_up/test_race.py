"""50 mentees who each just met the same mentor, who has one free slot, all say "yes" at
the same moment: exactly one gets the slot, everyone else is told the mentor is full."""

import threading

import pytest
from django.db import connection as db_connection

from flash_meetings import services
from flash_meetings.models import FlashMeeting
from matching import capacity, eligibility
from matching import services as matching_services
from matching.models import Connection, ConnectionRequest
from matching.services import requests as request_services
from mentoring.errors import DomainError
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
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
def test_fifty_mentees_one_free_slot(policy, racer_db):
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
    racer_db.assert_routed(at_least=MENTEES)


SUBMITS = 20


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_one_mentee_submitting_many_answers_at_once_records_one(policy, racer_db):
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
    racer_db.assert_routed(at_least=SUBMITS)


# --- A mentor's no and a mentee's yes at the same moment ----------------------------------
#
# The invariant: a forced connection is never made after the mentor declined that mentee
# (within the cool-off). The follow-up decides first (a request pending or declined then
# means no offer); the narrow gap is a request made and declined after that decision,
# while the "yes" is on its way to ``connection_create``. There the two writes meet on
# the pair's membership lock: whichever holds it second sees the other's work.

KIND = (
    "Amara Okafor can't offer you ongoing mentoring at the moment. Other mentors in this "
    "program may be a good fit for you."
)
WAIT = 10  # seconds; a step that takes longer has deadlocked


def _pause_after(monkeypatch, module, name: str, thread: str, reached, resume) -> None:
    """Wrap ``module.name`` so that, in the thread called ``thread``, it signals
    ``reached`` once it has returned and then waits for ``resume``."""
    original = getattr(module, name)

    def paused(*args, **kwargs):
        result = original(*args, **kwargs)
        if threading.current_thread().name == thread:
            reached.set()
            assert resume.wait(WAIT), f"{name} was never resumed"
        return result

    monkeypatch.setattr(module, name, paused)


def _run(name: str, job, outcomes: dict) -> threading.Thread:
    def target():
        try:
            job()
            outcomes[name] = "ok"
        except DomainError as error:
            outcomes[name] = error.message
        except Exception as error:  # anything else would be a 500
            outcomes[name] = f"crash: {error!r}"
        finally:
            db_connection.close()

    thread = threading.Thread(target=target, name=name)
    thread.start()
    return thread


def _yes_decided_then_request_made(monkeypatch, outcomes):
    """The mentee's "yes" has been decided (offered: nothing pending, nothing declined);
    then the mentee sends a request from the profile. Returns the setup, the request, the
    "yes" thread and the event that lets it go on to ``connection_create``."""
    setup = make_setup(FORCED, mentor_limit=3)
    decided, go_on = threading.Event(), threading.Event()
    _pause_after(monkeypatch, eligibility, "for_meeting", "yes", decided, go_on)
    meeting = FlashMeeting.objects.get(pk=setup.meeting.pk)
    yes = _run(
        "yes",
        lambda: services.follow_up_answer(
            meeting=meeting, actor=meeting.mentee, choice="connect", expected_policy=FORCED
        ),
        outcomes,
    )
    assert decided.wait(WAIT)
    request = matching_services.connection_request_create(
        program=setup.program, mentor=setup.mentor, mentee=setup.mentee, message="Hello"
    )
    return setup, request, yes, go_on


def _decline(setup, request):
    return lambda: matching_services.connection_request_decline(
        request=ConnectionRequest.objects.get(pk=request.pk),
        actor=setup.mentor,
        reason="not_right_match",
        note="Not now",
    )


def test_a_decline_waits_for_a_forced_connection_that_holds_the_pair(monkeypatch):
    """The "yes" has locked the pair and counted (the request still pending) when the
    mentor declines: the decline waits, then finds the request closed by the connection.
    Without the decline taking the pair's lock it would commit in between, and the
    connection would be made after it."""
    outcomes: dict[str, str] = {}
    counted, finish = threading.Event(), threading.Event()
    _pause_after(monkeypatch, capacity, "pair_counts", "yes", counted, finish)
    setup, request, yes, go_on = _yes_decided_then_request_made(monkeypatch, outcomes)
    go_on.set()
    assert counted.wait(WAIT)  # the "yes" holds the pair's lock
    no = _run("no", _decline(setup, request), outcomes)
    no.join(1)
    decline_waited = no.is_alive()
    finish.set()
    yes.join(WAIT)
    no.join(WAIT)

    request.refresh_from_db()
    made = Connection.objects.filter(origin=Connection.Origin.FLASH_MEETING)
    assert not (request.status == ConnectionRequest.Status.DECLINED and made.exists()), outcomes
    assert outcomes["yes"] == "ok", outcomes
    assert outcomes["no"] == "This request can't be declined: it is already closed.", outcomes
    assert request.status == ConnectionRequest.Status.CLOSED and made.count() == 1
    assert decline_waited, "the decline did not wait for the pair's lock"


def test_a_forced_connection_waits_for_a_decline_that_holds_the_pair(monkeypatch):
    """The mentor's decline has locked the pair when the "yes" reaches
    ``connection_create``: the "yes" waits, then counts, sees the decline and is refused
    with the kind sentence; the follow-up stays unanswered."""
    outcomes: dict[str, str] = {}
    locked, commit = threading.Event(), threading.Event()
    _pause_after(monkeypatch, request_services, "lock_pair_memberships", "no", locked, commit)
    setup, request, yes, go_on = _yes_decided_then_request_made(monkeypatch, outcomes)
    no = _run("no", _decline(setup, request), outcomes)
    assert locked.wait(WAIT)  # the decline holds the pair's lock
    go_on.set()
    yes.join(1)
    connection_waited = yes.is_alive()
    commit.set()
    no.join(WAIT)
    yes.join(WAIT)

    request.refresh_from_db()
    assert request.status == ConnectionRequest.Status.DECLINED
    assert not Connection.objects.exists(), outcomes  # the decline stands
    assert outcomes == {"no": "ok", "yes": KIND}, outcomes
    assert connection_waited, "the forced connection did not wait for the pair's lock"
    assert FlashMeeting.objects.get(pk=setup.meeting.pk).follow_up_choice == ""


PAIRS = 10


def test_declines_and_yeses_released_together_never_end_in_both(racer_db):
    """Ten mentees with a pending request each say "yes" on their follow-up while the
    mentor declines every request, all at once: no deadlock, no crash, no connection."""
    setup = make_setup(FORCED, mentor_limit=PAIRS + 1, max_pending_requests_per_mentee=5)
    meetings = [setup.meeting] + [setup.another_mentee_meeting() for _ in range(PAIRS - 1)]
    requests = [
        ConnectionRequestFactory(program=setup.program, mentor=setup.mentor, mentee=m.mentee)
        for m in meetings
    ]
    meetings = list(FlashMeeting.objects.filter(pk__in=[m.pk for m in meetings]))
    barrier = threading.Barrier(2 * PAIRS)
    outcomes: dict[str, str] = {}

    def together(job):
        def run():
            barrier.wait(WAIT)
            job()

        return run

    threads = [
        _run(
            f"yes-{n}",
            together(
                lambda m=m: services.follow_up_answer(
                    meeting=m, actor=m.mentee, choice="connect", expected_policy=FORCED
                )
            ),
            outcomes,
        )
        for n, m in enumerate(meetings)
    ] + [_run(f"no-{n}", together(_decline(setup, r)), outcomes) for n, r in enumerate(requests)]
    for thread in threads:
        thread.join(60)

    assert all(outcomes[f"no-{n}"] == "ok" for n in range(PAIRS)), outcomes
    pending = "You already have a pending request to Amara Okafor."
    assert {outcomes[f"yes-{n}"] for n in range(PAIRS)} <= {pending, KIND}, outcomes
    assert not Connection.objects.exists()
    assert ConnectionRequest.objects.filter(status="declined").count() == PAIRS
    racer_db.assert_routed(at_least=2 * PAIRS)
