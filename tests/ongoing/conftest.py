import pytest

from tests.connections.factories import ConnectionFactory
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory


@pytest.fixture
def pair(db):
    """An active connection: Amara mentoring Elif; Farid is another mentee of the program."""
    program = ProgramFactory(slug="ongoing", name="Ongoing Program")
    mentor = MentorMembershipFactory(
        program=program, user__username="amara", user__display_name="Amara Okafor"
    ).user
    mentee = MembershipFactory(
        program=program, user__username="elif", user__display_name="Elif Demir"
    ).user
    MembershipFactory(program=program, user__username="farid", user__display_name="Farid Haddad")
    return ConnectionFactory(program=program, mentor=mentor, mentee=mentee)
