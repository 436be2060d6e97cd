"""Flash meetings over the API: the meeting's mentor and mentee see it and act on it
through the page's services (same rows, same emails, same refusals); program admins and
their keys read their programs' meetings; everyone else gets 404."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from flash_meetings.models import FlashMeeting, ProposedTime
from tests.api.conftest import person_client
from tests.api.conftest_admin import world_fixture  # noqa: F401 (the fixture ``world``)
from tests.api.conftest_participant import outbox, problem
from tests.connections.factories import ConnectionFactory
from tests.flash_meetings.factories import (
    AvailabilitySlotFactory,
    FlashMeetingFactory,
    ProposedTimeFactory,
    in_days,
)

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/flash-meetings/"


def url(meeting=None, verb: str = "") -> str:
    if meeting is None:
        return MEETINGS
    return f"{MEETINGS}{meeting.pk}/" + (f"{verb}/" if verb else "")


def post(client, address: str, data: dict | None = None):
    return client.post(address, data or {}, format="json")


def slot_of(world, days: float = 3):
    return AvailabilitySlotFactory(
        program=world.program, mentor=world.mentor, starts_at=in_days(days)
    )


def requested(world, **fields) -> FlashMeeting:
    fields.setdefault("mentee", world.mentee)
    return FlashMeetingFactory(
        program=world.program, mentor=world.mentor, status=FlashMeeting.Status.REQUESTED, **fields
    )


def scheduled(world, **fields) -> FlashMeeting:
    return FlashMeetingFactory(
        program=world.program, mentor=world.mentor, mentee=world.mentee, **fields
    )


def over(world) -> FlashMeeting:
    starts_at = timezone.now() - timedelta(hours=2)
    return scheduled(world, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30))


# --- requesting --------------------------------------------------------------------


def test_the_mentee_requests_a_slot_as_the_request_page_does(world, client):
    by_page, by_api = slot_of(world, 3), slot_of(world, 4)
    client.force_login(world.other_mentee)
    page = client.post(
        reverse("flash_meetings:request", args=[world.mentor_membership.pk]),
        {"topic": "Career change", "message": "Hello", "slot": by_page.pk},
    )
    assert page.status_code == 302

    response = post(
        person_client(world.mentee),
        url(),
        {
            "mentor_membership": world.mentor_membership.pk,
            "topic": "Career change",
            "message": "Hello",
            "slot": by_api.pk,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["kind"], body["connection"]) == ("requested", "flash", None)
    assert body["mentor"] == {"id": world.mentor.pk, "name": "Amara Okafor"}
    fields = ("status", "topic", "message", "counts_in_month", "connection_id")
    page_row = FlashMeeting.objects.values(*fields).get(slot=by_page)
    api_row = FlashMeeting.objects.values(*fields).get(slot=by_api)
    assert api_row == page_row
    assert FlashMeeting.objects.get(pk=body["id"]).starts_at == by_api.starts_at
    assert outbox() == [("flash_meeting_requested", "amara")] * 2


def test_proposed_times_without_an_offset_are_in_the_mentees_own_zone(world):
    world.mentee.time_zone = "Europe/Paris"
    world.mentee.save(update_fields=["time_zone"])
    day = (timezone.now() + timedelta(days=5)).date()
    aware = datetime(day.year, day.month, day.day, 15, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    response = post(
        person_client(world.mentee),
        url(),
        {
            "mentor_membership": world.mentor_membership.pk,
            "topic": "Negotiating a raise",
            "proposed_times": [f"{day.isoformat()}T10:00", aware.isoformat()],
        },
    )
    assert response.status_code == 201, response.content
    paris = datetime(day.year, day.month, day.day, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    proposals = response.json()["proposed_times"]
    assert [datetime.fromisoformat(p["starts_at"]) for p in proposals] == [paris, aware]
    assert ProposedTime.objects.filter(meeting_id=response.json()["id"]).count() == 2


def test_a_request_past_the_mentors_monthly_limit_is_409(world):
    world.mentor_membership.max_flash_meetings_per_month = 1
    world.mentor_membership.save()
    slot = slot_of(world, 3)
    starts_at = slot.starts_at + timedelta(hours=2)
    requested(
        world,
        mentee=world.other_mentee,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        counts_in_month=slot.starts_at.date().replace(day=1),
    )
    body = problem(
        post(
            person_client(world.mentee),
            url(),
            {"mentor_membership": world.mentor_membership.pk, "topic": "CV", "slot": slot.pk},
        ),
        409,
        "monthly_limit_reached",
    )
    assert "Amara Okafor has no flash meetings left" in body["detail"]
    assert FlashMeeting.objects.count() == 1 and outbox() == []


def test_a_request_is_parsed_as_the_form_parses_it(world):
    client = person_client(world.mentee)
    slot = slot_of(world)
    target = {"mentor_membership": world.mentor_membership.pk, "topic": "CV"}
    both = {**target, "slot": slot.pk, "proposed_times": [in_days(5).isoformat()]}
    assert "not both" in str(problem(post(client, url(), both), 400, "invalid")["errors"])
    problem(post(client, url(), target), 400, "invalid")
    problem(post(client, url(), {**target, "topic": "two\nlines", "slot": slot.pk}), 400, "invalid")
    four = [in_days(5 + n).isoformat() for n in range(4)]
    problem(post(client, url(), {**target, "proposed_times": four}), 400, "invalid")
    body = problem(post(client, url(), {**target, "slot": 999999}), 400, "invalid")
    assert "slot" in body["errors"]
    assert FlashMeeting.objects.count() == 0


def test_only_mentors_of_the_mentees_programs_can_be_asked(world):
    stranger = AvailabilitySlotFactory().mentor  # a mentor nowhere near this mentee
    from tests.factories import MentorMembershipFactory

    elsewhere = MentorMembershipFactory(program=world.other_program, user=stranger)
    response = post(
        person_client(world.mentee),
        url(),
        {
            "mentor_membership": elsewhere.pk,
            "topic": "CV",
            "proposed_times": [in_days(5).isoformat()],
        },
    )
    problem(response, 404, "not_found")


def test_a_meeting_within_the_connection_is_requested_and_shown_as_such(world):
    connection = ConnectionFactory(program=world.program, mentor=world.mentor, mentee=world.mentee)
    response = post(
        person_client(world.mentee),
        url(),
        {"connection": connection.pk, "topic": "Goals", "proposed_times": [in_days(5).isoformat()]},
    )
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["connection"]) == ("connection", connection.pk)
    # Someone else's connection: 404.
    problem(
        post(
            person_client(world.other_mentee),
            url(),
            {"connection": connection.pk, "topic": "x", "proposed_times": [in_days(5).isoformat()]},
        ),
        404,
        "not_found",
    )


def test_a_key_cannot_request_for_a_mentee_and_a_session_needs_the_csrf_token(world):
    slot = slot_of(world)
    data = {"mentor_membership": world.mentor_membership.pk, "topic": "CV", "slot": slot.pk}
    problem(post(world.key("write"), url(), data), 403, "permission_denied")
    csrf_client = APIClient(enforce_csrf_checks=True)
    csrf_client.force_login(world.mentee)
    problem(post(csrf_client, url(), data), 403, "permission_denied")
    assert FlashMeeting.objects.count() == 0


# --- answering ---------------------------------------------------------------------


def test_the_mentor_accepts_the_slot_and_both_get_the_invite(world):
    slot = slot_of(world)
    meeting = requested(world, slot=slot, starts_at=slot.starts_at, ends_at=slot.ends_at)
    problem(post(person_client(world.mentee), url(meeting, "accept")), 403, "not_allowed")
    response = post(person_client(world.mentor), url(meeting, "accept"), {"location": "Café Lumen"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["location"]) == ("scheduled", "Café Lumen")
    assert sorted(outbox()) == [
        ("flash_meeting_accepted", "amara"),
        ("flash_meeting_accepted", "elif"),
    ]
    # An illegal transition: the request is already answered.
    problem(post(person_client(world.mentor), url(meeting, "accept")), 409, "invalid_transition")


def test_the_mentor_accepts_one_of_the_proposed_times(world):
    meeting = requested(world, starts_at=None, ends_at=None, counts_in_month=None)
    proposal = ProposedTimeFactory(meeting=meeting)
    client = person_client(world.mentor)
    body = problem(post(client, url(meeting, "accept")), 400, "invalid")
    assert "proposed_time" in body["errors"]
    response = post(client, url(meeting, "accept"), {"proposed_time": proposal.pk})
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert (meeting.status, meeting.starts_at) == ("scheduled", proposal.starts_at)


def test_the_mentor_declines_with_a_reason(world):
    meeting = requested(world, starts_at=None, ends_at=None, counts_in_month=None)
    client = person_client(world.mentor)
    problem(post(client, url(meeting, "decline")), 400, "invalid")
    response = post(client, url(meeting, "decline"), {"reason": "I am away that week."})
    assert response.json()["status"] == "declined"
    assert response.json()["decline_reason"] == "I am away that week."
    assert outbox() == [("flash_meeting_declined", "elif")]


def test_the_mentor_proposes_a_time_and_the_mentee_accepts_it(world):
    meeting = requested(world, starts_at=None, ends_at=None, counts_in_month=None)
    ProposedTimeFactory(meeting=meeting)
    starts_at = in_days(6, hour=14)
    problem(
        post(
            person_client(world.mentee),
            url(meeting, "propose"),
            {"starts_at": starts_at.isoformat()},
        ),
        403,
        "not_allowed",
    )
    response = post(
        person_client(world.mentor), url(meeting, "propose"), {"starts_at": starts_at.isoformat()}
    )
    assert response.status_code == 200, response.content
    assert response.json()["awaits_mentee"] is True
    assert outbox() == [("flash_meeting_time_proposed", "elif")]
    proposal = ProposedTime.objects.get(meeting=meeting, by_mentor=True)
    mentee = person_client(world.mentee)
    problem(post(mentee, url(meeting, "accept-proposal"), {"proposed_time": 0}), 400, "invalid")
    response = post(mentee, url(meeting, "accept-proposal"), {"proposed_time": proposal.pk})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "scheduled"
    assert datetime.fromisoformat(response.json()["starts_at"]) == starts_at


def test_the_mentee_withdraws_the_request(world):
    meeting = requested(world, starts_at=None, ends_at=None, counts_in_month=None)
    problem(post(person_client(world.mentor), url(meeting, "withdraw")), 403, "not_allowed")
    assert (
        post(person_client(world.mentee), url(meeting, "withdraw")).json()["status"] == "withdrawn"
    )
    assert outbox() == [("flash_meeting_withdrawn", "amara")]
    problem(post(person_client(world.mentee), url(meeting, "withdraw")), 409, "invalid_transition")


def test_either_side_cancels_before_the_start_with_a_message(world):
    meeting = scheduled(world)
    client = person_client(world.mentee)
    problem(post(client, url(meeting, "cancel")), 400, "invalid")
    response = post(client, url(meeting, "cancel"), {"message": "Sorry, I am ill."})
    assert response.json()["status"] == "cancelled"
    assert sorted(outbox()) == [
        ("flash_meeting_cancelled", "amara"),
        ("flash_meeting_cancelled", "elif"),
    ]
    problem(post(client, url(meeting, "cancel"), {"message": "Again"}), 409, "invalid_transition")


def test_either_side_records_that_an_over_meeting_did_not_happen(world):
    ahead = scheduled(world)
    problem(post(person_client(world.mentor), url(ahead, "not-held")), 409, "invalid_transition")
    meeting = over(world)
    response = post(person_client(world.mentor), url(meeting, "not-held"))
    assert response.json()["status"] == "did_not_happen"
    assert post(person_client(world.mentor), url(meeting, "not-held")).status_code == 200


@pytest.mark.parametrize(
    "verb", ["accept", "decline", "propose", "accept-proposal", "withdraw", "cancel", "not-held"]
)
def test_actions_need_the_participants_session(world, verb):
    """Keys act for program admins, and Django admin has no meeting actions: a key gets
    403 (a read-only key too), the program admin's session 404 (not their meeting, as on
    the site), anyone else 404; nothing changes."""
    meeting = requested(world, starts_at=None, ends_at=None, counts_in_month=None)
    before = FlashMeeting.objects.values().get(pk=meeting.pk)
    data = {"reason": "x", "message": "x", "starts_at": in_days(5).isoformat(), "proposed_time": 1}
    problem(post(world.key("write"), url(meeting, verb), data), 403, "permission_denied")
    problem(post(world.key("read"), url(meeting, verb), data), 403, "permission_denied")
    for person in (world.admin, world.other_mentee):
        problem(post(person_client(person), url(meeting, verb), data), 404, "not_found")
    assert FlashMeeting.objects.values().get(pk=meeting.pk) == before
    assert outbox() == []


# --- reading -----------------------------------------------------------------------


def test_who_sees_a_meeting(world):
    meeting = scheduled(world)
    for client in (
        person_client(world.mentor),
        person_client(world.mentee),
        person_client(world.admin),
        world.key("read"),
    ):
        assert client.get(url(meeting)).json()["id"] == meeting.pk
        assert [row["id"] for row in client.get(url()).json()["results"]] == [meeting.pk]
    for client in (
        person_client(world.other_mentee),
        person_client(world.other_admin),
        world.key("foreign"),
    ):
        problem(client.get(url(meeting)), 404, "not_found")
        assert client.get(url()).json()["results"] == []


def test_filters_status_program_and_start(world):
    ahead = scheduled(world, starts_at=in_days(10))
    pending = requested(
        world,
        mentee=world.other_mentee,
        starts_at=in_days(3),
        ends_at=in_days(3) + timedelta(minutes=30),
    )
    gone = over(world)
    client = world.key("read")

    def ids(**params):
        response = client.get(url(), params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(status="requested") == [pending.pk]
    assert ids(program=world.program.pk) == [gone.pk, pending.pk, ahead.pk]
    assert ids(program=world.other_program.pk) == []
    assert ids(starts_after=in_days(5).isoformat()) == [ahead.pk]
    assert ids(starts_before=timezone.now().isoformat()) == [gone.pk]
    problem(client.get(url(), {"status": "maybe"}), 400, "invalid")
    problem(client.get(url(), {"starts_after": "soon"}), 400, "invalid")


def test_cursor_pages_newest_first(world):
    made = [scheduled(world, starts_at=in_days(3 + n)) for n in range(3)]
    client = person_client(world.mentee)
    first = client.get(url(), {"page_size": 2}).json()
    assert [row["id"] for row in first["results"]] == [made[2].pk, made[1].pk]
    assert [row["id"] for row in client.get(first["next"]).json()["results"]] == [made[0].pk]


def test_etag_and_if_none_match_give_304(world):
    meeting = scheduled(world)
    client = person_client(world.mentee)
    for address in (url(), url(meeting)):
        first = client.get(address)
        assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    post(client, url(meeting, "cancel"), {"message": "Sorry"})
    assert client.get(url(meeting), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_list_costs_the_same_queries_with_more_meetings(world, django_assert_num_queries):
    scheduled(world)
    client = person_client(world.mentee)
    key = world.key("read")
    key.get(url())  # records the key's first use (once a minute at most)
    # session, user, administered programs, the page (people and program joined), its
    # proposed times
    with django_assert_num_queries(5):
        client.get(url())
    # key (with its program and maker), the page, its proposed times
    with django_assert_num_queries(3):
        key.get(url())
    connection = ConnectionFactory(program=world.program, mentor=world.mentor, mentee=world.mentee)
    for n in range(15):
        meeting = requested(world, starts_at=None, ends_at=None, counts_in_month=None)
        ProposedTimeFactory(meeting=meeting, starts_at=in_days(20 + n))
        scheduled(world, connection=connection, starts_at=in_days(40 + n))
    with django_assert_num_queries(5):
        assert len(client.get(url()).json()["results"]) == 31
    with django_assert_num_queries(3):
        assert len(key.get(url()).json()["results"]) == 31
