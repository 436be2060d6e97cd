"""The hand-written hot reads (``mentoring.rows``) must give what the ORM gives: the same
field values with the same Python types (SQLite hands back integers for booleans and
naive or text datetimes), related objects attached without further queries, NULL rows
from a LEFT JOIN as None, and left-out columns deferred."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Model
from django.http import Http404

from flash_meetings import selectors as meeting_selectors
from flash_meetings.models import FlashMeeting
from matching import capacity, selectors
from matching.models import MatchingSettings
from matching.selectors import Availability
from mentoring import rows
from mentoring.models import Membership, Program, User
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory
from tests.flash_meetings.factories import FlashMeetingFactory

pytestmark = pytest.mark.django_db


def field_values(instance: Model) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def select_one(model: type[Model], pk: int, **kwargs):
    columns = rows.model_columns(model, "t", **kwargs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.sql} FROM {model._meta.db_table} t WHERE t.id = %s",  # noqa: S608
            [pk],
        )
        return columns.load(cursor.fetchone())


@pytest.mark.parametrize("model", [Program, MatchingSettings, Membership, FlashMeeting, User])
def test_a_loaded_row_equals_the_orm_instance_value_for_value_and_type(model):
    meeting = FlashMeetingFactory(topic="Résumé review")
    MentorMembershipFactory(program=meeting.program, user=meeting.mentor, active=False)
    expected = model.objects.order_by("pk").first()

    loaded = select_one(model, expected.pk)

    assert type(loaded) is model
    assert loaded._state.adding is False and loaded._state.db == "default"
    assert field_values(loaded) == field_values(expected)
    for name, value in field_values(expected).items():
        assert type(getattr(loaded, name)) is type(value), name


def test_datetimes_come_back_aware_and_booleans_as_bool():
    membership = MembershipFactory(active=False)

    loaded = select_one(Membership, membership.pk)

    assert loaded.active is False
    assert loaded.joined_at.tzinfo is not None
    assert loaded.joined_at == Membership.objects.get(pk=membership.pk).joined_at


def test_left_out_columns_are_deferred_and_load_on_access(django_assert_num_queries):
    membership = MembershipFactory(bio="A long story")

    loaded = select_one(Membership, membership.pk, exclude=("bio",))

    assert loaded.get_deferred_fields() == {"bio"}
    with django_assert_num_queries(1):
        assert loaded.bio == "A long story"


def test_a_null_row_from_a_left_join_loads_as_none():
    columns = rows.model_columns(Program, "p")
    assert columns.load([None] * columns.width) is None


def test_storable_id_matches_the_bigint_range():
    assert rows.storable_id(1)
    assert rows.storable_id(2**63 - 1)
    assert not rows.storable_id(2**63)


def test_program_access_loads_program_settings_and_memberships_in_one_query(
    django_assert_num_queries,
):
    program = ProgramFactory(slug="access")
    mentee = MembershipFactory(program=program).user
    MentorMembershipFactory(program=program, user=mentee)
    settings = MatchingSettings.objects.get(program=program)

    with django_assert_num_queries(1):
        access = selectors.program_access(slug="access", user=mentee)
        assert access.program == program
        assert field_values(access.settings) == field_values(settings)
        assert [m.role for m in access.memberships] == ["mentee", "mentor"]
        assert all(m.program is access.program for m in access.memberships)
        assert access.program.matching_settings is access.settings


@pytest.mark.parametrize(
    "change",
    [
        {"membership": {"active": False}},
        {"program": {"active": False}},
        {"slug": "another-program"},
    ],
    ids=["inactive membership", "inactive program", "other program"],
)
def test_program_access_is_404_without_an_active_membership_in_an_active_program(change):
    program = ProgramFactory(slug="access", **change.get("program", {}))
    ProgramFactory(slug="another-program")
    user = MembershipFactory(program=program, **change.get("membership", {})).user

    with pytest.raises(Http404):
        selectors.program_access(slug=change.get("slug", "access"), user=user)


def test_memberships_for_user_lists_every_membership_by_program_name(django_assert_num_queries):
    user = MembershipFactory(program=ProgramFactory(name="Zeta"), active=False).user
    MembershipFactory(program=ProgramFactory(name="Alpha"), user=user)
    MentorMembershipFactory(program=ProgramFactory(name="Alpha", slug="alpha-2"), user=user)

    with django_assert_num_queries(1):
        memberships = selectors.memberships_for_user(user=user)
        names = [(m.program.name, m.role, m.active) for m in memberships]
        assert [m.program.matching_settings.program_id for m in memberships] == [
            m.program_id for m in memberships
        ]

    assert names == [
        ("Alpha", "mentee", True),
        ("Alpha", "mentor", True),
        ("Zeta", "mentee", False),
    ]
    assert memberships == list(
        Membership.objects.filter(user=user).order_by("program__name", "role")
    )


def test_directory_cards_keep_the_page_order_and_say_who_takes_mentees(
    django_assert_num_queries,
):
    program = ProgramFactory()
    settings = program.matching_settings
    settings.mentors_choose_modes = True
    settings.default_max_ongoing_mentees = 1
    settings.save()
    free = MentorMembershipFactory(
        program=program, user__display_name="", user__first_name="Ada", user__last_name="Li"
    )
    full = MentorMembershipFactory(program=program, expertise=" data ,, hiring ")
    ConnectionRequestFactory(program=program, mentor=full.user)
    own_limit = MentorMembershipFactory(program=program, max_ongoing_mentees=3)
    ConnectionFactory(program=program, mentor=own_limit.user)
    one_time = MentorMembershipFactory(program=program, offers_ongoing=False, headline="")

    with django_assert_num_queries(1):
        cards = selectors.directory_cards(
            ids=[one_time.pk, full.pk, 10**9, own_limit.pk, free.pk], settings=settings
        )

    assert [(c["membership_id"], c["availability"]) for c in cards] == [
        (one_time.pk, Availability.ONE_TIME_ONLY),
        (full.pk, Availability.FULL),
        (own_limit.pk, Availability.TAKING_NEW),
        (free.pk, Availability.TAKING_NEW),
    ]
    assert cards[3]["name"] == "Ada Li" == free.user.name
    assert cards[1]["expertise"] == "data, hiring"
    assert cards[0]["headline"] == ""
    assert [c["availability_label"] for c in cards] == [
        "One-time meetings only",
        "Not taking new mentees right now",
        "Taking new mentees",
        "Taking new mentees",
    ]
    assert [c["taking_new"] for c in cards] == [False, False, True, True]
    assert selectors.directory_cards(ids=[], settings=settings) == []


def test_directory_cards_follow_the_program_when_mentors_do_not_choose_modes():
    program = ProgramFactory()
    settings = program.matching_settings
    settings.mentors_choose_modes = False
    settings.ongoing_enabled = True
    settings.save()
    mentor = MentorMembershipFactory(program=program, offers_ongoing=False)

    (card,) = selectors.directory_cards(ids=[mentor.pk], settings=settings)

    assert card["availability"] == Availability.TAKING_NEW and card["taking_new"]


def test_follow_up_meeting_comes_with_program_settings_mentor_and_terms(
    django_assert_num_queries,
):
    meeting = FlashMeetingFactory(
        starts_at=datetime(2026, 1, 5, 10, tzinfo=UTC), ends_at=datetime(2026, 1, 5, 11, tzinfo=UTC)
    )
    membership = MentorMembershipFactory(
        program=meeting.program, user=meeting.mentor, max_ongoing_mentees=4
    )
    ConnectionFactory(program=meeting.program, mentor=meeting.mentor)
    ConnectionRequestFactory(program=meeting.program, mentor=meeting.mentor, mentee=meeting.mentee)
    declined_at = datetime(2025, 12, 24, 9, 30, 15, 123456, tzinfo=UTC)
    for responded_at in (declined_at - timedelta(days=40), declined_at):
        ConnectionRequestFactory(
            program=meeting.program,
            mentor=meeting.mentor,
            mentee=meeting.mentee,
            status="declined",
            responded_at=responded_at,
        )

    with django_assert_num_queries(1):
        read = meeting_selectors.meeting_for_follow_up(meeting_id=meeting.pk, mentee=meeting.mentee)
        loaded = read.meeting
        assert loaded.ends_at == datetime(2026, 1, 5, 11, tzinfo=UTC)
        assert loaded.program.matching_settings.program_id == meeting.program_id
        assert loaded.mentor.name == meeting.mentor.name
    assert field_values(loaded) == field_values(FlashMeeting.objects.get(pk=meeting.pk))
    assert loaded.mentor.get_deferred_fields() == {"password"}
    terms, counts = read.mentor_terms
    assert terms.pk == membership.pk and terms.max_ongoing_mentees == 4
    assert (counts.mentor_active, counts.mentor_pending, counts.pair_pending) == (1, 1, 1)
    assert counts.pair_last_declined_at == declined_at  # the last one, aware (SQLite too)
    assert read.mentor_terms == capacity.mentor_terms_and_pair_counts(
        program_id=meeting.program_id, mentor_id=meeting.mentor_id, mentee_id=meeting.mentee_id
    )


def test_follow_up_meeting_of_a_mentor_without_a_membership_has_no_terms():
    meeting = FlashMeetingFactory()

    read = meeting_selectors.meeting_for_follow_up(meeting_id=meeting.pk, mentee=meeting.mentee)

    assert read.mentor_terms == (None, capacity.PairCounts(0, 0, 0, 0, 0, 0, None))


@pytest.mark.parametrize("who", ["mentor", "stranger", "huge id"])
def test_follow_up_meeting_is_404_for_anyone_but_its_mentee(who):
    meeting = FlashMeetingFactory()
    viewer = {"mentor": meeting.mentor, "stranger": MembershipFactory().user}.get(
        who, meeting.mentee
    )
    meeting_id = 2**70 if who == "huge id" else meeting.pk

    with pytest.raises(Http404):
        meeting_selectors.meeting_for_follow_up(meeting_id=meeting_id, mentee=viewer)


def test_instance_carries_only_the_given_fields_and_defers_the_rest(django_assert_num_queries):
    meeting = FlashMeetingFactory(topic="Interview practice")

    with django_assert_num_queries(0):
        light = rows.instance(FlashMeeting, id=meeting.pk, topic="Interview practice")
        assert light.pk == meeting.pk and light.topic == "Interview practice"
        assert light._state.adding is False
    assert "status" in light.get_deferred_fields()
    with django_assert_num_queries(1):
        assert light.status == meeting.status
    with pytest.raises(TypeError, match="no_such_field"):
        rows.instance(FlashMeeting, id=1, no_such_field=2)


def test_person_has_the_name_and_nothing_else_loaded():
    user = MembershipFactory(user__display_name="", user__first_name="Ada").user

    person = rows.person(user.pk, "", "Ada", user.last_name, user.username)

    assert person.name == user.name
    assert {"password", "email"} <= person.get_deferred_fields()
