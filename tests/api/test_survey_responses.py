"""Survey responses over the API: program admins and their keys read their programs'
responses with each answer as the admin shows it; participants get an empty list (and a
404 for any response), like everyone outside the program."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from surveys.models import Survey, SurveyResponse, Version
from tests.api.conftest import person_client
from tests.api.conftest_admin import world_fixture  # noqa: F401 (the fixture ``world``)
from tests.api.conftest_participant import problem
from tests.connections.factories import ConnectionFactory
from tests.surveys import factories
from tests.surveys.conftest import HELPED, TALKED, USEFUL

pytestmark = pytest.mark.django_db

RESPONSES = "/api/v1/survey-responses/"


def url(response=None) -> str:
    return RESPONSES if response is None else f"{RESPONSES}{response.pk}/"


def answered(world, *, days_ago: int = 0, program=None, **values) -> SurveyResponse:
    program = program or world.program
    meeting = factories.meeting(
        program=program,
        status=FlashMeeting.Status.COMPLETED,
        ended_ago=timedelta(days=days_ago, hours=2),
        mentor_user=world.mentor if program == world.program else None,
        mentee_user=world.mentee if program == world.program else None,
    )
    return factories.answer(
        meeting,
        meeting.mentee,
        values or {USEFUL: 4, TALKED: "My CV", HELPED: ["Confidence", "Career direction"]},
        now=timezone.now() - timedelta(days=days_ago),
    )


def test_an_admin_reads_a_response_as_the_admin_page_shows_it(world):
    response = answered(world)
    body = person_client(world.admin).get(url(response)).json()
    assert body["survey"]["kind"] == "flash_meeting_feedback"
    assert body["survey"]["role"] == "mentee"
    assert body["program"]["slug"] == "wie"
    assert body["respondent"] == {"id": world.mentee.pk, "name": "Elif Demir"}
    assert (body["version"], body["flash_meeting"], body["connection"]) == (
        "completed",
        response.flash_meeting_id,
        None,
    )
    # The language it was answered in; the answers themselves are in the base language.
    assert body["language"] == response.language == "en"
    # Each answer as the admin's inline shows it: the text as asked, the kind, the value.
    assert body["answers"] == [
        {"question": a.question_text, "kind": a.question_kind, "answer": a.display_value}
        for a in response.answers.order_by("pk")
    ]
    assert {
        "question": HELPED,
        "kind": "multiple_choice",
        "answer": "Confidence; Career direction",
    } in body["answers"]
    assert {"question": USEFUL, "kind": "rating", "answer": "4"} in body["answers"]


def test_keys_read_their_programs_responses_only(world):
    mine, theirs = answered(world), answered(world, program=world.other_program)
    assert [row["id"] for row in world.key("read").get(url()).json()["results"]] == [mine.pk]
    problem(world.key("read").get(url(theirs)), 404, "not_found")
    assert [row["id"] for row in world.key("foreign").get(url()).json()["results"]] == [theirs.pk]
    problem(world.key("foreign").get(url(mine)), 404, "not_found")


def test_participants_see_no_responses_not_even_their_own(world):
    response = answered(world)
    for person in (world.mentee, world.mentor, world.other_admin):
        client = person_client(person)
        assert client.get(url()).json()["results"] == []
        problem(client.get(url(response)), 404, "not_found")


def test_filters_program_survey_kind_and_submitted(world):
    old, recent = answered(world, days_ago=10), answered(world, days_ago=1)
    connection = ConnectionFactory(program=world.program, mentor=world.mentor, mentee=world.mentee)
    check_in = SurveyResponse.objects.create(
        survey=Survey.objects.get(
            program=world.program, kind=Survey.Kind.CONNECTION_CHECK_IN, role="mentee"
        ),
        connection=connection,
        respondent=world.mentee,
        version=Version.CONNECTION,
    )
    client = person_client(world.admin)

    def ids(**params):
        response = client.get(url(), params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [check_in.pk, recent.pk, old.pk]
    assert ids(survey="flash_meeting_feedback") == [recent.pk, old.pk]
    assert ids(survey="connection_check_in") == [check_in.pk]
    assert ids(program=world.other_program.pk) == []
    assert ids(submitted_after=(timezone.now() - timedelta(days=5)).isoformat()) == [
        check_in.pk,
        recent.pk,
    ]
    assert ids(submitted_before=(timezone.now() - timedelta(days=5)).isoformat()) == [old.pk]
    problem(client.get(url(), {"survey": "gossip"}), 400, "invalid")


def test_cursor_pages_and_etag(world):
    made = [answered(world, days_ago=n) for n in range(3)]
    client = world.key("read")
    first = client.get(url(), {"page_size": 2})
    assert [row["id"] for row in first.json()["results"]] == [made[2].pk, made[1].pk]
    assert [row["id"] for row in client.get(first.json()["next"]).json()["results"]] == [made[0].pk]
    assert client.get(url(), {"page_size": 2}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_responses_are_read_only(world):
    response = answered(world)
    problem(world.key("write").post(url(), {}, format="json"), 405, "method_not_allowed")
    problem(world.key("write").delete(url(response)), 405, "method_not_allowed")


def test_the_list_costs_the_same_queries_with_more_responses(world, django_assert_num_queries):
    answered(world)
    client = person_client(world.admin)
    key = world.key("read")
    key.get(url())  # records the key's first use (once a minute at most)
    # session, user, administered programs, the page (survey, program, respondent
    # joined), its answers
    with django_assert_num_queries(5):
        client.get(url())
    # key (with its program and maker), the page, its answers
    with django_assert_num_queries(3):
        key.get(url())
    for _ in range(10):
        meeting = factories.meeting(program=world.program, status=FlashMeeting.Status.COMPLETED)
        factories.answer(meeting, meeting.mentee, {USEFUL: 3})
        factories.answer(meeting, meeting.mentor, {})
    with django_assert_num_queries(5):
        assert len(client.get(url()).json()["results"]) == 21
    with django_assert_num_queries(3):
        assert len(key.get(url()).json()["results"]) == 21
