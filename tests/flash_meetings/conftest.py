import pytest

from mentoring.models import Membership
from tests.factories import MembershipFactory, MentorMembershipFactory, UserFactory


@pytest.fixture
def mentor_membership(program):
    return MentorMembershipFactory(
        program=program, user=UserFactory(username="mentor", display_name="Mona Mentor")
    )


@pytest.fixture
def mentor(mentor_membership):
    return mentor_membership.user


@pytest.fixture
def mentee(program):
    user = UserFactory(username="mentee", display_name="Eli Mentee")
    MembershipFactory(program=program, user=user, role=Membership.Role.MENTEE)
    return user


@pytest.fixture
def make_mentee(program):
    def make(username: str, **kwargs):
        user = UserFactory(username=username, **kwargs)
        MembershipFactory(program=program, user=user, role=Membership.Role.MENTEE)
        return user

    return make


@pytest.fixture
def outsider(program):
    """Another mentee of the same program: not part of the meetings under test."""
    user = UserFactory(username="outsider")
    MembershipFactory(program=program, user=user, role=Membership.Role.MENTEE)
    return user
