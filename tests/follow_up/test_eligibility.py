"""Every reason code of DESIGN.md's eligibility, in its order, for both policies."""

from datetime import timedelta

import pytest
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching import eligibility
from matching.eligibility import Reason
from mentoring import when
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.factories import MembershipFactory
from tests.follow_up.conftest import FORCED, REQUEST, ended_meeting, make_setup

pytestmark = pytest.mark.django_db


def decide(setup):
    setup.meeting.refresh_from_db()
    return eligibility.for_meeting(meeting=setup.meeting, viewer=setup.mentee)


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_offered_when_every_check_passes(policy):
    decision = decide(make_setup(policy))
    assert decision.offered and decision.reason is None
    assert decision.policy == policy
    assert decision.mentee_message == ""


@pytest.mark.parametrize(
    "settings",
    [
        {"flash_to_ongoing_enabled": False},
        {"preferred_mentoring_enabled": True},
        {"ongoing_enabled": False},
        {"one_time_enabled": False},
    ],
)
def test_feature_off_and_no_sentence_for_the_mentee(settings):
    decision = decide(make_setup(FORCED, **settings))
    assert decision.reason == Reason.FEATURE_OFF
    assert decision.mentee_message == ""


def test_meeting_not_over_before_the_end_or_when_not_held():
    setup = make_setup(FORCED)
    setup.meeting.ends_at = timezone.now() + timedelta(minutes=5)
    setup.meeting.starts_at = setup.meeting.ends_at - timedelta(minutes=30)
    setup.meeting.save()
    assert decide(setup).reason == Reason.MEETING_NOT_OVER
    for status in (FlashMeeting.Status.CANCELLED, FlashMeeting.Status.DID_NOT_HAPPEN):
        meeting = ended_meeting(setup.program, setup.mentor, setup.mentee, status=status)
        assert eligibility.for_meeting(meeting=meeting).reason == Reason.MEETING_NOT_OVER


def test_already_answered():
    setup = make_setup(FORCED)
    FlashMeeting.objects.filter(pk=setup.meeting.pk).update(follow_up_choice="no_thanks")
    assert decide(setup).reason == Reason.ALREADY_ANSWERED


def test_mentor_one_time_only_when_mentors_choose_modes():
    setup = make_setup(FORCED, mentors_choose_modes=True)
    setup.mentor_membership.offers_ongoing = False
    setup.mentor_membership.save()
    decision = decide(setup)
    assert decision.reason == Reason.MENTOR_ONE_TIME_ONLY
    assert decision.mentee_message == "Amara Okafor offers one-time meetings only."


def test_mentor_one_time_only_is_ignored_when_mentors_do_not_choose():
    setup = make_setup(FORCED, mentors_choose_modes=False)
    setup.mentor_membership.offers_ongoing = False
    setup.mentor_membership.save()
    assert decide(setup).offered


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_mentor_full_counts_active_connections_and_pending_requests(policy):
    setup = make_setup(policy, mentor_limit=2)
    ConnectionFactory(program=setup.program, mentor=setup.mentor)
    assert decide(setup).offered
    ConnectionRequestFactory(program=setup.program, mentor=setup.mentor)
    decision = decide(setup)
    assert decision.reason == Reason.MENTOR_FULL
    assert decision.mentee_message == "Amara Okafor isn't taking on new ongoing mentees right now."
    assert "2 of 2 slots used" in decision.admin_message


def test_mentor_full_with_limit_zero_and_the_program_default():
    setup = make_setup(FORCED, mentor_limit=0)
    assert decide(setup).reason == Reason.MENTOR_FULL
    setup = make_setup(FORCED, mentor_limit=None, default_max_ongoing_mentees=1)
    assert decide(setup).offered
    ConnectionFactory(program=setup.program, mentor=setup.mentor)
    assert decide(setup).reason == Reason.MENTOR_FULL


def test_already_connected():
    setup = make_setup(FORCED, mentor_limit=3, max_ongoing_mentors_per_mentee=3)
    ConnectionFactory(program=setup.program, mentor=setup.mentor, mentee=setup.mentee)
    decision = decide(setup)
    assert decision.reason == Reason.ALREADY_CONNECTED
    assert "already in an ongoing mentoring connection with Amara Okafor" in (
        decision.mentee_message
    )


def test_request_pending():
    setup = make_setup(REQUEST, mentor_limit=3)
    ConnectionRequestFactory(program=setup.program, mentor=setup.mentor, mentee=setup.mentee)
    decision = decide(setup)
    assert decision.reason == Reason.REQUEST_PENDING
    assert decision.mentee_message == "You already have a pending request to Amara Okafor."


def test_mentee_at_limit_forced_counts_connections():
    setup = make_setup(FORCED, max_ongoing_mentors_per_mentee=1)
    other_mentor = MembershipFactory(program=setup.program, role="mentor").user
    ConnectionFactory(program=setup.program, mentor=other_mentor, mentee=setup.mentee)
    assert decide(setup).reason == Reason.MENTEE_AT_LIMIT


def test_mentee_at_limit_request_counts_pending_requests_too():
    setup = make_setup(REQUEST, max_ongoing_mentors_per_mentee=2, max_pending_requests_per_mentee=1)
    other_mentor = MembershipFactory(program=setup.program, role="mentor").user
    ConnectionRequestFactory(program=setup.program, mentor=other_mentor, mentee=setup.mentee)
    decision = decide(setup)
    assert decision.reason == Reason.MENTEE_AT_LIMIT
    assert decision.mentee_message


