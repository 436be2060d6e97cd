"""What every endpoint of /api/v1/ shares, shown on programs (the simplest resource):
who may call, problem bodies, throttling, cursor pages, ETags, and API keys in admin."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.settings import api_settings

from api import services as api_services
from api.models import ApiKey
from tests.api.conftest import administrator_of, key_client, make_key, person_client
from tests.factories import MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

PROGRAMS = "/api/v1/programs/"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"] and body["detail"]
    return body


# --- who is calling ---------------------------------------------------------------------


def test_without_credentials_the_answer_is_401_asking_for_a_bearer_key(client):
    response = client.get(PROGRAMS)
    _problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_key_sees_its_own_program_only(api_program):
    ProgramFactory(slug="other")
    response = key_client(make_key(api_program)).get(PROGRAMS)
    assert response.status_code == 200
    assert [program["slug"] for program in response.json()["results"]] == ["wie"]


def test_a_key_of_another_program_gets_404_for_this_program(api_program):
    other = ProgramFactory(slug="other")
    response = key_client(make_key(other)).get(f"{PROGRAMS}{api_program.pk}/")
    _problem(response, 404, "not_found")


@pytest.mark.parametrize(
    "header",
    ["Bearer mpk_nothing_here", "Bearer", "Bearer a b", "Bearer not-a-key"],
)
def test_a_wrong_key_is_401(api_program, header):
    client = key_client("x")
    client.credentials(HTTP_AUTHORIZATION=header)
    _problem(client.get(PROGRAMS), 401, "authentication_failed")


def test_a_revoked_key_stops_working_at_once(api_program):
    plain = make_key(api_program)
    client = key_client(plain)
    assert client.get(PROGRAMS).status_code == 200
    api_services.api_key_revoke(api_key=ApiKey.objects.get())
    _problem(client.get(PROGRAMS), 401, "authentication_failed")


def test_the_key_is_stored_hashed_and_its_use_recorded(api_program):
    plain = make_key(api_program)
    api_key = ApiKey.objects.get()
    assert plain not in (api_key.hashed_key, api_key.prefix)
    assert plain.startswith(api_key.prefix + "_")
    assert api_key.last_used_at is None
    key_client(plain).get(PROGRAMS)
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
    first_use = api_key.last_used_at
    key_client(plain).get(PROGRAMS)  # within the minute: no second write
    api_key.refresh_from_db()
    assert api_key.last_used_at == first_use


def test_a_read_only_key_may_not_write(api_program):
    response = key_client(make_key(api_program)).post(PROGRAMS, {}, format="json")
    _problem(response, 403, "permission_denied")


def test_a_person_sees_the_programs_they_take_part_in_and_administer(api_program):
    person = MembershipFactory(program=api_program).user
    administered = ProgramFactory(slug="run-by-them")
    from mentoring.services import program_administrator_add

    program_administrator_add(program=administered, user=person)
    ProgramFactory(slug="not-theirs")
    MembershipFactory(program=ProgramFactory(slug="left"), user=person, active=False)
    response = person_client(person).get(PROGRAMS)
    assert sorted(p["slug"] for p in response.json()["results"]) == ["run-by-them", "wie"]


def test_a_session_post_without_the_csrf_token_is_refused(api_program):
    person = MembershipFactory(program=api_program).user
    response = person_client(person, csrf=True).post(PROGRAMS, {}, format="json")
    body = _problem(response, 403, "permission_denied")
    assert "CSRF" in body["detail"]


# --- problem bodies ---------------------------------------------------------------------


def test_a_method_not_offered_is_a_problem_body(api_program):
    client = key_client(make_key(api_program, scope=ApiKey.Scope.READ_WRITE))
    _problem(client.post(PROGRAMS, {}, format="json"), 405, "method_not_allowed")


def test_an_address_with_no_endpoint_is_a_json_404(api_program):
    response = key_client(make_key(api_program)).get("/api/v1/nothing-here/")
    body = _problem(response, 404, "not_found")
    assert body["instance"] == "/api/v1/nothing-here/"


def test_an_unreadable_body_is_a_problem_not_a_500(api_program):
    client = key_client(make_key(api_program, scope=ApiKey.Scope.READ_WRITE))
    response = client.generic("POST", PROGRAMS, "{not json", content_type="application/json")
    assert response.status_code in (400, 405)
    assert response["Content-Type"] == "application/problem+json"


def test_a_domain_error_keeps_its_reason_code_and_sentence():
    from api.problems import domain_code
    from matching.errors import MentorFull
    from mentoring.errors import IllegalTransition

    assert domain_code(MentorFull("Full.", code="mentor_full")) == "mentor_full"
    assert domain_code(IllegalTransition("No.")) == "illegal_transition"


# --- throttling, pages, conditional reads ------------------------------------------------


def test_each_key_has_its_own_budget(api_program):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "key": "3/minute"}
    first = key_client(make_key(api_program))
    second = key_client(make_key(api_program))
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        assert [first.get(PROGRAMS).status_code for _ in range(3)] == [200, 200, 200]
        response = first.get(PROGRAMS)
        _problem(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0
        assert second.get(PROGRAMS).status_code == 200


def test_each_person_has_their_own_budget(api_program):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/minute"}
    one = person_client(MembershipFactory(program=api_program).user)
    two = person_client(MembershipFactory(program=api_program).user)
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        assert [one.get(PROGRAMS).status_code for _ in range(3)] == [200, 200, 429]
        assert two.get(PROGRAMS).status_code == 200


def _rest_framework() -> dict:
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_pages_follow_a_cursor_and_never_repeat_a_row(db):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    ProgramFactory.create_batch(5)
    client = person_client(superuser)
    seen, url = [], f"{PROGRAMS}?page_size=2"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [program["id"] for program in body["results"]]
        url = body["next"]
        assert url is None or re.search(r"cursor=", url)
    assert len(seen) == len(set(seen)) == 5


def test_an_unchanged_read_is_a_304_and_a_change_a_fresh_200(api_program):
    client = key_client(make_key(api_program))
    first = client.get(f"{PROGRAMS}{api_program.pk}/")
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    assert "private" in first["Cache-Control"]
    again = client.get(f"{PROGRAMS}{api_program.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    api_program.name = "Women in Engineering 2027"
    api_program.save()
    changed = client.get(f"{PROGRAMS}{api_program.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["name"] == "Women in Engineering 2027"


def test_the_programs_list_costs_the_same_with_more_programs(
    api_program, django_assert_num_queries
):
    plain = make_key(api_program)
    client = key_client(plain)
    client.get(PROGRAMS)  # the key's first use writes "last used"
    # key (+ program, creator), the page of programs with their settings
    with django_assert_num_queries(2):
        client.get(PROGRAMS)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    ProgramFactory.create_batch(20)
    client = person_client(superuser)
    client.get(PROGRAMS)
    # session, user, the page of programs with their settings
    with django_assert_num_queries(3):
        assert len(client.get(PROGRAMS).json()["results"]) == 21


# --- keys in admin ------------------------------------------------------------------------


def test_a_program_admin_makes_a_key_in_admin_and_sees_it_once(client, api_program):
    admin = administrator_of(api_program)
    client.force_login(admin)
    response = client.post(
        reverse("admin:api_apikey_add"),
        {"program": api_program.pk, "name": "Chat bot", "scope": ApiKey.Scope.READ_WRITE},
        follow=True,
    )
    shown = re.search(r"mpk_[0-9a-f]{8}_[\w-]+", response.content.decode())
    assert shown, "the new key is shown on the page after saving"
    api_key = ApiKey.objects.get()
    assert (api_key.name, api_key.created_by, api_key.scope) == ("Chat bot", admin, "read_write")
    assert key_client(shown.group(0)).get(PROGRAMS).status_code == 200
    page = client.get(reverse("admin:api_apikey_change", args=[api_key.pk])).content.decode()
    assert shown.group(0) not in page, "the key is never shown again"


def test_a_program_admin_cannot_make_a_key_for_another_program(client, api_program):
    other = ProgramFactory(slug="other")
    client.force_login(administrator_of(api_program))
    response = client.post(
        reverse("admin:api_apikey_add"),
        {"program": other.pk, "name": "Sneaky", "scope": ApiKey.Scope.READ},
    )
    assert response.status_code == 200  # the form again, with the error beside the field
    assert not ApiKey.objects.exists()


def test_a_program_admin_revokes_a_key_and_sees_only_their_programs_keys(client, api_program):
    make_key(api_program)
    make_key(ProgramFactory(slug="other"))
    client.force_login(administrator_of(api_program))
    changelist = client.get(reverse("admin:api_apikey_changelist"))
    assert len(changelist.context["cl"].result_list) == 1
    mine = ApiKey.objects.get(program=api_program)
    client.post(
        reverse("admin:api_apikey_changelist"),
        {"action": "revoke", "_selected_action": [mine.pk]},
    )
    mine.refresh_from_db()
    assert mine.revoked_at is not None and mine.revoked_at <= timezone.now()


def test_a_persons_programs_cost_four_queries_however_many_there_are(
    api_program, django_assert_num_queries
):
    person = MembershipFactory(program=api_program).user
    for program in ProgramFactory.create_batch(10):
        MembershipFactory(program=program, user=person)
    client = person_client(person)
    client.get(PROGRAMS)
    # session, user, the programs they administer, the page of programs with settings
    with django_assert_num_queries(4):
        assert len(client.get(PROGRAMS).json()["results"]) == 11


def test_a_post_to_an_address_with_no_endpoint_is_a_json_404_not_the_csrf_page(api_program):
    person = MembershipFactory(program=api_program).user
    response = person_client(person, csrf=True).post("/api/v1/connections/abc/end/", {})
    _problem(response, 404, "not_found")


def test_an_address_with_a_line_break_is_the_json_404_too(api_program):
    response = key_client(make_key(api_program)).get("/api/v1/programs/1%0A/mentors/%0A/")
    _problem(response, 404, "not_found")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/connections/",
        "/api/v1/connection-requests/",
        "/api/v1/flash-meetings/",
        "/api/v1/memberships/",
        "/api/v1/survey-responses/",
    ],
)
def test_an_id_too_large_for_the_database_is_a_400_not_a_500(api_program, url):
    # Found by Schemathesis on SQLite, which cannot hold the number at all.
    response = key_client(make_key(api_program)).get(f"{url}?program=339479483817852796928")
    body = _problem(response, 400, "invalid")
    assert "program" in body["errors"]
