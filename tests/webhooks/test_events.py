"""Each event fires from the real service that makes the change, in the same transaction:
one delivery per active endpoint of that program that subscribes to it (one event id for
all of them), none for the others, none when the transaction rolls back."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from flash_meetings import services as meetings
from flash_meetings.models import FlashMeeting
from matching import services as matching
from matching.models import Connection, ConnectionRequest
from tests.connections.factories import ConnectionFactory
from tests.factories import MembershipFactory, ProgramFactory
from tests.flash_meetings.factories import AvailabilitySlotFactory, FlashMeetingFactory, in_days
from tests.follow_up.conftest import make_setup
from tests.webhooks.conftest import ALL_EVENTS
from webhooks.models import Delivery, EventType
from webhooks.services import webhook_emit

pytestmark = pytest.mark.django_db

Choice = FlashMeeting.FollowUpChoice


@pytest.fixture
def world(make_endpoint):
    setup = make_setup()  # forced connection after a flash meeting, an ended meeting
    setup.endpoints = {}
    return setup


def _endpoints_for(world, make_endpoint, event: str) -> dict:
    """Every kind of endpoint that could wrongly receive ``event``, and two that should."""
    others = [e for e in ALL_EVENTS if e != event]
    return {
        "all events": make_endpoint(world.program, name="all events"),
        "only this one": make_endpoint(world.program, name="only this one", events=[event]),
        "all but this one": make_endpoint(world.program, name="all but this one", events=others),
        "turned off": make_endpoint(world.program, name="turned off", active=False),
        "another program": make_endpoint(ProgramFactory(), name="another program"),
    }


# --- the services, one way each event happens -------------------------------------------


def _request(world) -> ConnectionRequest:
    return matching.connection_request_create(
        program=world.program, mentor=world.mentor, mentee=world.mentee, message="Hello!"
    )


def request_created(world):
    return "connection_request", _request(world).pk


def request_accepted(world):
    request = _request(world)
    matching.connection_request_accept(request=request, actor=world.mentor)
    return "connection_request", request.pk


def request_declined(world):
    request = _request(world)
    matching.connection_request_decline(request=request, actor=world.mentor, reason="busy")
    return "connection_request", request.pk


def connection_by_admin(world):
    connection = matching.connection_create(
        program=world.program,
        mentor=world.mentor,
        mentee=world.mentee,
        origin=Connection.Origin.ADMIN,
    )
    return "connection", connection.pk


def connection_by_accepting(world):
    request = _request(world)
    connection = matching.connection_request_accept(request=request, actor=world.mentor)
    return "connection", connection.pk


def connection_by_forced_follow_up(world):
    result = meetings.follow_up_answer(meeting=world.meeting, actor=world.mentee, choice="connect")
    return "connection", result.connection.pk


def connection_ended_early(world):
    connection = ConnectionFactory(program=world.program, mentor=world.mentor, mentee=world.mentee)
    matching.connection_end(connection=connection, actor=world.mentee, reason="Moving abroad")
    return "connection", connection.pk


def connection_completed_by_the_terms_job(world):
    connection = ConnectionFactory(
        program=world.program,
        mentor=world.mentor,
        mentee=world.mentee,
        ends_on=timezone.now().date() - timedelta(days=1),
    )
    assert matching.connections_run_terms()["completed"] == 1
    return "connection", connection.pk


def _slot_request(world) -> FlashMeeting:
    slot = AvailabilitySlotFactory(program=world.program, mentor=world.mentor)
    return meetings.flash_meeting_request(
        mentor_membership=world.mentor_membership, mentee=world.mentee, topic="CV", slot=slot
    )


def meeting_accepted(world):
    meeting = _slot_request(world)
    meetings.flash_meeting_accept(meeting=meeting, actor=world.mentor)
    return "flash_meeting", meeting.pk


def meeting_accepted_at_a_proposed_time(world):
    meeting = meetings.flash_meeting_request(
        mentor_membership=world.mentor_membership,
        mentee=world.mentee,
        topic="CV",
        proposed_starts=[in_days(4, 9), in_days(5, 9)],
    )
    chosen = meeting.proposed_times.order_by("starts_at").last()
    meetings.flash_meeting_accept(meeting=meeting, actor=world.mentor, proposed_time=chosen)
    return "flash_meeting", meeting.pk


def meeting_at_the_mentors_counter_proposal(world):
    meeting = _slot_request(world)
    proposal = meetings.flash_meeting_propose_time(
        meeting=meeting, actor=world.mentor, starts_at=in_days(6, 15)
    )
    meetings.flash_meeting_accept_proposal(
        meeting=meeting, actor=world.mentee, proposed_time=proposal
    )
    return "flash_meeting", meeting.pk


def meeting_cancelled(world):
    meeting = FlashMeetingFactory(program=world.program, mentor=world.mentor, mentee=world.mentee)
    meetings.flash_meeting_cancel(meeting=meeting, actor=world.mentee, message="Ill, sorry")
    return "flash_meeting", meeting.pk


def follow_up_yes(world):
    meetings.follow_up_answer(meeting=world.meeting, actor=world.mentee, choice="connect")
    return "flash_meeting", world.meeting.pk


def follow_up_no_thanks(world):
    meetings.follow_up_answer(meeting=world.meeting, actor=world.mentee, choice="no_thanks")
    return "flash_meeting", world.meeting.pk


CASES = [
    ("connection_request.created", request_created),
    ("connection_request.accepted", request_accepted),
    ("connection_request.declined", request_declined),
    ("connection.created", connection_by_admin),
    ("connection.created", connection_by_accepting),
    ("connection.created", connection_by_forced_follow_up),
    ("connection.ended", connection_ended_early),
    ("connection.ended", connection_completed_by_the_terms_job),
    ("flash_meeting.scheduled", meeting_accepted),
    ("flash_meeting.scheduled", meeting_accepted_at_a_proposed_time),
    ("flash_meeting.scheduled", meeting_at_the_mentors_counter_proposal),
    ("flash_meeting.cancelled", meeting_cancelled),
    ("follow_up.answered", follow_up_no_thanks),
    ("follow_up.answered", follow_up_yes),
]


def test_every_event_has_at_least_one_case():
    assert {event for event, _ in CASES} == set(EventType.values)


@pytest.mark.parametrize(("event", "trigger"), CASES, ids=[f"{e}-{t.__name__}" for e, t in CASES])
def test_event_reaches_each_subscribed_active_endpoint_of_its_program_once(
    world, make_endpoint, event, trigger
):
    endpoints = _endpoints_for(world, make_endpoint, event)
    object_name, object_id = trigger(world)

    deliveries = list(Delivery.objects.filter(event_type=event).select_related("endpoint"))
    assert sorted(d.endpoint.name for d in deliveries) == ["all events", "only this one"]
    assert len({d.event_id for d in deliveries}) == 1  # one idempotency id per event
    assert deliveries[0].event_id.startswith("evt_")
    for delivery in deliveries:
        assert delivery.status == Delivery.Status.PENDING
        payload = delivery.payload
        assert payload["type"] == event
        assert payload["data"]["object"] == object_name
        assert payload["data"]["id"] == object_id
        assert payload["data"]["program"] == {"id": world.program.pk, "slug": world.program.slug}
    assert not Delivery.objects.filter(endpoint=endpoints["another program"]).exists()


def test_accepting_a_request_sends_both_events_with_the_connection_id(world, make_endpoint):
    make_endpoint(world.program)
    request = _request(world)
    connection = matching.connection_request_accept(request=request, actor=world.mentor)

    accepted = Delivery.objects.get(event_type="connection_request.accepted")
    created = Delivery.objects.get(event_type="connection.created")
    assert accepted.event_id != created.event_id  # two events, two ids
    assert accepted.payload["data"]["connection_id"] == connection.pk
    assert accepted.payload["data"]["status"] == "accepted"
    connection.refresh_from_db()
    started = connection.started_at.astimezone(UTC)
    assert created.payload == {
        "type": "connection.created",
        "timestamp": created.payload["timestamp"],
        "data": {
            "object": "connection",
            "id": connection.pk,
            "program": {"id": world.program.pk, "slug": world.program.slug},
            "status": "active",
            "origin": "profile_request",
            "mentor_id": world.mentor.pk,
            "mentee_id": world.mentee.pk,
            "flash_meeting_id": None,
            "request_id": request.pk,
            "started_at": started.isoformat().replace("+00:00", "Z"),
            "ends_on": connection.ends_on.isoformat() if connection.ends_on else None,
            "ended_at": None,
            "end_cause": "",
        },
    }
    assert created.payload["timestamp"].endswith("Z")


def test_the_forced_follow_up_names_the_connection_it_made(world, make_endpoint):
    make_endpoint(world.program)
    result = meetings.follow_up_answer(meeting=world.meeting, actor=world.mentee, choice="connect")
    answered = Delivery.objects.get(event_type="follow_up.answered").payload["data"]
    assert answered["follow_up_choice"] == "connect"
    assert answered["connection_id"] == result.connection.pk
    assert answered["connection_request_id"] is None
    assert answered["status"] == "completed"
    created = Delivery.objects.get(event_type="connection.created").payload["data"]
    assert created["flash_meeting_id"] == world.meeting.pk
    assert created["origin"] == "flash_meeting"


def test_a_repeated_follow_up_answer_sends_nothing_more(world, make_endpoint):
    make_endpoint(world.program)
    meetings.follow_up_answer(meeting=world.meeting, actor=world.mentee, choice="no_thanks")
    meetings.follow_up_answer(meeting=world.meeting, actor=world.mentee, choice="no_thanks")
    assert Delivery.objects.filter(event_type="follow_up.answered").count() == 1


def test_a_declined_requests_payload_carries_the_reason_code_not_the_note(world, make_endpoint):
    make_endpoint(world.program)
    request = _request(world)
    matching.connection_request_decline(
        request=request, actor=world.mentor, reason="busy", note="Private words"
    )
    delivery = Delivery.objects.get(event_type="connection_request.declined")
    assert delivery.payload["data"]["decline_reason"] == "busy"
    assert "Private words" not in str(delivery.payload)


def test_nothing_is_written_or_sent_when_the_transaction_rolls_back(
    world, make_endpoint, django_capture_on_commit_callbacks
):
    make_endpoint(world.program)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        connection_by_admin(world)
        assert Delivery.objects.filter(event_type="connection.created").count() == 1
        raise RuntimeError("something later in the same request failed")
    assert not Delivery.objects.exists()
    assert callbacks == []


def test_a_refused_change_sends_nothing(world, make_endpoint):
    make_endpoint(world.program)
    request = _request(world)
    with pytest.raises(Exception, match="accept"):
        matching.connection_request_accept(request=request, actor=world.mentee)  # not the mentor
    assert not Delivery.objects.filter(event_type="connection_request.accepted").exists()


def test_emitting_without_endpoints_costs_one_query(world, django_assert_num_queries):
    connection = ConnectionFactory(program=world.program, mentor=world.mentor, mentee=world.mentee)
    with django_assert_num_queries(1):
        assert webhook_emit(event="connection.created", instance=connection) == []


def test_each_delivery_is_handed_to_a_worker_after_commit(
    world, make_endpoint, django_capture_on_commit_callbacks, monkeypatch
):
    handed: list[int] = []
    monkeypatch.setattr("webhooks.services.enqueue_delivery", handed.append)
    make_endpoint(world.program)
    make_endpoint(world.program)
    with django_capture_on_commit_callbacks(execute=True):
        request_created(world)
        assert handed == []  # not before commit
    assert sorted(handed) == sorted(
        Delivery.objects.filter(event_type="connection_request.created").values_list(
            "pk", flat=True
        )
    )


def test_an_unknown_event_is_a_bug(world):
    connection = ConnectionFactory(program=world.program, mentor=world.mentor, mentee=world.mentee)
    with pytest.raises(ValueError, match="Unknown webhook event"):
        webhook_emit(event="connection.exploded", instance=connection)


def test_a_mentee_of_two_programs_only_reaches_the_program_of_the_change(world, make_endpoint):
    other = ProgramFactory()
    MembershipFactory(program=other, user=world.mentee)
    make_endpoint(other, name="other")
    make_endpoint(world.program, name="this")
    request_created(world)
    assert list(Delivery.objects.values_list("endpoint__name", flat=True)) == ["this"]