def test_checks_run_in_the_documented_order():
    # Full AND already connected AND answered: "already answered" comes first...
    setup = make_setup(FORCED, mentor_limit=1)
    ConnectionFactory(program=setup.program, mentor=setup.mentor, mentee=setup.mentee)
    assert decide(setup).reason == Reason.MENTOR_FULL  # ...full before connected
    FlashMeeting.objects.filter(pk=setup.meeting.pk).update(follow_up_choice="no_thanks")
    assert decide(setup).reason == Reason.ALREADY_ANSWERED


# --- A mentor's no is respected (mentor_declined) ----------------------------------------

KIND = (
    "Amara Okafor can't offer you ongoing mentoring at the moment. Other mentors in this "
    "program may be a good fit for you."
)
NOTE = "Honestly your goals are not a fit for me"


def declined(setup, *, days_ago: float = 3, status: str = "declined", **kwargs):
    """A request of the setup's mentee to its mentor, answered ``days_ago``."""
    kwargs.setdefault("program", setup.program)
    kwargs.setdefault("mentor", setup.mentor)
    kwargs.setdefault("mentee", setup.mentee)
    return ConnectionRequestFactory(
        status=status,
        decline_reason="not_right_match" if status == "declined" else "",
        decline_note=NOTE if status == "declined" else "",
        responded_at=timezone.now() - timedelta(days=days_ago),
        **kwargs,
    )


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_mentor_declined_within_the_cool_off(policy):
    setup = make_setup(policy)
    request = declined(setup, days_ago=10)
    decision = decide(setup)
    assert not decision.offered and decision.reason == Reason.MENTOR_DECLINED
    assert decision.mentee_message == KIND
    assert "The mentor declined the mentee's request within the cool-off (mentor_declined)" in (
        decision.admin_message
    )
    assert f"Declined on {when.day(request.responded_at)};" in decision.admin_message
    assert "cool-off is 90 days" in decision.admin_message


def test_the_mentee_message_never_reveals_the_reason_or_the_note():
    setup = make_setup(FORCED)
    declined(setup)
    message = decide(setup).mentee_message
    assert NOTE not in message and "Not the right match" not in message
    assert "declin" not in message.lower()


def test_mentor_one_time_only_comes_before_mentor_declined():
    setup = make_setup(FORCED, mentors_choose_modes=True)
    declined(setup)
    assert decide(setup).reason == Reason.MENTOR_DECLINED
    setup.mentor_membership.offers_ongoing = False
    setup.mentor_membership.save()
    assert decide(setup).reason == Reason.MENTOR_ONE_TIME_ONLY


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_mentor_declined_comes_before_full_connected_pending_and_mentee_limits(policy):
    setup = make_setup(
        policy, mentor_limit=1, max_ongoing_mentors_per_mentee=1, max_pending_requests_per_mentee=1
    )
    declined(setup)
    # Full, already connected, a request pending and the mentee at every limit at once.
    ConnectionFactory(program=setup.program, mentor=setup.mentor, mentee=setup.mentee)
    ConnectionRequestFactory(program=setup.program, mentor=setup.mentor, mentee=setup.mentee)
    assert decide(setup).reason == Reason.MENTOR_DECLINED
    setup.settings.decline_cooldown_days = 0
    setup.settings.save()
    assert decide(setup).reason == Reason.MENTOR_FULL


def test_mentor_declined_comes_before_an_inactive_mentor_membership():
    setup = make_setup(FORCED)
    declined(setup)
    setup.mentor_membership.active = False
    setup.mentor_membership.save()
    assert decide(setup).reason == Reason.MENTOR_DECLINED


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_a_cool_off_of_zero_turns_the_rule_off(policy):
    setup = make_setup(policy, decline_cooldown_days=0)
    declined(setup, days_ago=0.01)
    assert decide(setup).offered


@pytest.mark.parametrize(
    ("cooldown", "days_ago", "offered"),
    [(90, 89, False), (90, 91, True), (30, 31, True), (30, 29, False)],
)
def test_a_decline_older_than_the_cool_off_does_not_count(cooldown, days_ago, offered):
    setup = make_setup(FORCED, decline_cooldown_days=cooldown)
    declined(setup, days_ago=days_ago)
    assert decide(setup).offered is offered


def test_the_latest_decline_counts():
    setup = make_setup(FORCED, decline_cooldown_days=30)
    declined(setup, days_ago=100)
    assert decide(setup).offered
    declined(setup, days_ago=5)
    assert decide(setup).reason == Reason.MENTOR_DECLINED


@pytest.mark.parametrize("status", ["withdrawn", "expired", "closed"])
def test_a_withdrawn_expired_or_closed_request_does_not_count(status):
    setup = make_setup(FORCED)
    declined(setup, status=status, days_ago=1)
    assert decide(setup).offered


def test_only_this_mentors_decline_of_this_mentee_in_this_program_counts():
    setup = make_setup(FORCED)
    other_mentor = MembershipFactory(program=setup.program, role="mentor").user
    other_mentee = MembershipFactory(program=setup.program).user
    declined(setup, mentor=other_mentor)  # another mentor said no
    declined(setup, mentee=other_mentee)  # this mentor said no to someone else
    other_program = make_setup(FORCED)
    declined(other_program, mentor=setup.mentor, mentee=setup.mentee)  # elsewhere
    assert decide(setup).offered
