"""What the admin-side resources' tests share (flash meetings, memberships, survey
responses, the report): one program with a mentor, two mentees, its admin and three keys
(its read-write and read-only keys, another program's read-write key). Import it
explicitly (``world_fixture``, the fixture ``world``); clients and keys come from
tests/api/conftest.py."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from api.models import ApiKey
from mentoring.models import Membership, Program, User
from tests.api.conftest import administrator_of, key_client, make_key
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory


@dataclass
class World:
    program: Program
    mentor_membership: Membership
    mentor: User
    mentee: User
    other_mentee: User
    admin: User
    other_program: Program
    other_admin: User
    keys: dict[str, str]

    def key(self, name: str = "write"):
        """An API client with one of the keys: ``write``, ``read`` or ``foreign``."""
        return key_client(self.keys[name])


@pytest.fixture(name="world")
def world_fixture(db) -> World:
    program = ProgramFactory(name="Women in Engineering", slug="wie")
    mentor_membership = MentorMembershipFactory(
        program=program, user__username="amara", user__display_name="Amara Okafor"
    )
    mentee = MembershipFactory(
        program=program, user__username="elif", user__display_name="Elif Demir"
    ).user
    other_mentee = MembershipFactory(
        program=program, user__username="farid", user__display_name="Farid Haddad"
    ).user
    admin = administrator_of(program)
    other_program = ProgramFactory(name="Founders", slug="founders")
    other_admin = administrator_of(other_program)
    return World(
        program=program,
        mentor_membership=mentor_membership,
        mentor=mentor_membership.user,
        mentee=mentee,
        other_mentee=other_mentee,
        admin=admin,
        other_program=other_program,
        other_admin=other_admin,
        keys={
            "write": make_key(program, scope=ApiKey.Scope.READ_WRITE, admin=admin),
            "read": make_key(program, scope=ApiKey.Scope.READ, admin=admin),
            "foreign": make_key(other_program, scope=ApiKey.Scope.READ_WRITE, admin=other_admin),
        },
    )
