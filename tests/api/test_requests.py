"""Connection requests over the API: the Connect button, the mentor's answer and the
mentee's withdrawal through the site's services (same rows, same emails), every refusal
as a problem body, who sees what, keys, filters, cursor pages, ETags and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiKey
from matching.models import Connection, ConnectionRequest
from tests.api.conftest import administrator_of, key_client, make_key, person_client
from tests.api.conftest_participant import outbox, problem
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/connection-requests/"


def url(request=None, verb: str = "") -> str:
    if request is None:
        return REQUESTS
    return f"{REQUESTS}{request.pk}/" + (f"{verb}/" if verb else "")


@pytest.fixture
def world(db):
    """Amara mentors in the "Ongoing Program" (two slots); Elif and Farid are mentees."""
    program = ProgramFactory(slug="ongoing", name="Ongoing Program")
    amara = MentorMembershipFactory(
        program=program,
        max_ongoing_mentees=2,
        user__username="amara",
        user__display_name="Amara Okafor",
    )
    elif_ = MembershipFactory(
        program=program,
        user__username="elif",
        user__display_name="Elif Demir",
        goals="Grow into a tech lead",
    ).user
    farid = MembershipFactory(program=program, user__username="farid").user
    return {
        "program": program,
        "amara": amara.user,
        "membership": amara,
        "elif": elif_,
        "farid": farid,
    }


def pending(world, mentee=None, **fields) -> ConnectionRequest:
    return ConnectionRequestFactory(
        program=world["program"], mentor=world["amara"], mentee=mentee or world["elif"], **fields
    )


# --- Connect -----------------------------------------------------------------------------


def test_connect_by_membership_sends_the_request_the_button_sends(world):
    response = person_client(world["elif"]).post(
        url(),
        {"mentor_membership": world["membership"].pk, "message": "Could you mentor me?"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    request = ConnectionRequest.objects.get()
    assert (request.mentor, request.mentee, request.status, request.origin) == (
        world["amara"],
        world["elif"],
        "pending",
        "profile",
    )
    assert body["id"] == request.pk and body["status"] == "pending"
    assert body["mentor"] == {"id": world["amara"].pk, "name": "Amara Okafor"}
    assert body["mentee_goals"] == "Grow into a tech lead"
    assert outbox() == [("connection_request_received", "amara")]


def test_connect_by_mentor_and_program(world):
    response = person_client(world["elif"]).post(
        url(),
        {"mentor": world["amara"].pk, "program": world["program"].pk, "message": "Hello"},
        format="json",
    )
    assert response.status_code == 201
    assert ConnectionRequest.objects.filter(mentee=world["elif"], status="pending").count() == 1


def test_the_same_request_as_the_sites_connect_button(world, client):
    """The page and the API leave the same rows and the same emails behind."""
    client.force_login(world["farid"])
    page = client.post(
        f"/programs/{world['program'].slug}/mentors/{world['membership'].pk}/connect/",
        {"message": "Hello"},
    )
    assert page.status_code == 302
    person_client(world["elif"]).post(
        url(), {"mentor_membership": world["membership"].pk, "message": "Hello"}, format="json"
    )
    rows = ConnectionRequest.objects.order_by("pk").values_list(
        "mentee__username", "mentor__username", "status", "origin", "message"
    )
    assert list(rows) == [
        ("farid", "amara", "pending", "profile", "Hello"),
        ("elif", "amara", "pending", "profile", "Hello"),
    ]
    assert outbox() == [("connection_request_received", "amara")] * 2


def test_connect_to_a_full_mentor_is_409_mentor_full(world):
    membership = world["membership"]
    membership.max_ongoing_mentees = 1
    membership.save()
    ConnectionFactory(program=world["program"], mentor=world["amara"], mentee=world["farid"])
    response = person_client(world["elif"]).post(
        url(), {"mentor_membership": membership.pk, "message": "Hello"}, format="json"
    )
    body = problem(response, 409, "mentor_full")
    assert "Amara Okafor" in body["detail"]
    assert not ConnectionRequest.objects.exists() and outbox() == []


def test_connect_twice_is_409_request_pending(world):
    pending(world)
    response = person_client(world["elif"]).post(
        url(), {"mentor_membership": world["membership"].pk, "message": "Again"}, format="json"
    )
    problem(response, 409, "request_pending")


def test_connect_without_a_message_is_400_invalid(world):
    response = person_client(world["elif"]).post(
        url(), {"mentor_membership": world["membership"].pk}, format="json"
    )
    body = problem(response, 400, "invalid")
    assert body["errors"]["message"] == ["Write a short message to the mentor."]


def test_connect_to_a_program_one_is_not_in_is_404(world):
    other_mentor = MentorMembershipFactory(program=ProgramFactory())
    response = person_client(world["elif"]).post(
        url(), {"mentor_membership": other_mentor.pk, "message": "Hello"}, format="json"
    )
    problem(response, 404, "not_found")
    response = person_client(world["elif"]).post(
        url(),
        {"mentor": world["farid"].pk, "program": world["program"].pk, "message": "Hi"},
        format="json",
    )
    problem(response, 404, "not_found")  # Farid is no mentor


def test_a_session_post_without_the_csrf_token_is_403(world):
    client = person_client(world["elif"], csrf=True)
    response = client.post(
        url(), {"mentor_membership": world["membership"].pk, "message": "Hello"}, format="json"
    )
    problem(response, 403, "permission_denied")
    assert not ConnectionRequest.objects.exists()


def test_a_key_cannot_connect_for_a_mentee(world):
    key = make_key(world["program"], scope=ApiKey.Scope.READ_WRITE)
    response = key_client(key).post(
        url(), {"mentor_membership": world["membership"].pk, "message": "Hello"}, format="json"
    )
    problem(response, 403, "permission_denied")
    assert not ConnectionRequest.objects.exists()


# --- The mentor's answer and the withdrawal ----------------------------------------------


def test_the_mentor_accepts_and_they_are_connected(world):
    request = pending(world)
    response = person_client(world["amara"]).post(url(request, "accept"))
    assert response.status_code == 200, response.content
    body = response.json()
    connection = Connection.objects.get()
    assert body["request"]["status"] == "accepted"
    assert body["connection"]["id"] == connection.pk
    assert (connection.origin, connection.request_id) == ("profile_request", request.pk)
    assert outbox() == [("connection_request_accepted", "elif")]


def test_the_mentee_cannot_accept_their_own_request(world):
    request = pending(world)
    problem(person_client(world["elif"]).post(url(request, "accept")), 403, "not_allowed")
    assert ConnectionRequest.objects.get().status == "pending"


def test_the_mentor_declines_with_a_reason_and_a_note(world):
    request = pending(world)
    response = person_client(world["amara"]).post(
        url(request, "decline"), {"reason": "busy", "note": "Try in spring"}, format="json"
    )
    assert response.status_code == 200, response.content
    request.refresh_from_db()
    assert (request.status, request.decline_reason, request.decline_note) == (
        "declined",
        "busy",
        "Try in spring",
    )
    assert response.json()["decline_reason"] == "busy"
    assert outbox() == [("connection_request_declined", "elif")]


def test_declining_without_a_reason_is_400_and_after_an_answer_409(world):
    request = pending(world)
    client = person_client(world["amara"])
    body = problem(client.post(url(request, "decline"), {}, format="json"), 400, "invalid")
    assert body["errors"]["reason"] == ["Choose a reason for declining."]
    client.post(url(request, "decline"), {"reason": "other"}, format="json")
    problem(client.post(url(request, "accept")), 409, "illegal_transition")


def test_the_mentee_withdraws(world):
    request = pending(world)
    response = person_client(world["elif"]).post(url(request, "withdraw"))
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert outbox() == [("connection_request_withdrawn", "amara")]


def test_someone_elses_request_is_404_for_every_verb(world):
    request = pending(world)
    farid = person_client(world["farid"])
    problem(farid.get(url(request)), 404, "not_found")
    for verb in ("accept", "decline", "withdraw"):
        problem(farid.post(url(request, verb), {"reason": "busy"}, format="json"), 404, "not_found")
    assert ConnectionRequest.objects.get().status == "pending"


def test_keys_act_for_admins_not_for_the_mentor_or_mentee(world):
    request = pending(world)
    writer = key_client(make_key(world["program"], scope=ApiKey.Scope.READ_WRITE))
    reader = key_client(make_key(world["program"], scope=ApiKey.Scope.READ))
    for verb in ("accept", "withdraw"):
        problem(writer.post(url(request, verb)), 403, "permission_denied")
        problem(reader.post(url(request, verb)), 403, "permission_denied")
    assert reader.get(url(request)).status_code == 200
    assert ConnectionRequest.objects.get().status == "pending"


# --- Who sees what ------------------------------------------------------------------------


def test_a_mentee_sees_the_requests_sent_and_a_mentor_the_ones_received(world):
    mine = pending(world)
    pending(world, mentee=world["farid"])
    other_program = ProgramFactory()
    ConnectionRequestFactory(program=other_program)
    elif_ids = [row["id"] for row in person_client(world["elif"]).get(url()).json()["results"]]
    assert elif_ids == [mine.pk]
    amara = person_client(world["amara"]).get(url()).json()["results"]
    assert len(amara) == 2 and all(row["mentor"]["id"] == world["amara"].pk for row in amara)


def test_program_admins_and_keys_see_their_programs_requests_only(world):
    pending(world)
    pending(world, mentee=world["farid"])
    other = ProgramFactory()
    ConnectionRequestFactory(program=other)
    assert len(person_client(administrator_of(world["program"])).get(url()).json()["results"]) == 2
    assert len(key_client(make_key(world["program"])).get(url()).json()["results"]) == 2
    other_key = key_client(make_key(other))
    assert len(other_key.get(url()).json()["results"]) == 1
    problem(
        other_key.get(url(ConnectionRequest.objects.filter(program=world["program"]).first())),
        404,
        "not_found",
    )


def test_filters_status_program_role_and_dates(world):
    old = pending(world, created_at=timezone.now() - timedelta(days=40), status="declined")
    new = pending(world, mentee=world["farid"])
    sent = ConnectionRequestFactory(
        program=world["program"],
        mentor=MentorMembershipFactory(program=world["program"]).user,
        mentee=world["amara"],
    )
    client = person_client(world["amara"])

    def ids(**params):
        response = client.get(url(), params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(status="pending") == {new.pk, sent.pk}
    assert ids(status="declined") == {old.pk}
    assert ids(role="received") == {old.pk, new.pk}
    assert ids(role="sent") == {sent.pk}
    assert ids(program=world["program"].pk) == {old.pk, new.pk, sent.pk}
    assert ids(program=ProgramFactory().pk) == set()
    ten_days_ago = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert ids(created_after=ten_days_ago) == {new.pk, sent.pk}
    assert ids(created_before=ten_days_ago) == {old.pk}
    problem(client.get(url(), {"created_after": "yesterday"}), 400, "invalid")
    problem(client.get(url(), {"status": "maybe"}), 400, "invalid")


def test_cursor_pages_newest_first(world):
    made = [
        pending(world, mentee=MembershipFactory(program=world["program"]).user) for _ in range(3)
    ]
    client = person_client(world["amara"])
    first = client.get(url(), {"page_size": 2}).json()
    assert [row["id"] for row in first["results"]] == [made[2].pk, made[1].pk]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [made[0].pk]
    assert second["next"] is None


def test_etag_and_if_none_match_give_304(world):
    request = pending(world)
    client = person_client(world["elif"])
    for address in (url(), url(request)):
        first = client.get(address)
        assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_list_costs_the_same_queries_with_more_requests(world, django_assert_num_queries):
    pending(world)
    client = person_client(world["amara"])
    key = key_client(make_key(world["program"]))
    key.get(url())  # records the key's first use (once a minute at most)
    # session, user, administered programs, the page (people, program and goals joined)
    with django_assert_num_queries(4):
        client.get(url())
    # key (with its program and maker), the page
    with django_assert_num_queries(2):
        key.get(url())
    for _ in range(15):
        pending(world, mentee=MembershipFactory(program=world["program"]).user)
    with django_assert_num_queries(4):
        assert len(client.get(url()).json()["results"]) == 16
    with django_assert_num_queries(2):
        assert len(key.get(url()).json()["results"]) == 16
