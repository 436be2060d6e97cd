"""The mentor directory over the API: who may look, the order, the availability and the
profile fields the site's directory shows, pages, ETags and a constant query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiKey
from matching import selectors
from tests.api.conftest import administrator_of, key_client, make_key, person_client
from tests.api.conftest_participant import problem
from tests.connections.factories import ConnectionFactory
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def mentors_url(program, membership_id: int | None = None) -> str:
    base = f"/api/v1/programs/{program.pk}/mentors/"
    return f"{base}{membership_id}/" if membership_id else base


@pytest.fixture
def world(db):
    """Four mentors of one program, one per availability, and a mentee (Elif)."""
    program = ProgramFactory(slug="ongoing", name="Ongoing Program")
    settings = program.matching_settings
    settings.mentors_choose_modes = True
    settings.save()
    taking = MentorMembershipFactory(
        program=program,
        user__display_name="Amara Okafor",
        headline="Engineering manager",
        expertise="rust, leadership",
    )
    full = MentorMembershipFactory(
        program=program, user__display_name="Bea Lund", max_ongoing_mentees=1
    )
    ConnectionFactory(
        program=program, mentor=full.user, mentee=MembershipFactory(program=program).user
    )
    paused = MentorMembershipFactory(
        program=program,
        user__display_name="Chidi Obi",
        paused_until=timezone.now().date() + timedelta(days=30),
    )
    one_time = MentorMembershipFactory(
        program=program, user__display_name="Dana Ruiz", offers_ongoing=False, offers_one_time=True
    )
    MentorMembershipFactory(program=program, user__display_name="Eve Gone", active=False)
    elif_ = MembershipFactory(program=program, user__display_name="Elif Demir").user
    return {
        "program": program,
        "taking": taking,
        "full": full,
        "paused": paused,
        "one_time": one_time,
        "elif": elif_,
    }


def test_a_member_sees_the_directory_in_the_sites_order_with_availability(world):
    response = person_client(world["elif"]).get(mentors_url(world["program"]))
    assert response.status_code == 200
    cards = response.json()["results"]
    assert [card["name"] for card in cards] == [
        "Amara Okafor",
        "Bea Lund",
        "Chidi Obi",
        "Dana Ruiz",
    ]
    assert [card["availability"] for card in cards] == [
        "taking_new",
        "full",
        "paused",
        "one_time_only",
    ]
    amara = cards[0]
    assert amara == {
        "id": world["taking"].pk,
        "name": "Amara Okafor",
        "headline": "Engineering manager",
        "expertise": "rust, leadership",
        "modes_offered": {"ongoing": True, "one_time": True},
        "availability": "taking_new",
        "availability_label": "Taking new mentees",
        "taking_new": True,
    }
    assert cards[2]["availability_label"].startswith("Not taking new mentees until ")
    assert cards[3]["modes_offered"] == {"ongoing": False, "one_time": True}


def test_the_cards_are_the_ones_the_site_builds(world):
    program = world["program"]
    settings = program.matching_settings
    ids = list(
        selectors.mentor_directory(program=program, settings=settings).values_list("pk", flat=True)
    )
    expected = selectors.directory_cards(ids=ids, settings=settings)
    cards = person_client(world["elif"]).get(mentors_url(program)).json()["results"]
    assert [(c["id"], c["availability"], c["availability_label"]) for c in cards] == [
        (c["membership_id"], c["availability"].value, c["availability_label"]) for c in expected
    ]


def test_search_by_name_or_expertise_as_on_the_site(world):
    client = person_client(world["elif"])
    found = client.get(mentors_url(world["program"]), {"q": "leadership"}).json()["results"]
    assert [card["name"] for card in found] == ["Amara Okafor"]


def test_one_mentor_with_availability(world):
    response = person_client(world["elif"]).get(mentors_url(world["program"], world["full"].pk))
    assert response.status_code == 200
    assert response.json()["availability"] == "full"
    assert response.json()["availability_label"] == "Not taking new mentees right now"


def test_an_inactive_mentor_or_a_mentee_is_not_in_the_directory(world):
    client = person_client(world["elif"])
    inactive = world["program"].memberships.get(user__display_name="Eve Gone")
    problem(client.get(mentors_url(world["program"], inactive.pk)), 404, "not_found")
    mentee = world["program"].memberships.get(user=world["elif"])
    problem(client.get(mentors_url(world["program"], mentee.pk)), 404, "not_found")


def test_someone_outside_the_program_gets_404(world):
    stranger = MembershipFactory(program=ProgramFactory()).user
    problem(person_client(stranger).get(mentors_url(world["program"])), 404, "not_found")
    problem(
        person_client(stranger).get(mentors_url(world["program"], world["taking"].pk)),
        404,
        "not_found",
    )


def test_a_mentor_of_another_program_is_404_under_this_one(world):
    other = ProgramFactory()
    elsewhere = MentorMembershipFactory(program=other)
    problem(
        person_client(world["elif"]).get(mentors_url(world["program"], elsewhere.pk)),
        404,
        "not_found",
    )


def test_program_admins_and_keys_see_their_programs_directory(world):
    program = world["program"]
    admin = administrator_of(program)
    assert len(person_client(admin).get(mentors_url(program)).json()["results"]) == 4
    key = make_key(program, scope=ApiKey.Scope.READ)
    assert len(key_client(key).get(mentors_url(program)).json()["results"]) == 4


def test_a_key_or_admin_of_another_program_gets_404(world):
    other = ProgramFactory()
    problem(key_client(make_key(other)).get(mentors_url(world["program"])), 404, "not_found")
    problem(
        person_client(administrator_of(other)).get(mentors_url(world["program"])), 404, "not_found"
    )


def test_pages_of_twenty_by_number(world):
    program = world["program"]
    for number in range(20):
        MentorMembershipFactory(program=program, user__display_name=f"Zed {number:02d}")
    client = person_client(world["elif"])
    first = client.get(mentors_url(program)).json()
    assert len(first["results"]) == 20 and first["count"] == 24
    second = client.get(first["next"]).json()
    assert [card["name"] for card in second["results"]] == ["Zed 16", "Zed 17", "Zed 18", "Zed 19"]


def test_etag_and_if_none_match_give_304(world):
    client = person_client(world["elif"])
    first = client.get(mentors_url(world["program"]))
    again = client.get(mentors_url(world["program"]), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_directory_costs_the_same_queries_with_many_mentors(world, django_assert_num_queries):
    client = person_client(world["elif"])
    url = mentors_url(world["program"])
    client.get(url)  # the order is cached, as on the site
    # session, user, administered programs, program + settings, the member's access,
    # the page's cards (with their live slot counts)
    with django_assert_num_queries(6):
        assert len(client.get(url).json()["results"]) == 4
    for _ in range(30):
        MentorMembershipFactory(program=world["program"])
    client.get(url)
    with django_assert_num_queries(6):
        assert len(client.get(url).json()["results"]) == 20
