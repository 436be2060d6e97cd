"""The follow-up of a flash meeting over the API: GET is what the page shows (the offer,
its reason code and sentence, the choices), POST is what its buttons do, through the
page's service (same rows, same emails), with the eligibility reason codes as refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiKey
from flash_meetings.models import FlashMeeting
from matching.models import Connection, ConnectionRequest
from tests.api.conftest import administrator_of, key_client, make_key, person_client
from tests.api.conftest_participant import outbox, problem
from tests.connections.factories import ConnectionFactory
from tests.factories import MembershipFactory
from tests.follow_up.conftest import FORCED, REQUEST, make_setup

pytestmark = pytest.mark.django_db


def url(meeting) -> str:
    return f"/api/v1/flash-meetings/{meeting.pk}/follow-up/"


def survey(meeting) -> str:
    return f"/surveys/meetings/{meeting.pk}/"


def answer(setup, choice: str, **extra):
    return person_client(setup.mentee).post(
        url(setup.meeting), {"choice": choice, **extra}, format="json"
    )


def full(setup) -> None:
    """The mentor's last slot goes to another mentee."""
    other = MembershipFactory(program=setup.program).user
    ConnectionFactory(program=setup.program, mentor=setup.mentor, mentee=other)


# --- GET: what the page shows ------------------------------------------------------------


def test_an_eligible_forced_offer_shows_three_choices(db):
    setup = make_setup(FORCED)
    response = person_client(setup.mentee).get(url(setup.meeting))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["offered"], body["reason"], body["policy"]) == (
        "open",
        True,
        None,
        "forced_connection",
    )
    assert body["sentence"] == ""
    assert body["choices"] == [
        {"value": "connect", "label": "Yes, connect me with Amara Okafor"},
        {"value": "no_thanks", "label": "No thanks, go on to the feedback survey"},
        {"value": "did_not_happen", "label": "The meeting did not happen"},
    ]
    assert body["meeting"]["mentor"] == {"id": setup.mentor.pk, "name": "Amara Okafor"}
    assert (body["answer"], body["next"]) == (None, None)


def test_the_request_policy_offers_to_send_a_request_with_the_prefilled_message(db):
    body = person_client((setup := make_setup(REQUEST)).mentee).get(url(setup.meeting)).json()
    assert body["choices"][0] == {"value": "connect", "label": "Yes, send Amara Okafor a request"}
    assert "Moving into product management" in body["default_message"]


def test_no_offer_says_why_in_one_sentence_and_leaves_two_choices(db):
    setup = make_setup(FORCED, mentor_limit=1)
    full(setup)
    body = person_client(setup.mentee).get(url(setup.meeting)).json()
    assert (body["offered"], body["reason"], body["policy"]) == (False, "mentor_full", None)
    assert body["sentence"] == "Amara Okafor isn't taking on new ongoing mentees right now."
    assert [choice["value"] for choice in body["choices"]] == ["no_thanks", "did_not_happen"]


def test_with_the_feature_off_there_is_no_sentence(db):
    setup = make_setup(FORCED, flash_to_ongoing_enabled=False)
    body = person_client(setup.mentee).get(url(setup.meeting)).json()
    assert (body["offered"], body["reason"], body["sentence"]) == (False, "feature_off", "")
    assert len(body["choices"]) == 2


def test_before_the_end_no_choice_and_when_to_come_back(db):
    setup = make_setup(FORCED)
    FlashMeeting.objects.filter(pk=setup.meeting.pk).update(
        ends_at=timezone.now() + timedelta(hours=1)
    )
    body = person_client(setup.mentee).get(url(setup.meeting)).json()
    assert (body["state"], body["reason"], body["choices"]) == ("too_early", "meeting_not_over", [])
    assert body["sentence"].startswith("This meeting hasn't ended yet. Come back after it ends")


def test_once_answered_it_leads_on_to_the_survey(db):
    setup = make_setup(FORCED)
    answer(setup, "no_thanks")
    body = person_client(setup.mentee).get(url(setup.meeting)).json()
    assert (body["state"], body["answer"], body["next"]) == (
        "answered",
        "no_thanks",
        survey(setup.meeting),
    )
    assert body["choices"] == [] and body["answered_at"]


def test_anyone_but_the_mentee_gets_404_like_the_page(db):
    setup = make_setup(FORCED)
    stranger = MembershipFactory(program=setup.program).user
    for person in (setup.mentor, stranger, administrator_of(setup.program)):
        problem(person_client(person).get(url(setup.meeting)), 404, "not_found")
        response = person_client(person).post(
            url(setup.meeting), {"choice": "no_thanks"}, format="json"
        )
        problem(response, 404, "not_found")
    assert FlashMeeting.objects.get().follow_up_choice == ""


def test_a_key_cannot_answer_for_the_mentee(db):
    setup = make_setup(FORCED)
    key = key_client(make_key(setup.program, scope=ApiKey.Scope.READ_WRITE))
    problem(key.get(url(setup.meeting)), 403, "permission_denied")
    problem(
        key.post(url(setup.meeting), {"choice": "connect"}, format="json"), 403, "permission_denied"
    )
    assert not Connection.objects.exists()


