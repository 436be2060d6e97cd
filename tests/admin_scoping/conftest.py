"""Two programs, Alpha and Bravo, each with one object of every kind program admins
manage; ``alpha_admin`` administers Alpha only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from api.services import api_key_create
from matching.services import matching_settings_update
from mentoring import services
from mentoring.models import Membership, Program, User
from ongoing import services as ongoing_services
from ongoing.models import ConnectionHealth, ConnectionNudge
from surveys.models import Survey, SurveyResponse, Version
from tests.connections.factories import (
    ConnectionFactory,
    ConnectionRequestFactory,
    PreferredMentorFactory,
)
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory, UserFactory
from tests.flash_meetings.factories import (
    AvailabilitySlotFactory,
    FlashMeetingFactory,
    ProposedTimeFactory,
)
from tests.notifications.factories import NotificationFactory
from webhooks.models import Delivery, Endpoint


@dataclass
class Side:
    """One program's objects, by model label ("matching.connection": [obj, ...])."""

    program: Program
    mentor: User
    mentee: User
    objects: dict[str, list] = field(default_factory=dict)

    def add(self, obj) -> None:
        self.objects.setdefault(obj._meta.label_lower, []).append(obj)

    def pks(self, label: str) -> set[int]:
        return {obj.pk for obj in self.objects.get(label, [])}


def _side(name: str, superuser: User) -> Side:
    program = ProgramFactory(name=f"{name} Program", slug=name.lower())
    slug = name.lower()
    mentor_membership = MentorMembershipFactory(
        program=program, user__username=f"{slug}-mentor", user__display_name=f"{name} Mentor"
    )
    mentee_membership = MembershipFactory(
        program=program, user__username=f"{slug}-mentee", user__display_name=f"{name} Mentee"
    )
    mentor, mentee = mentor_membership.user, mentee_membership.user
    side = Side(program=program, mentor=mentor, mentee=mentee)
    side.add(program)
    side.add(program.matching_settings)
    side.add(mentor_membership)
    side.add(mentee_membership)
    side.add(mentor)
    side.add(mentee)
    pair = {"program": program, "mentor": mentor, "mentee": mentee}
    connection = ConnectionFactory(**pair)
    side.add(connection)
    side.add(ConnectionHealth.objects.get(pk=connection.pk))
    ConnectionNudge.objects.create(connection=connection, nudged_by=superuser, day=date(2026, 1, 5))
    side.add(ongoing_services.goal_add(connection=connection, actor=mentee, title=f"{name} goal"))
    side.add(
        ongoing_services.note_add(connection=connection, actor=mentee, body=f"{name}", shared=True)
    )
    # A private note: in no admin at all (the lists must not show it).
    ongoing_services.note_add(connection=connection, actor=mentor, body="Private", shared=False)
    side.add(ConnectionRequestFactory(**pair, status="declined"))
    side.add(PreferredMentorFactory(**pair, rank=1))
    # Its outcome was recorded by a superuser: a value outside the program admin's scope
    # that their form must keep accepting.
    meeting = FlashMeetingFactory(**pair, topic=f"{name} topic", outcome_recorded_by=superuser)
    side.add(meeting)
    side.add(ProposedTimeFactory(meeting=meeting))
    side.add(AvailabilitySlotFactory(program=program, mentor=mentor))
    for survey in Survey.objects.filter(program=program):
        side.add(survey)
    survey = Survey.objects.get(
        program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role=Survey.Role.MENTEE
    )
    side.add(
        SurveyResponse.objects.create(
            survey=survey,
            flash_meeting=meeting,
            respondent=mentee,
            version=Version.COMPLETED,
            submitted_at=timezone.now(),
        )
    )
    side.add(NotificationFactory(program=program, recipient=mentee, status="failed"))
    side.add(api_key_create(program=program, name=f"{name} sync", scope="read", actor=superuser)[0])
    endpoint = Endpoint.objects.create(
        program=program,
        name=f"{name} receiver",
        url=f"https://93.184.215.14/{slug}",  # a public address: no DNS lookup
        events=["connection.created"],
    )
    side.add(endpoint)
    side.add(
        Delivery.objects.create(
            endpoint=endpoint,
            event_id=f"evt_{slug}",
            event_type="connection.created",
            payload={"type": "connection.created"},
            status="failed",
            attempts=1,
        )
    )
    matching_settings_update(
        matching_settings=program.matching_settings,
        actor=superuser,
        changes={"request_expiry_days": 21},
    )
    return side


@dataclass
class World:
    alpha: Side
    bravo: Side
    alpha_admin: User
    superuser: User


def _build_world() -> World:
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    alpha, bravo = _side("Alpha", superuser), _side("Bravo", superuser)
    alpha_admin = UserFactory(username="alpha-admin", display_name="Alpha Admin")
    services.program_administrator_add(program=alpha.program, user=alpha_admin)
    alpha.add(alpha_admin)
    # Someone in both programs: Alpha's admin may see them (read-only).
    both = MembershipFactory(program=bravo.program, user=alpha.mentee, role=Membership.Role.MENTOR)
    bravo.add(both)
    return World(alpha=alpha, bravo=bravo, alpha_admin=alpha_admin, superuser=superuser)


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back at its end (like
    ``TestCase.setUpTestData``); each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world, db) -> World:
    return _module_world


@pytest.fixture
def alpha_client(client, world):
    client.force_login(world.alpha_admin)
    return client
