"""Every hand-written read (each app's ``queries.py``) gives what its ORM version gives.

The ORM versions below are the ones measured against the SQL (README, "Performance"):
if a change makes the ORM cheap enough, swap them back in; until then these tests hold
the two to the same answer on a varied world, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django.utils import timezone

from flash_meetings import queries as meeting_queries
from flash_meetings.models import FlashMeeting
from matching import capacity
from matching import queries as matching_queries
from matching.models import Connection, ConnectionRequest
from mentoring.models import Membership, Program, User
from surveys import queries as survey_queries
from surveys.models import Survey, SurveyResponse
from surveys.selectors import ANSWERABLE_STATUSES
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory, UserFactory
from tests.flash_meetings.factories import FlashMeetingFactory
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

MEETING_STATUSES = list(FlashMeeting.Status.values)
TERMS = capacity.TERMS_FIELDS


# --- The ORM versions -------------------------------------------------------------------


def orm_pair_counts(*, program_id: int, mentor_id: int, mentee_id: int) -> tuple:
    return (
        Program.objects.filter(pk=program_id)
        .annotate(
            **capacity.pair_count_expressions(
                program=program_id, mentor=mentor_id, mentee=mentee_id
            )
        )
        .values_list(*capacity.COUNT_NAMES)
        .get()
    )


def orm_directory_card_rows(*, ids: list[int], program_id: int) -> list[tuple]:
    listed = Membership.objects.filter(
        pk__in=ids, program_id=program_id, role=Membership.Role.MENTOR, active=True
    )
    return list(
        capacity.with_slots(listed).values_list(
            "pk",
            "headline",
            "expertise",
            "max_ongoing_mentees",
            "offers_ongoing",
            "offers_one_time",
            "paused_until",
            *(f"user__{name}" for name in User.NAME_FIELDS),
            "active_connections",
            "pending_requests",
        )
    )


def orm_memberships_with_programs(*, user_id: int, slug: str | None = None) -> list:
    memberships = Membership.objects.filter(user_id=user_id).select_related(
        "program__matching_settings"
    )
    if slug is None:
        return list(memberships.order_by("program__name", "role"))
    return list(
        memberships.filter(active=True, program__active=True, program__slug=slug).order_by("role")
    )


def orm_dashboard_connections(*, user_id: int) -> list[Connection]:
    return list(
        Connection.objects.filter(
            Q(mentor_id=user_id) | Q(mentee_id=user_id), status=Connection.Status.ACTIVE
        )
        .select_related("program", "mentor", "mentee")
        .only(
            "started_at",
            "program__name",
            "program__slug",
            *User.name_fields("mentor"),
            *User.name_fields("mentee"),
        )
        .order_by("program__name", "-started_at", "pk")
    )


def orm_follow_up_meeting(*, meeting_id: int, mentee_id: int, for_update: bool = False):
    meetings = (
        FlashMeeting.objects.select_related("program__matching_settings", "mentor")
        .defer("mentor__password")
        .annotate(
            mentor_membership=FilteredRelation(
                "program__memberships",
                condition=Q(
                    program__memberships__user=F("mentor"),
                    program__memberships__role=Membership.Role.MENTOR,
                ),
            ),
            **{f"terms_{name}": F(f"mentor_membership__{name}") for name in TERMS},
            **capacity.pair_count_expressions(
                program=OuterRef("program_id"),
                mentor=OuterRef("mentor_id"),
                mentee=OuterRef("mentee_id"),
            ),
            program_has_endpoints=Exists(
                Endpoint.objects.filter(program=OuterRef("program_id"), active=True)
            ),
        )
    )
    if for_update:
        meetings = meetings.select_for_update(of=("self",))
    meeting = meetings.filter(pk=meeting_id, mentee_id=mentee_id, connection=None).first()
    if meeting is None:
        return None
    terms = tuple(getattr(meeting, f"terms_{name}") for name in TERMS)
    counts = tuple(getattr(meeting, name) for name in capacity.COUNT_NAMES)
    return meeting, terms, counts, meeting.program_has_endpoints


def orm_dashboard_meetings(*, user_id: int, now) -> list[FlashMeeting]:
    return list(
        FlashMeeting.objects.filter(
            Q(mentor_id=user_id) | Q(mentee_id=user_id),
            Q(ends_at__lte=now, mentee_id=user_id, follow_up_choice="", connection=None)
            | Q(ends_at__gt=now, status=FlashMeeting.Status.SCHEDULED),
            status__in=FlashMeeting.HELD_STATUSES,
        )
        .select_related("mentor", "mentee")
        .only(
            "topic",
            "status",
            "starts_at",
            "ends_at",
            *User.name_fields("mentor"),
            *User.name_fields("mentee"),
        )
        .order_by("starts_at", "pk")
    )


def orm_waiting_meetings(*, user_id: int, statuses, now, limit: int) -> list[FlashMeeting]:
    answered = SurveyResponse.objects.filter(flash_meeting=OuterRef("pk"), respondent_id=user_id)
    newest = (
        FlashMeeting.objects.filter(
            Q(mentee_id=user_id) | Q(mentor_id=user_id),
            status__in=statuses,
            ends_at__lte=now,
            connection=None,
        )
        .exclude(Exists(answered))
        .exclude(mentee_id=user_id, status__in=FlashMeeting.HELD_STATUSES, follow_up_choice="")
        .order_by("-ends_at", "-pk")
        .values("pk")[:limit]
    )
    return list(
        FlashMeeting.objects.filter(pk__in=newest)
        .select_related("mentor", "mentee")
        .only(
            "topic", "status", "ends_at", *User.name_fields("mentor"), *User.name_fields("mentee")
        )
        .order_by("-ends_at", "-pk")
    )


# --- A varied world -----------------------------------------------------------------------


def orm_waiting_connection_surveys(*, user_id: int, today, ended_since, limit: int):
    def answered(kind: str) -> Exists:
        return Exists(
            SurveyResponse.objects.filter(
                connection=OuterRef("pk"), respondent_id=user_id, survey__kind=kind
            )
        )

    check_in = Q(
        status=Connection.Status.ACTIVE,
        check_in_on__lte=today,
        program__matching_settings__connection_check_in_enabled=True,
    ) & ~answered(Survey.Kind.CONNECTION_CHECK_IN)
    closing = Q(
        status=Connection.Status.ENDED,
        ended_at__gte=ended_since,
        program__matching_settings__connection_closing_survey_enabled=True,
    ) & ~answered(Survey.Kind.CONNECTION_CLOSING)
    return list(
        Connection.objects.filter(Q(mentor_id=user_id) | Q(mentee_id=user_id))
        .filter(check_in | closing)
        .select_related("mentor", "mentee")
        .only(
            "pk",
            "status",
            "mentor_id",
            "mentee_id",
            "program_id",
            "check_in_on",
            "ended_at",
            *User.name_fields("mentor"),
            *User.name_fields("mentee"),
        )
        .order_by("-started_at", "-pk")[:limit]
    )


@pytest.fixture
def world():
    """Two programs; mentors with and without memberships (one inactive, one with its
    own limit); connections and requests in every status, across pairs and programs;
    meetings in every status, before and after now, some answered (follow-up and
    survey); people with empty display names."""
    rng = random.Random(13)  # noqa: S311  (test data, not secrets)
    now = timezone.now()
    programs = [ProgramFactory(), ProgramFactory()]
    people = [
        UserFactory(display_name="" if n % 4 == 0 else f"Person {n}", first_name=f"F{n}")
        for n in range(10)
    ]
    for program in programs:
        for index, person in enumerate(people[:5]):
            MentorMembershipFactory(
                program=program,
                user=person,
                active=index != 3,
                max_ongoing_mentees=[None, 2, 0, None, 7][index],
                offers_ongoing=index != 2,
                # A pause to come, one over, and none (read as a date on SQLite too).
                paused_until=[None, now.date() + timedelta(days=9), None, None, date(2020, 1, 2)][
                    index
                ],
                headline=f"Headline {index}",
                expertise=" data ,, hiring " if index == 1 else "",
            )
        for person in people[5:]:
            MembershipFactory(program=program, user=person)
    for _ in range(40):
        program = rng.choice(programs)
        mentor, mentee = rng.choice(people[:6]), rng.choice(people[4:])
        if mentor == mentee:
            continue
        if rng.random() < 0.5:
            status = rng.choice(Connection.Status.values)
            if (
                status == "active"
                and Connection.objects.filter(
                    program=program, mentor=mentor, mentee=mentee, status="active"
                ).exists()
            ):
                continue
            ConnectionFactory(
                program=program,
                mentor=mentor,
                mentee=mentee,
                status=status,
                ended_at=now if status == "ended" else None,
            )
        else:
            status = rng.choice(ConnectionRequest.Status.values)
            if (
                status == "pending"
                and ConnectionRequest.objects.filter(
                    program=program, mentor=mentor, mentee=mentee, status="pending"
                ).exists()
            ):
                continue
            # Answered at odd moments (microseconds too: SQLite hands the pair's last
            # decline back as text), declined pairs sometimes more than once.
            answered = now - timedelta(days=rng.randint(0, 200), microseconds=rng.randint(1, 10**9))
            ConnectionRequestFactory(
                program=program,
                mentor=mentor,
                mentee=mentee,
                status=status,
                responded_at=None if status == "pending" else answered,
            )
    for n in range(60):
        program = rng.choice(programs)
        mentor, mentee = rng.choice(people[:6]), rng.choice(people[3:])
        if mentor == mentee:
            continue
        starts = now + timedelta(hours=rng.randint(-300, 300), minutes=5 * n)
        meeting = FlashMeetingFactory(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=rng.choice(MEETING_STATUSES),
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            follow_up_choice=rng.choice(["", "", "no_thanks"]),
        )
        if meeting.ends_at <= now and rng.random() < 0.3:
            survey = Survey.objects.get(
                program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role=Survey.Role.MENTEE
            )
            SurveyResponse.objects.create(
                survey=survey, flash_meeting=meeting, respondent=mentee, version="completed"
            )
    return programs, people, now


def loaded(instance) -> dict:
    """What a read gives of an instance: its loaded fields, and the names people see."""
    values = {
        name: getattr(instance, name)
        for name in ("id", "topic", "status", "starts_at", "ends_at")
        if name not in instance.get_deferred_fields()
    }
    values["mentor"] = instance.mentor.name
    values["mentee"] = instance.mentee.name
    return values


# --- The equivalences -----------------------------------------------------------------------


def test_pair_counts_match_the_orm(world):
    programs, people, _now = world
    totals = [0] * 6
    declined = 0
    for program in programs:
        for mentor in people[:6]:
            for mentee in people[3:]:
                ids = {"program_id": program.pk, "mentor_id": mentor.pk, "mentee_id": mentee.pk}
                counts = matching_queries.pair_counts(**ids)
                assert counts == orm_pair_counts(**ids), ids
                *numbers, last_declined_at = counts
                totals = [a + b for a, b in zip(totals, numbers, strict=True)]
                if last_declined_at is not None:
                    assert last_declined_at.tzinfo is not None  # aware, on SQLite too
                    assert last_declined_at == max(
                        ConnectionRequest.objects.filter(
                            program=program, mentor=mentor, mentee=mentee, status="declined"
                        ).values_list("responded_at", flat=True)
                    )
                    declined += 1
    assert all(totals), totals  # the world has every kind of count somewhere
    assert declined, "some pair has a decline"


def test_directory_card_rows_match_the_orm(world):
    programs, _people, _now = world
    # Every membership of both programs (mentees, an inactive mentor and the other
    # program's mentors are left out: the ids may come from a stale cached order).
    ids = list(Membership.objects.values_list("pk", flat=True))
    ids.append(10**9)  # no such membership
    for program in programs:
        sql = sorted(matching_queries.directory_card_rows(ids=ids, program_id=program.pk))
        orm = sorted(orm_directory_card_rows(ids=ids, program_id=program.pk))
        assert sql == orm
        assert len(sql) == 4 and any(row[11] or row[12] for row in sql)
        assert {row[6] for row in sql} == {None, date(2020, 1, 2), _now.date() + timedelta(days=9)}
        for sql_row, orm_row in zip(sql, orm, strict=True):  # booleans and dates, SQLite too
            assert [type(value) for value in sql_row] == [type(value) for value in orm_row]


@pytest.mark.parametrize("for_update", [False, True])
def test_follow_up_meeting_matches_the_orm(world, for_update):
    programs, _people, _now = world
    # The first program has an active endpoint; the second only one turned off.
    for program, active in ((programs[0], True), (programs[1], False)):
        Endpoint.objects.create(
            program=program, name="Receiver", url="https://hooks.example.org/in", active=active
        )
    checked = 0
    endpoint_flags = set()
    with transaction.atomic():
        for meeting in FlashMeeting.objects.order_by("pk"):
            for mentee_id in (meeting.mentee_id, meeting.mentor_id):
                sql = meeting_queries.follow_up_meeting(
                    meeting_id=meeting.pk, mentee_id=mentee_id, for_update=for_update
                )
                orm = orm_follow_up_meeting(
                    meeting_id=meeting.pk, mentee_id=mentee_id, for_update=for_update
                )
                if orm is None:
                    assert sql is None
                    continue
                sql_meeting, sql_terms, sql_counts, sql_endpoints = sql
                orm_meeting, orm_terms, orm_counts, orm_endpoints = orm
                assert sql_endpoints is orm_endpoints
                assert sql_endpoints is (sql_meeting.program_id == programs[0].pk)
                endpoint_flags.add(sql_endpoints)
                for a, b in (
                    (sql_meeting, orm_meeting),
                    (sql_meeting.program, orm_meeting.program),
                    (sql_meeting.program.matching_settings, orm_meeting.program.matching_settings),
                    (sql_meeting.mentor, orm_meeting.mentor),
                ):
                    names = [f.attname for f in a._meta.concrete_fields if f.attname != "password"]
                    assert [getattr(a, n) for n in names] == [getattr(b, n) for n in names]
                assert sql_meeting.mentor.get_deferred_fields() == {"password"}
                assert (sql_terms, sql_counts) == (orm_terms, orm_counts)
                checked += 1
    assert checked >= 50
    assert endpoint_flags == {True, False}
    assert meeting_queries.follow_up_meeting(meeting_id=2**70, mentee_id=1) is None


def test_dashboard_meetings_match_the_orm(world):
    _programs, people, now = world
    for person in people:
        sql = meeting_queries.dashboard_meetings(user_id=person.pk, now=now)
        orm = orm_dashboard_meetings(user_id=person.pk, now=now)
        assert [loaded(m) for m in sql] == [loaded(m) for m in orm], person


def test_waiting_meetings_match_the_orm(world):
    _programs, people, now = world
    found = 0
    for person in people:
        for limit in (3, 10):
            arguments = {
                "user_id": person.pk,
                "statuses": ANSWERABLE_STATUSES,
                "now": now,
                "limit": limit,
            }
            sql = survey_queries.waiting_meetings(**arguments)
            orm = orm_waiting_meetings(**arguments)
            assert [loaded(m) for m in sql] == [loaded(m) for m in orm], (person, limit)
            found += len(sql)
    assert found


def fields_of(instance) -> list:
    return [getattr(instance, f.attname) for f in instance._meta.concrete_fields]


def test_memberships_with_programs_match_the_orm(world):
    programs, people, _now = world
    Program.objects.filter(pk=programs[1].pk).update(active=False)  # one inactive program
    Membership.objects.filter(user=people[6], program=programs[0]).update(active=False)
    for person in people:
        for slug in (None, programs[0].slug, programs[1].slug, "no-such-program"):
            sql = matching_queries.memberships_with_programs(user_id=person.pk, slug=slug)
            orm = orm_memberships_with_programs(user_id=person.pk, slug=slug)
            assert [fields_of(m) for m in sql] == [fields_of(m) for m in orm]
            assert [fields_of(m.program) for m in sql] == [fields_of(m.program) for m in orm]
            assert [fields_of(m.program.matching_settings) for m in sql] == [
                fields_of(m.program.matching_settings) for m in orm
            ]
    assert matching_queries.memberships_with_programs(user_id=people[6].pk, slug=None)


def test_dashboard_connections_match_the_orm(world):
    _programs, people, _now = world
    found = 0
    for person in people:
        sql = matching_queries.dashboard_connections(user_id=person.pk)
        orm = orm_dashboard_connections(user_id=person.pk)

        def shown(connection):
            return (
                connection.pk,
                connection.started_at,
                connection.program.name,
                connection.program.slug,
                connection.mentor.name,
                connection.mentee.name,
            )

        assert [shown(c) for c in sql] == [shown(c) for c in orm], person
        found += len(sql)
    assert found


def test_waiting_connection_surveys_match_the_orm():
    """Connections in every status, before, on and after their check-in day, ended
    inside and outside the listing window, answered by one side or the other, in a
    program that runs both surveys, one that runs neither, and one of each."""
    rng = random.Random(17)  # noqa: S311  (test data, not secrets)
    now = timezone.now()
    today = timezone.localdate(now)
    ended_since = now - timedelta(days=30)
    programs = [ProgramFactory() for _ in range(4)]
    for program, (check_ins, closings) in zip(
        programs, [(True, True), (False, False), (True, False), (False, True)], strict=True
    ):
        program.matching_settings.connection_check_in_enabled = check_ins
        program.matching_settings.connection_closing_survey_enabled = closings
        program.matching_settings.save()
    people = [
        UserFactory(display_name="" if n % 3 == 0 else f"Person {n}", first_name=f"F{n}")
        for n in range(8)
    ]
    for _ in range(70):
        program = rng.choice(programs)
        mentor, mentee = rng.sample(people, 2)
        status = rng.choice(Connection.Status.values)
        if (
            status == Connection.Status.ACTIVE
            and Connection.objects.filter(
                program=program, mentor=mentor, mentee=mentee, status=status
            ).exists()
        ):
            continue
        made = ConnectionFactory(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=status,
            # Ties on started_at too: the id breaks them.
            started_at=now - timedelta(days=rng.choice([1, 5, 5, 40])),
            check_in_on=rng.choice([None, today - timedelta(days=1), today, today + timedelta(1)]),
            ended_at=(
                rng.choice([now, ended_since, ended_since - timedelta(seconds=1)])
                if status == Connection.Status.ENDED
                else None
            ),
        )
        for person in (mentor, mentee):
            if rng.random() < 0.3:
                kind = rng.choice(Survey.CONNECTION_KINDS)
                role = "mentor" if person == mentor else "mentee"
                SurveyResponse.objects.create(
                    survey=Survey.objects.get(program=program, kind=kind, role=role),
                    connection=made,
                    respondent=person,
                )
    found = 0
    for person in people:
        for limit in (2, 10):
            arguments = {
                "user_id": person.pk,
                "today": today,
                "ended_since": ended_since,
                "limit": limit,
            }
            sql = survey_queries.waiting_connection_surveys(**arguments)
            orm = orm_waiting_connection_surveys(**arguments)

            def shown(item):
                deferred = item.get_deferred_fields()
                return (
                    [
                        getattr(item, f.attname)
                        for f in Connection._meta.concrete_fields
                        if f.attname not in deferred
                    ],
                    sorted(deferred),
                    item.mentor.name,
                    item.mentee.name,
                )

            assert [shown(c) for c in sql] == [shown(c) for c in orm], (person, limit)
            found += len(sql)
    assert found
