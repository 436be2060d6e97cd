"""A mentor's pause ("not taking new mentees until <date>") and a lowered capacity, as
the directory, the profile, the Connect button, the follow-up and the admin's readout
see them: on the next request, with the kind sentence (mentor_paused beside mentor_full)."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flash_meetings import selectors as meeting_selectors
from matching import capacity, eligibility, services
from matching.errors import MentorPaused
from matching.models import Connection, ConnectionRequest
from mentoring.models import Membership
from tests.connections.factories import ConnectionRequestFactory
from tests.factories import MembershipFactory
from tests.follow_up.conftest import FORCED, REQUEST, make_setup

pytestmark = pytest.mark.django_db

PAUSED = "taking a break from new mentees until"


def _today():
    return timezone.now().astimezone(UTC).date()


def _pause(membership: Membership, days: int = 10) -> None:
    services.membership_update(
        membership=membership,
        actor=membership.user,
        changes={"paused_until": _today() + timedelta(days=days)},
    )


def test_the_pause_holds_before_its_date_and_ends_on_it():
    now = timezone.now()
    today = now.astimezone(UTC).date()
    assert capacity.mentor_paused(paused_until=today + timedelta(days=1), now=now)
    assert not capacity.mentor_paused(paused_until=today, now=now)
    assert not capacity.mentor_paused(paused_until=None, now=now)


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_the_follow_up_offers_nothing_while_paused_and_says_why(client, policy):
    setup = make_setup(policy)
    url = reverse("flash_meetings:follow_up", args=[setup.meeting.pk])
    client.force_login(setup.mentee)
    assert "Yes, " in client.get(url).content.decode()

    _pause(setup.mentor_membership)
    page = client.get(url).content.decode()
    assert "Yes, " not in page and PAUSED in page and "Amara Okafor" in page
    decision = eligibility.for_meeting(meeting=setup.meeting)
    assert decision.reason == eligibility.Reason.MENTOR_PAUSED
    assert "(mentor_paused)" in decision.admin_message and "Not taking new mentees" in (
        decision.admin_message
    )
    # The POST re-decides under its lock and refuses too.
    response = client.post(url, {"choice": "connect", "policy": policy})
    assert not Connection.objects.exists() and not ConnectionRequest.objects.exists()
    assert response.status_code in (302, 409)

    services.membership_update(
        membership=setup.mentor_membership, actor=setup.mentor, changes={"paused_until": None}
    )
    assert "Yes, " in client.get(url).content.decode()


def test_the_pause_comes_after_the_decline_and_before_full():
    setup = make_setup(FORCED, mentor_limit=0)
    _pause(setup.mentor_membership)
    assert eligibility.for_meeting(meeting=setup.meeting).reason == "mentor_paused"
    ConnectionRequestFactory(
        program=setup.program,
        mentor=setup.mentor,
        mentee=setup.mentee,
        status="declined",
        responded_at=timezone.now(),
    )
    assert eligibility.for_meeting(meeting=setup.meeting).reason == "mentor_declined"


def test_the_follow_up_read_carries_the_pause_without_another_query(django_assert_num_queries):
    setup = make_setup(FORCED)
    _pause(setup.mentor_membership, days=3)
    with django_assert_num_queries(1):
        read = meeting_selectors.meeting_for_follow_up(
            meeting_id=setup.meeting.pk, mentee=setup.mentee
        )
    terms, _counts = read.mentor_terms
    assert terms.paused_until == _today() + timedelta(days=3)


def test_a_forced_connection_never_lands_on_a_pause_made_after_the_page_was_read():
    setup = make_setup(FORCED)
    _pause(setup.mentor_membership)
    with pytest.raises(MentorPaused):
        services.connection_create(
            program=setup.program,
            mentor=setup.mentor,
            mentee=setup.mentee,
            origin=Connection.Origin.FLASH_MEETING,
            flash_meeting=setup.meeting,
        )
    # The program team may still connect them.
    services.connection_create(
        program=setup.program,
        mentor=setup.mentor,
        mentee=setup.mentee,
        origin=Connection.Origin.ADMIN,
        send_emails=False,
    )


def test_directory_profile_and_connect_show_the_pause_then_the_capacity(client):
    setup = make_setup(FORCED, mentor_limit=2)
    membership = setup.mentor_membership
    other_mentee = MembershipFactory(program=setup.program).user
    directory = reverse("portal:directory", args=[setup.program.slug])
    profile = reverse("portal:mentor_profile", args=[setup.program.slug, membership.pk])
    connect = reverse("portal:connect", args=[setup.program.slug, membership.pk])
    client.force_login(other_mentee)
    assert "Taking new mentees" in client.get(directory).content.decode()
    assert 'type="submit">Connect<' in client.get(profile).content.decode()

    _pause(membership, days=10)
    date_text = (_today() + timedelta(days=10)).strftime("%-d %B %Y")
    assert f"Not taking new mentees until {date_text}" in client.get(directory).content.decode()
    page = client.get(profile).content.decode()
    assert f"Not taking new mentees until {date_text}" in page
    assert PAUSED in page and 'type="submit">Connect<' not in page
    response = client.post(connect, {"message": "Hello, could you help me?"})
    assert response.status_code == 409 and PAUSED in response.content.decode()
    assert not ConnectionRequest.objects.exists()

    # Taking mentees again, but with no room: full, on the next request.
    services.membership_update(
        membership=membership,
        actor=setup.mentor,
        changes={"paused_until": None, "max_ongoing_mentees": 0},
    )
    assert "Not taking new mentees right now" in client.get(directory).content.decode()
    response = client.post(connect, {"message": "Hello, could you help me?"})
    assert response.status_code == 409 and not ConnectionRequest.objects.exists()

    services.membership_update(
        membership=membership, actor=setup.mentor, changes={"max_ongoing_mentees": 1}
    )
    assert client.post(connect, {"message": "Hello again."}).status_code == 302
    assert ConnectionRequest.objects.filter(mentor=setup.mentor).count() == 1


def test_a_stale_cached_directory_order_never_shows_a_stale_mentor(client, settings):
    """Another process's cache still lists the mentor (its generation was not bumped
    there): the page re-checks every row it shows."""
    setup = make_setup(FORCED, mentors_choose_modes=True, one_time_enabled=False)
    membership = setup.mentor_membership
    client.force_login(setup.mentee)
    directory = reverse("portal:directory", args=[setup.program.slug])
    assert "Amara Okafor" in client.get(directory).content.decode()

    from portal import directory_cache

    def frozen(*, key_parts, build, around=0):  # as another process would: the old ids
        return [membership.pk]

    original = directory_cache.ordered_ids
    directory_cache.ordered_ids = frozen
    try:
        # One-time only, in a program that runs no one-time meetings: no longer listed.
        Membership.objects.filter(pk=membership.pk).update(offers_ongoing=False)
        assert "Amara Okafor" not in client.get(directory).content.decode()
        Membership.objects.filter(pk=membership.pk).update(offers_ongoing=True, active=False)
        assert "Amara Okafor" not in client.get(directory).content.decode()
        Membership.objects.filter(pk=membership.pk).update(
            active=True, paused_until=_today() + timedelta(days=2)
        )
        assert "Not taking new mentees until" in client.get(directory).content.decode()
    finally:
        directory_cache.ordered_ids = original
