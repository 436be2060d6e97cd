"""Memberships over the API: a participant reads their own, program admins and their keys
their programs'; adding and deactivating go through the same services as Django admin's
*Memberships* page, so both doors obey one rule."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import MembershipChange
from mentoring.models import Membership
from tests.api.conftest import person_client
from tests.api.conftest_admin import world_fixture  # noqa: F401 (the fixture ``world``)
from tests.api.conftest_participant import problem
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MEMBERSHIPS = "/api/v1/memberships/"


def url(membership=None, verb: str = "") -> str:
    if membership is None:
        return MEMBERSHIPS
    return f"{MEMBERSHIPS}{membership.pk}/" + (f"{verb}/" if verb else "")


def post(client, address: str, data: dict | None = None):
    return client.post(address, data or {}, format="json")


def admin_add(client, world, **fields):
    """Django admin's Add membership form, as a program admin fills it in."""
    data = {
        "program": world.program.pk,
        "role": "mentor",
        "active": "on",
        "max_ongoing_mentees": "",
        "offers_ongoing": "on",
        "offers_one_time": "on",
        "max_flash_meetings_per_month": "4",
        **fields,
    }
    return client.post(reverse("admin:mentoring_membership_add"), data)


def of(world, user, role="mentee"):
    return Membership.objects.get(program=world.program, user=user, role=role)


# --- reading -----------------------------------------------------------------------


def test_a_participant_reads_their_own_memberships_only(world):
    MembershipFactory(program=world.other_program, user=world.mentee)
    client = person_client(world.mentee)
    rows = client.get(url()).json()["results"]
    assert {(row["program"]["slug"], row["role"]) for row in rows} == {
        ("wie", "mentee"),
        ("founders", "mentee"),
    }
    assert rows[0]["user"] == {"id": world.mentee.pk, "name": "Elif Demir"}
    problem(client.get(url(of(world, world.other_mentee))), 404, "not_found")


def test_admins_and_keys_read_their_programs_members_only(world):
    outsider = MembershipFactory(program=world.other_program)
    for client in (person_client(world.admin), world.key("read")):
        ids = {row["id"] for row in client.get(url()).json()["results"]}
        assert ids == set(world.program.memberships.values_list("pk", flat=True))
        problem(client.get(url(outsider)), 404, "not_found")
    assert [row["id"] for row in world.key("foreign").get(url()).json()["results"]] == [outsider.pk]


def test_filters_program_role_and_active(world):
    MembershipFactory(program=world.program, active=False, user__username="gone")
    client = person_client(world.admin)

    def users(**params):
        response = client.get(url(), params)
        assert response.status_code == 200, response.content
        return sorted(row["user"]["name"] for row in response.json()["results"])

    assert users(role="mentor") == ["Amara Okafor"]
    assert len(users(active="false")) == 1
    assert users(program=world.other_program.pk) == []
    assert len(users(program=world.program.pk, role="mentee", active="true")) == 2
    problem(client.get(url(), {"role": "boss"}), 400, "invalid")


