"""The directory's order is cached; its contents and slot counts never go stale here."""

import pytest
from django.urls import reverse

from tests.connections.factories import ConnectionFactory
from tests.factories import MembershipFactory, MentorMembershipFactory

pytestmark = pytest.mark.django_db


def directory(client):
    return client.get(reverse("portal:directory", args=["ongoing"]))


def test_second_view_skips_the_sort_query(
    client, ongoing_program, mentee, django_assert_num_queries
):
    MentorMembershipFactory.create_batch(25, program=ongoing_program)
    client.force_login(mentee)
    with django_assert_num_queries(5):  # session, user, access, ordered ids, page rows
        directory(client)
    with django_assert_num_queries(4):  # the order comes from the cache
        directory(client)
    with django_assert_num_queries(4):
        client.get(reverse("portal:directory", args=["ongoing"]), {"page": 2})


def test_a_new_or_renamed_mentor_shows_at_once(client, ongoing_program, mentee):
    MentorMembershipFactory(program=ongoing_program, user__display_name="Bea Early")
    client.force_login(mentee)
    assert "Bea Early" in directory(client).content.decode()
    late = MentorMembershipFactory(program=ongoing_program, user__display_name="Aaron First")
    html = directory(client).content.decode()
    assert html.index("Aaron First") < html.index("Bea Early")
    late.user.display_name = "Zed Last"
    late.user.save()
    html = directory(client).content.decode()
    assert html.index("Bea Early") < html.index("Zed Last")


def test_slot_counts_are_live(client, ongoing_program, mentee):
    membership = MentorMembershipFactory(
        program=ongoing_program, max_ongoing_mentees=1, user__display_name="Solo Mentor"
    )
    client.force_login(mentee)
    assert "Taking new mentees" in directory(client).content.decode()
    other = MembershipFactory(program=ongoing_program).user
    ConnectionFactory(program=ongoing_program, mentor=membership.user, mentee=other)
    assert "Not taking new mentees right now" in directory(client).content.decode()


def test_signing_in_does_not_start_a_new_generation(ongoing_program, mentee):
    from portal import directory_cache

    before = directory_cache._generation()
    mentee.save(update_fields=["last_login"])
    assert directory_cache._generation() == before
    mentee.save()
    assert directory_cache._generation() == before + 1


def test_profile_links_in_the_directory_resolve_to_the_profile(client, ongoing_program, mentee):
    membership = MentorMembershipFactory(program=ongoing_program)
    client.force_login(mentee)
    profile = reverse("portal:mentor_profile", args=["ongoing", membership.pk])
    assert f'href="{profile}"' in directory(client).content.decode()
