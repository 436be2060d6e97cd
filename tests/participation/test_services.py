"""A person's own terms in a program (matching.services.membership_update): the program's
bounds, the modes only where mentors choose them, a pause, and the change history —
refused by the service itself, whatever a form said."""

from datetime import UTC, date, timedelta

import pytest
from django.utils import timezone

from matching import services
from matching.errors import ParticipationRefused
from matching.models import Connection, ConnectionRequest, MembershipChange
from mentoring.errors import NotAllowed
from tests.connections.conftest import configure
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.now().astimezone(UTC).date()


@pytest.fixture
def program(db):
    program = ProgramFactory()
    configure(
        program,
        ongoing_enabled=True,
        one_time_enabled=True,
        mentors_choose_modes=True,
        default_max_ongoing_mentees=3,
        mentor_max_ongoing_mentees=5,
        mentor_max_flash_meetings_per_month=6,
    )
    return program


@pytest.fixture
def mentor(program):
    return MentorMembershipFactory(program=program, max_ongoing_mentees=2)


def test_a_change_is_saved_and_recorded_old_to_new(mentor):
    change = services.membership_update(
        membership=mentor,
        actor=mentor.user,
        changes={"max_ongoing_mentees": 4, "offers_ongoing": False, "headline": "Data lead"},
    )

    mentor.refresh_from_db()
    assert (mentor.max_ongoing_mentees, mentor.offers_ongoing, mentor.headline) == (
        4,
        False,
        "Data lead",
    )
    assert change.changed_by == mentor.user and change.membership == mentor
    assert change.changes["max_ongoing_mentees"] == {
        "label": "maximum ongoing mentees",
        "old": "2",
        "new": "4",
    }
    assert change.changes["offers_ongoing"]["old"] == "on"
    assert change.changes["offers_ongoing"]["new"] == "off"
    assert "maximum ongoing mentees: 2 → 4" in change.summary


def test_nothing_new_records_nothing(mentor):
    assert (
        services.membership_update(
            membership=mentor, actor=mentor.user, changes={"max_ongoing_mentees": 2}
        )
        is None
    )
    assert not MembershipChange.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_ongoing_mentees", 6),  # above the program's cap of 5
        ("max_ongoing_mentees", -1),
        ("max_flash_meetings_per_month", 7),  # above 6
        ("max_flash_meetings_per_month", None),
        ("max_flash_meetings_per_month", "3"),
    ],
)
def test_values_outside_the_programs_bounds_are_refused(mentor, field, value):
    with pytest.raises(ParticipationRefused) as refused:
        services.membership_update(membership=mentor, actor=mentor.user, changes={field: value})
    assert refused.value.field == field
    mentor.refresh_from_db()
    assert getattr(mentor, field) in (2, 4) and not MembershipChange.objects.exists()


def test_blank_caps_mean_up_to_the_ceiling(program, mentor):
    configure(program, mentor_max_ongoing_mentees=None, mentor_max_flash_meetings_per_month=None)
    services.membership_update(
        membership=mentor,
        actor=mentor.user,
        changes={"max_ongoing_mentees": 40, "max_flash_meetings_per_month": 30},
    )
    with pytest.raises(ParticipationRefused):
        services.membership_update(
            membership=mentor, actor=mentor.user, changes={"max_ongoing_mentees": 1000}
        )


def test_a_cap_lowered_later_does_not_block_other_changes(program, mentor):
    configure(program, mentor_max_ongoing_mentees=1)  # the mentor's 2 is above it now
    services.membership_update(membership=mentor, actor=mentor.user, changes={"bio": "Hi."})
    mentor.refresh_from_db()
    assert mentor.bio == "Hi." and mentor.max_ongoing_mentees == 2


def test_modes_are_refused_where_the_program_does_not_let_mentors_choose(program, mentor):
    configure(program, mentors_choose_modes=False)
    with pytest.raises(NotAllowed):
        services.membership_update(
            membership=mentor, actor=mentor.user, changes={"offers_ongoing": False}
        )
    mentor.refresh_from_db()
    assert mentor.offers_ongoing
    # A program admin may set them (they apply once the program lets mentors choose).
    services.membership_update(
        membership=mentor, actor=None, changes={"offers_ongoing": False}, by_admin=True
    )


def test_at_least_one_mode_stays_on(mentor):
    with pytest.raises(ParticipationRefused) as refused:
        services.membership_update(
            membership=mentor,
            actor=mentor.user,
            changes={"offers_ongoing": False, "offers_one_time": False},
        )
    assert refused.value.field == "modes"


def test_a_pause_needs_a_date_after_today(mentor):
    for bad in (today(), today() - timedelta(days=3)):
        with pytest.raises(ParticipationRefused) as refused:
            services.membership_update(
                membership=mentor, actor=mentor.user, changes={"paused_until": bad}
            )
        assert refused.value.field == "paused_until"
    tomorrow = today() + timedelta(days=1)
    change = services.membership_update(
        membership=mentor, actor=mentor.user, changes={"paused_until": tomorrow}
    )
    assert change.changes["paused_until"]["old"] == "—"
    services.membership_update(membership=mentor, actor=mentor.user, changes={"paused_until": None})
    mentor.refresh_from_db()
    assert mentor.paused_until is None


def test_a_mentor_changes_only_mentor_fields_and_a_mentee_only_goals(program, mentor):
    mentee = MembershipFactory(program=program)
    with pytest.raises(NotAllowed):
        services.membership_update(membership=mentor, actor=mentor.user, changes={"goals": "x"})
    with pytest.raises(NotAllowed):
        services.membership_update(
            membership=mentee, actor=mentee.user, changes={"max_ongoing_mentees": 1}
        )
    with pytest.raises(NotAllowed):
        services.membership_update(membership=mentor, actor=mentor.user, changes={"active": False})
    services.membership_update(membership=mentee, actor=mentee.user, changes={"goals": "Grow."})
    with pytest.raises(ParticipationRefused):
        services.membership_update(
            membership=mentee, actor=mentee.user, changes={"goals": "x" * 1001}
        )


def test_lowering_pausing_or_dropping_ongoing_keeps_connections_and_requests(program, mentor):
    connections = ConnectionFactory.create_batch(2, program=program, mentor=mentor.user)
    waiting = ConnectionRequestFactory(program=program, mentor=mentor.user)
    services.membership_update(
        membership=mentor,
        actor=mentor.user,
        changes={
            "max_ongoing_mentees": 0,
            "paused_until": today() + timedelta(days=30),
            "offers_ongoing": False,
        },
    )
    assert set(Connection.objects.filter(status="active")) == set(connections)
    waiting.refresh_from_db()
    assert waiting.status == ConnectionRequest.Status.PENDING