def test_etag_and_if_none_match_give_304(db):
    setup = make_setup(FORCED)
    client = person_client(setup.mentee)
    first = client.get(url(setup.meeting))
    assert client.get(url(setup.meeting), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_follow_up_costs_the_same_queries_with_many_meetings(db, django_assert_num_queries):
    setup = make_setup(FORCED)
    client = person_client(setup.mentee)
    # session, user, administered programs, the meeting with the mentor's terms and counts
    with django_assert_num_queries(4):
        client.get(url(setup.meeting))
    for _ in range(10):
        setup.another_mentee_meeting()
    with django_assert_num_queries(4):
        client.get(url(setup.meeting))


# --- POST: what the buttons do -----------------------------------------------------------


def test_yes_under_the_forced_policy_connects_them_as_the_page_does(db, client):
    on_page, over_api = make_setup(FORCED), make_setup(FORCED)
    client.force_login(on_page.mentee)
    assert (
        client.post(f"/meetings/{on_page.meeting.pk}/follow-up/", {"choice": "connect"}).status_code
        == 302
    )
    page_emails = outbox()
    response = answer(over_api, "connect", policy="forced_connection")
    assert response.status_code == 200, response.content
    body = response.json()
    connection = Connection.objects.get(mentee=over_api.mentee)
    assert body == {
        "choice": "connect",
        "repeated": False,
        "connection": connection.pk,
        "connection_request": None,
        "next": survey(over_api.meeting),
    }
    assert (connection.origin, connection.flash_meeting_id) == (
        "flash_meeting",
        over_api.meeting.pk,
    )
    api_emails = outbox()[len(page_emails) :]
    assert (
        sorted(kind for kind, _ in api_emails)
        == sorted(kind for kind, _ in page_emails)
        == [
            "flash_connection_created_mentee",
            "flash_connection_created_mentor",
        ]
    )
    meeting = FlashMeeting.objects.get(pk=over_api.meeting.pk)
    assert (meeting.status, meeting.follow_up_choice, meeting.follow_up_offer_shown) == (
        "completed",
        "connect",
        True,
    )


def test_yes_under_the_request_policy_sends_the_request_with_the_mentees_message(db):
    setup = make_setup(REQUEST)
    response = answer(setup, "connect", message="Let's keep going!")
    assert response.status_code == 200
    request = ConnectionRequest.objects.get()
    assert response.json()["connection_request"] == request.pk
    assert (request.message, request.origin, request.flash_meeting_id) == (
        "Let's keep going!",
        "flash_meeting",
        setup.meeting.pk,
    )
    assert outbox() == [("connection_request_received", setup.mentor.username)]


def test_without_a_message_the_request_carries_the_pages_prefilled_one(db):
    setup = make_setup(REQUEST)
    answer(setup, "connect")
    assert "Moving into product management" in ConnectionRequest.objects.get().message


def test_the_same_choice_twice_changes_nothing(db):
    setup = make_setup(FORCED)
    answer(setup, "connect")
    emails = outbox()
    again = answer(setup, "connect")
    assert again.status_code == 200
    assert again.json()["repeated"] is True
    assert Connection.objects.count() == 1 and outbox() == emails


def test_another_choice_after_answering_is_409_already_answered(db):
    setup = make_setup(FORCED)
    answer(setup, "no_thanks")
    problem(answer(setup, "connect"), 409, "already_answered")
    assert not Connection.objects.exists()


def test_yes_to_a_full_mentor_is_409_mentor_full(db):
    setup = make_setup(FORCED, mentor_limit=1)
    full(setup)
    body = problem(answer(setup, "connect"), 409, "mentor_full")
    assert body["detail"] == "Amara Okafor isn't taking on new ongoing mentees right now."
    assert FlashMeeting.objects.get(pk=setup.meeting.pk).follow_up_choice == ""


def test_yes_with_the_feature_off_is_409_feature_off(db):
    setup = make_setup(FORCED, flash_to_ongoing_enabled=False)
    problem(answer(setup, "connect"), 409, "feature_off")


def test_yes_after_the_policy_changed_is_409_offer_changed(db):
    setup = make_setup(FORCED)
    problem(answer(setup, "connect", policy="connection_request"), 409, "offer_changed")
    assert not Connection.objects.exists()


def test_before_the_end_is_409_meeting_not_over(db):
    setup = make_setup(FORCED)
    FlashMeeting.objects.filter(pk=setup.meeting.pk).update(
        ends_at=timezone.now() + timedelta(hours=1)
    )
    problem(answer(setup, "no_thanks"), 409, "meeting_not_over")


def test_the_meeting_did_not_happen_records_it_and_leads_to_the_survey(db):
    setup = make_setup(FORCED)
    response = answer(setup, "did_not_happen")
    assert response.status_code == 200
    assert response.json()["next"] == survey(setup.meeting)
    meeting = FlashMeeting.objects.get(pk=setup.meeting.pk)
    assert (meeting.status, meeting.follow_up_choice) == ("did_not_happen", "did_not_happen")
    assert not Connection.objects.exists()


def test_an_unknown_choice_is_400_invalid(db):
    setup = make_setup(FORCED)
    body = problem(answer(setup, "maybe"), 400, "invalid")
    assert "choice" in body["errors"]
