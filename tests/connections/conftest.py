import pytest

from matching.models import MatchingSettings
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory


def configure(program, **values) -> MatchingSettings:
    settings = program.matching_settings
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    return settings


@pytest.fixture
def ongoing_program(db):
    """Ongoing on, Preferred Mentoring off, mentors hold 2, mentees may have 2 mentors
    and 3 pending requests; requests expire after 14 days."""
    program = ProgramFactory(slug="ongoing", name="Ongoing Program")
    configure(
        program,
        ongoing_enabled=True,
        one_time_enabled=True,
        preferred_mentoring_enabled=False,
        mentors_choose_modes=False,
        default_max_ongoing_mentees=2,
        max_ongoing_mentors_per_mentee=2,
        max_pending_requests_per_mentee=3,
        request_expiry_days=14,
    )
    return program


@pytest.fixture
def mentor_membership(ongoing_program):
    return MentorMembershipFactory(
        program=ongoing_program, user__display_name="Amara Okafor", headline="Engineering lead"
    )


@pytest.fixture
def mentor(mentor_membership):
    return mentor_membership.user


@pytest.fixture
def mentee(ongoing_program):
    return MembershipFactory(program=ongoing_program, user__display_name="Elif Demir").user


@pytest.fixture
def other_mentee(ongoing_program):
    return MembershipFactory(program=ongoing_program, user__display_name="Farid Haddad").user


@pytest.fixture
def other_mentor(ongoing_program):
    return MentorMembershipFactory(program=ongoing_program, user__display_name="Bruno Costa").user
