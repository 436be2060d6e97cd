from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching.models import FlashToOngoingPolicy, MatchingSettings
from mentoring.models import Membership, Program, User
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory
from tests.flash_meetings.factories import FlashMeetingFactory

FORCED = FlashToOngoingPolicy.FORCED_CONNECTION
REQUEST = FlashToOngoingPolicy.CONNECTION_REQUEST


@dataclass
class Setup:
    program: Program
    settings: MatchingSettings
    mentor: User
    mentor_membership: Membership
    mentee: User
    meeting: FlashMeeting
    earlier: int = 0

    def another_mentee_meeting(self, **kwargs) -> FlashMeeting:
        """Another mentee's ended meeting with the same mentor, an hour earlier than the
        last one (a mentor's scheduled meetings never overlap)."""
        self.earlier += 1
        mentee = MembershipFactory(program=self.program).user
        kwargs.setdefault("ends_at", self.meeting.ends_at - timedelta(hours=self.earlier))
        return ended_meeting(self.program, self.mentor, mentee, **kwargs)


def ended_meeting(program, mentor, mentee, **kwargs) -> FlashMeeting:
    ends_at = kwargs.pop("ends_at", timezone.now() - timedelta(minutes=30))
    return FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        topic=kwargs.pop("topic", "Moving into product management"),
        starts_at=ends_at - timedelta(minutes=30),
        ends_at=ends_at,
        status=kwargs.pop("status", FlashMeeting.Status.SCHEDULED),
        **kwargs,
    )


def make_setup(policy: str = FORCED, *, mentor_limit: int | None = 2, **settings) -> Setup:
    program = ProgramFactory()
    matching = program.matching_settings
    matching.flash_to_ongoing_enabled = True
    matching.flash_to_ongoing_policy = policy
    for name, value in settings.items():
        setattr(matching, name, value)
    matching.save()
    mentor_membership = MentorMembershipFactory(
        program=program, max_ongoing_mentees=mentor_limit, user__display_name="Amara Okafor"
    )
    mentee = MembershipFactory(program=program, user__display_name="Elif Demir").user
    meeting = ended_meeting(program, mentor_membership.user, mentee)
    return Setup(
        program=program,
        settings=matching,
        mentor=mentor_membership.user,
        mentor_membership=mentor_membership,
        mentee=mentee,
        meeting=meeting,
    )


@pytest.fixture
def forced(db) -> Setup:
    return make_setup(FORCED)


@pytest.fixture
def request_policy(db) -> Setup:
    return make_setup(REQUEST)