def test_cursor_pages_and_etag(world):
    client = world.key("read")
    first = client.get(url(), {"page_size": 2})
    body = first.json()
    assert len(body["results"]) == 2
    assert len(client.get(body["next"]).json()["results"]) == 1
    assert client.get(url(), {"page_size": 2}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_list_costs_the_same_queries_with_more_members(world, django_assert_num_queries):
    client = person_client(world.admin)
    key = world.key("read")
    key.get(url())  # records the key's first use (once a minute at most)
    # session, user, administered programs, the page (person and program joined)
    with django_assert_num_queries(4):
        client.get(url())
    # key (with its program and maker), the page
    with django_assert_num_queries(2):
        key.get(url())
    MembershipFactory.create_batch(20, program=world.program)
    with django_assert_num_queries(4):
        assert len(client.get(url()).json()["results"]) == 23
    with django_assert_num_queries(2):
        assert len(key.get(url()).json()["results"]) == 23


# --- adding ------------------------------------------------------------------------


def test_a_program_admin_adds_a_member_as_in_admin(world, client):
    """The same person-of-the-program added as a mentor by each door: the same row."""
    client.force_login(world.admin)
    assert admin_add(client, world, user=world.mentee.pk).status_code == 302
    response = post(
        person_client(world.admin),
        url(),
        {
            "user": world.other_mentee.pk,
            "program": world.program.pk,
            "role": "mentor",
            "headline": "Engineer",
            "max_ongoing_mentees": 2,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["role"], body["active"], body["headline"]) == ("mentor", True, "Engineer")
    fields = ("role", "active", "offers_ongoing", "offers_one_time", "max_flash_meetings_per_month")
    by_admin = Membership.objects.values(*fields).get(user=world.mentee, role="mentor")
    by_api = Membership.objects.values(*fields).get(user=world.other_mentee, role="mentor")
    assert by_admin == by_api


def test_a_read_write_key_adds_a_member_a_read_only_key_cannot(world):
    data = {"user": world.mentee.pk, "program": world.program.pk, "role": "mentor"}
    problem(post(world.key("read"), url(), data), 403, "permission_denied")
    assert post(world.key("write"), url(), data).status_code == 201
    assert of(world, world.mentee, "mentor").active


def test_a_second_membership_in_a_role_is_refused_at_both_doors(world, client):
    data = {"user": world.mentee.pk, "program": world.program.pk, "role": "mentee"}
    body = problem(post(world.key("write"), url(), data), 409, "membership_exists")
    assert "Elif Demir is already a mentee in Women in Engineering" in body["detail"]
    client.force_login(world.admin)
    response = admin_add(client, world, user=world.mentee.pk, role="mentee")
    assert response.status_code == 200  # the form's error, beside the fields
    assert Membership.objects.filter(user=world.mentee).count() == 1


def test_someone_outside_the_admins_programs_cannot_be_added_at_either_door(world, client):
    stranger = UserFactory(username="stranger")
    data = {"user": stranger.pk, "program": world.program.pk, "role": "mentee"}
    body = problem(post(person_client(world.admin), url(), data), 400, "invalid")
    assert "user" in body["errors"]
    client.force_login(world.admin)
    response = admin_add(client, world, user=stranger.pk, role="mentee")
    assert "user" in response.context["adminform"].form.errors
    # Another program: refused too, and its key cannot add to this program.
    other = {"user": world.mentee.pk, "program": world.other_program.pk, "role": "mentor"}
    assert "program" in problem(post(world.key("write"), url(), other), 400, "invalid")["errors"]
    mine = {"user": world.mentee.pk, "program": world.program.pk, "role": "mentor"}
    problem(post(world.key("foreign"), url(), mine), 400, "invalid")
    assert not Membership.objects.filter(user__in=[stranger, world.mentee], role="mentor").exists()


def test_a_participant_cannot_add_anyone(world):
    data = {"user": world.mentee.pk, "program": world.program.pk, "role": "mentor"}
    problem(post(person_client(world.mentee), url(), data), 403, "permission_denied")


def test_the_programs_bounds_hold_when_adding(world, client):
    settings = world.program.matching_settings
    settings.mentor_max_ongoing_mentees = 3
    settings.save()
    data = {"user": world.mentee.pk, "program": world.program.pk, "role": "mentor"}
    body = problem(
        post(world.key("write"), url(), {**data, "max_ongoing_mentees": 9}), 400, "out_of_bounds"
    )
    assert "from 0 to 3" in body["detail"]
    client.force_login(world.admin)
    response = admin_add(client, world, user=world.mentee.pk, max_ongoing_mentees="9")
    assert response.status_code == 302  # a message on the page, nothing saved
    assert not Membership.objects.filter(user=world.mentee, role="mentor").exists()


# --- deactivating ------------------------------------------------------------------


def test_deactivating_is_the_admin_pages_switch(world, client):
    """The admin's change page and the API both go through membership_update: the same
    row and the same change history."""
    via_api, via_admin = of(world, world.mentee), of(world, world.other_mentee)
    response = post(world.key("write"), url(via_api, "deactivate"))
    assert (response.status_code, response.json()["active"]) == (200, False)
    client.force_login(world.admin)
    change = reverse("admin:mentoring_membership_change", args=[via_admin.pk])
    data = {
        "user": via_admin.user_id,
        "program": world.program.pk,
        "role": "mentee",
        "max_flash_meetings_per_month": "4",
        "offers_ongoing": "on",
        "offers_one_time": "on",
        # The page's change history (read-only) posts its management form, as a browser does.
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
        "changes-MIN_NUM_FORMS": "0",
        "changes-MAX_NUM_FORMS": "1000",
    }
    assert client.post(change, data).status_code == 302
    histories = [
        MembershipChange.objects.get(membership=membership).changes
        for membership in (via_api, via_admin)
    ]
    assert histories[0] == histories[1] and "active" in histories[0]
    # Again: nothing changes, nothing recorded.
    assert post(world.key("write"), url(via_api, "deactivate")).status_code == 200
    assert MembershipChange.objects.filter(membership=via_api).count() == 1


def test_only_the_programs_admins_deactivate(world):
    mine = of(world, world.mentee)
    problem(post(person_client(world.mentee), url(mine, "deactivate")), 403, "permission_denied")
    problem(post(world.key("read"), url(mine, "deactivate")), 403, "permission_denied")
    problem(post(world.key("foreign"), url(mine, "deactivate")), 404, "not_found")
    problem(post(person_client(world.other_admin), url(mine, "deactivate")), 404, "not_found")
    assert of(world, world.mentee).active
