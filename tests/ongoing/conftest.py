import pytest

from matching.models import Connection
from tests.connections.factories import ConnectionFactory
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory


def amara_mentoring_elif(**connection_fields) -> Connection:
    """An active connection in the "Ongoing Program": Amara Okafor (``amara``) mentoring
    Elif Demir (``elif``); ``connection_fields`` go to the connection."""
    program = ProgramFactory(slug="ongoing", name="Ongoing Program")
    mentor = MentorMembershipFactory(
        program=program, user__username="amara", user__display_name="Amara Okafor"
    ).user
    mentee = MembershipFactory(
        program=program, user__username="elif", user__display_name="Elif Demir"
    ).user
    return ConnectionFactory(program=program, mentor=mentor, mentee=mentee, **connection_fields)


@pytest.fixture
def pair(db) -> Connection:
    """An active connection: Amara mentoring Elif; Farid is another mentee of the program."""
    connection = amara_mentoring_elif()
    MembershipFactory(
        program=connection.program, user__username="farid", user__display_name="Farid Haddad"
    )
    return connection
