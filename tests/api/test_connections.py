"""Connections over the API: the two parties and their programs' admins and keys see
them; ending one is the site's and admin's ``connection_end`` (same rows, same emails)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiKey
from matching.models import Connection
from tests.api.conftest import administrator_of, key_client, make_key, person_client
from tests.api.conftest_participant import outbox, problem
from tests.connections.factories import ConnectionFactory
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory
from tests.ongoing.conftest import amara_mentoring_elif

pytestmark = pytest.mark.django_db

CONNECTIONS = "/api/v1/connections/"


def url(connection=None, verb: str = "") -> str:
    if connection is None:
        return CONNECTIONS
    return f"{CONNECTIONS}{connection.pk}/" + (f"{verb}/" if verb else "")


@pytest.fixture
def pair(db) -> Connection:
    """Amara mentoring Elif; Farid is another mentee of the program."""
    connection = amara_mentoring_elif()
    MembershipFactory(program=connection.program, user__username="farid")
    return connection


def another(pair, **fields) -> Connection:
    mentee = MembershipFactory(program=pair.program).user
    return ConnectionFactory(program=pair.program, mentor=pair.mentor, mentee=mentee, **fields)


def test_each_party_sees_the_connection(pair):
    for person in (pair.mentor, pair.mentee):
        response = person_client(person).get(url())
        assert [row["id"] for row in response.json()["results"]] == [pair.pk]
    body = person_client(pair.mentee).get(url(pair)).json()
    assert body["mentor"] == {"id": pair.mentor.pk, "name": "Amara Okafor"}
    assert (body["status"], body["origin"], body["ended_by"]) == ("active", "admin", None)


def test_someone_else_sees_nothing_and_gets_404(pair):
    farid = person_client(pair.program.memberships.get(user__username="farid").user)
    assert farid.get(url()).json()["results"] == []
    problem(farid.get(url(pair)), 404, "not_found")
    problem(farid.post(url(pair, "end"), {"reason": "x"}, format="json"), 404, "not_found")
    assert Connection.objects.get().status == "active"


def test_a_party_ends_the_connection_as_on_the_page(pair):
    response = person_client(pair.mentee).post(
        url(pair, "end"), {"reason": "We reached our goals"}, format="json"
    )
    assert response.status_code == 200, response.content
    pair.refresh_from_db()
    assert (pair.status, pair.end_reason, pair.end_cause, pair.ended_by) == (
        "ended",
        "We reached our goals",
        "ended_early",
        pair.mentee,
    )
    assert response.json()["ended_by"] == {"id": pair.mentee.pk, "name": "Elif Demir"}
    assert outbox() == [("connection_ended", "amara")]


def test_a_party_must_say_why(pair):
    body = problem(
        person_client(pair.mentor).post(url(pair, "end"), {}, format="json"), 400, "invalid_input"
    )
    assert body["detail"] == "Say in a few words why the connection ends."
    assert Connection.objects.get().status == "active"


def test_ending_twice_is_409(pair):
    client = person_client(pair.mentor)
    client.post(url(pair, "end"), {"reason": "Done"}, format="json")
    problem(
        client.post(url(pair, "end"), {"reason": "Done"}, format="json"), 409, "illegal_transition"
    )


def test_a_program_admin_ends_it_as_admin_does(pair):
    admin = administrator_of(pair.program)
    response = person_client(admin).post(url(pair, "end"), format="json")
    assert response.status_code == 200, response.content
    pair.refresh_from_db()
    assert (pair.status, pair.end_reason, pair.ended_by) == (
        "ended",
        "Ended by the program team.",
        admin,
    )
    assert sorted(outbox()) == [("connection_ended", "amara"), ("connection_ended", "elif")]


def test_a_read_write_key_ends_it_a_read_only_key_cannot(pair):
    reader = key_client(make_key(pair.program, scope=ApiKey.Scope.READ))
    problem(reader.post(url(pair, "end"), {"reason": "x"}, format="json"), 403, "permission_denied")
    assert Connection.objects.get().status == "active"
    writer = key_client(make_key(pair.program, scope=ApiKey.Scope.READ_WRITE))
    response = writer.post(url(pair, "end"), {"reason": "Program closed"}, format="json")
    assert response.status_code == 200
    assert Connection.objects.get().end_reason == "Program closed"


def test_a_key_or_admin_of_another_program_sees_nothing(pair):
    other = ProgramFactory()
    key = key_client(make_key(other, scope=ApiKey.Scope.READ_WRITE))
    assert key.get(url()).json()["results"] == []
    problem(key.get(url(pair)), 404, "not_found")
    problem(key.post(url(pair, "end"), {"reason": "x"}, format="json"), 404, "not_found")
    admin = person_client(administrator_of(other))
    problem(admin.post(url(pair, "end"), {"reason": "x"}, format="json"), 404, "not_found")
    assert Connection.objects.get().status == "active"


def test_the_admin_and_key_see_all_of_their_programs_connections(pair):
    another(pair)
    ConnectionFactory(program=ProgramFactory())
    assert len(person_client(administrator_of(pair.program)).get(url()).json()["results"]) == 2
    assert len(key_client(make_key(pair.program)).get(url()).json()["results"]) == 2


def test_filters_status_program_and_dates(pair):
    old = another(pair, started_at=timezone.now() - timedelta(days=60))
    ended = another(pair, status="ended", ended_at=timezone.now())
    client = person_client(pair.mentor)

    def ids(**params):
        response = client.get(url(), params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(status="active") == {pair.pk, old.pk}
    assert ids(status="ended") == {ended.pk}
    assert ids(program=pair.program.pk) == {pair.pk, old.pk, ended.pk}
    assert ids(program=ProgramFactory().pk) == set()
    month_ago = (timezone.now() - timedelta(days=30)).date().isoformat()
    assert ids(started_after=month_ago) == {pair.pk, ended.pk}
    assert ids(started_before=month_ago) == {old.pk}
    problem(client.get(url(), {"started_after": "soon"}), 400, "invalid")


def test_cursor_pages_newest_first(pair):
    made = [another(pair) for _ in range(2)]
    client = person_client(pair.mentor)
    first = client.get(url(), {"page_size": 2}).json()
    assert [row["id"] for row in first["results"]] == [made[1].pk, made[0].pk]
    assert [row["id"] for row in client.get(first["next"]).json()["results"]] == [pair.pk]


def test_etag_and_if_none_match_give_304(pair):
    client = person_client(pair.mentee)
    for address in (url(), url(pair)):
        first = client.get(address)
        assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    client.post(url(pair, "end"), {"reason": "Done"}, format="json")
    assert client.get(url(pair), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_list_costs_the_same_queries_with_more_connections(pair, django_assert_num_queries):
    client = person_client(pair.mentor)
    key = key_client(make_key(pair.program))
    key.get(url())  # records the key's first use (once a minute at most)
    # session, user, administered programs, the page (people and program joined)
    with django_assert_num_queries(4):
        client.get(url())
    # key (with its program and maker), the page
    with django_assert_num_queries(2):
        key.get(url())
    for _ in range(15):
        mentor = MentorMembershipFactory(program=pair.program).user
        ConnectionFactory(program=pair.program, mentor=mentor, mentee=pair.mentor)
        another(pair, status="ended", ended_at=timezone.now(), ended_by=pair.mentor)
    with django_assert_num_queries(4):
        assert len(client.get(url()).json()["results"]) == 31
    with django_assert_num_queries(2):
        assert len(key.get(url()).json()["results"]) == 31
