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


# --- The order in chunks --------------------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch):
    from django.core.cache import cache

    from portal import directory_cache

    monkeypatch.setattr(directory_cache, "CHUNK", 3)
    cache.clear()
    return directory_cache


def test_every_slice_of_the_cached_order_is_the_orders(small_chunks, ongoing_program):
    """Read back from the cache (a new ``ordered_ids`` each time, as a new request),
    every slice and index equals the list's, across chunk boundaries, for any length
    and wherever the first read was."""
    from mentoring.models import Membership

    MentorMembershipFactory.create_batch(8, program=ongoing_program)
    for length in (0, 1, 3, 7, 8):
        ids = list(Membership.objects.order_by("pk").values_list("pk", flat=True))[:length]
        key = ("slices", length)
        built = small_chunks.ordered_ids(key_parts=key, build=lambda ids=ids: _Ids(ids))
        assert list(built) == ids
        for around in (0, 2, 4, 7, 50):
            for start in range(-2, length + 2):
                for stop in range(start, length + 3):
                    cached = small_chunks.ordered_ids(key_parts=key, build=_no_build, around=around)
                    assert len(cached) == length
                    assert cached[start:stop] == ids[start:stop], (length, around, start, stop)
            if length:
                cached = small_chunks.ordered_ids(key_parts=key, build=_no_build, around=around)
                assert [cached[i] for i in range(-length, length)] == ids[-length:] + ids
                with pytest.raises(IndexError):
                    cached[length]


def test_one_round_trip_reads_a_page_and_a_lost_chunk_rebuilds_it(
    small_chunks, ongoing_program, monkeypatch
):
    from django.core.cache import cache

    ids = list(range(1, 11))
    small_chunks.ordered_ids(key_parts=("lost",), build=lambda: _Ids(ids))
    reads = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or get_many(keys))
    page = small_chunks.ordered_ids(key_parts=("lost",), build=_no_build, around=6)
    assert page[6:9] == [7, 8, 9] and len(reads) == 1  # the chunk came with the first read
    assert page[0:2] == [1, 2] and len(reads) == 2  # another chunk: one more read
    digest = [key for key in reads[0] if key.endswith(":2")][0]
    cache.delete(digest)  # evicted on its own
    rebuilt = []
    page = small_chunks.ordered_ids(
        key_parts=("lost",), build=lambda: rebuilt.append(1) or _Ids(ids), around=0
    )
    assert page[5:8] == [6, 7, 8] and rebuilt == [1]


def test_an_order_of_an_older_generation_is_built_again(small_chunks):
    small_chunks.ordered_ids(key_parts=("old",), build=lambda: _Ids([1, 2, 3, 4]))
    small_chunks.new_generation()  # a membership or a person changed
    rebuilt = small_chunks.ordered_ids(key_parts=("old",), build=lambda: _Ids([4, 3]))
    assert list(rebuilt) == [4, 3]


def test_a_directory_page_past_the_first_chunk_lists_its_mentors(
    client, small_chunks, ongoing_program, mentee
):
    members = [
        MentorMembershipFactory(program=ongoing_program, user__display_name=f"Mentor {n:02}")
        for n in range(25)
    ]
    client.force_login(mentee)
    directory(client)  # builds the order
    html = client.get(reverse("portal:directory", args=["ongoing"]), {"page": 2}).content
    shown = [m.user.display_name for m in members if m.user.display_name in html.decode()]
    assert shown == [f"Mentor {n:02}" for n in range(20, 25)]


class _Ids:
    """What ``build`` returns, for ids chosen by the test."""

    def __init__(self, ids):
        self.ids = ids

    def values_list(self, *fields, flat=False):
        return list(self.ids)


def _no_build():
    raise AssertionError("read from the cache: nothing to build")
