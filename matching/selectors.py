"""Reads for ongoing mentoring: program access, the mentor directory and profiles, requests,
connections and preferred lists. Each list is one query (plus a count when paginated),
whatever its length."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from django.db import connection as db_connection
from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from matching import capacity, modes
from matching.models import Connection, ConnectionRequest, MatchingSettings, PreferredMentor
from mentoring import rows
from mentoring.models import Membership, Program, User

RECENT_ANSWERS = 25


# Raw SQL on purpose: on the dashboard and every program page. Building this two-join
# select_related query in the ORM took ~1.5 ms, several times what PostgreSQL spent
# running it (bench/). Index: membership_one_per_role (user, program, role).
_MEMBERSHIPS_SQL = """
SELECT {membership_columns}, {program_columns}, {settings_columns}
FROM {membership} m
JOIN {program} p ON p.id = m.program_id
LEFT JOIN {settings} s ON s.program_id = p.id
WHERE m.user_id = %(user)s {only_active_in_slug}
ORDER BY {order}
"""
_ACTIVE_IN_SLUG = "AND m.active AND p.active AND p.slug = %(slug)s"


def _memberships_with_programs(*, user: User, slug: str | None = None) -> list[Membership]:
    """The user's memberships, each with its program and the program's settings (one
    instance per program): all of them by program name, or only the active ones in the
    active program ``slug``."""
    membership_columns = rows.model_columns(Membership, "m")
    program_columns = rows.model_columns(Program, "p")
    settings_columns = rows.model_columns(MatchingSettings, "s")
    sql = _MEMBERSHIPS_SQL.format(  # noqa: S608  # nosec B608  (our own names; values bound)
        membership_columns=membership_columns.sql,
        program_columns=program_columns.sql,
        settings_columns=settings_columns.sql,
        membership=Membership._meta.db_table,
        program=Program._meta.db_table,
        settings=MatchingSettings._meta.db_table,
        only_active_in_slug=_ACTIVE_IN_SLUG if slug is not None else "",
        order="m.role" if slug is not None else "p.name, m.role",
    )
    with db_connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "slug": slug})
        found = cursor.fetchall()
    programs: dict[int, Program] = {}
    memberships = []
    program_start = membership_columns.width
    settings_start = program_start + program_columns.width
    for row in found:
        membership = membership_columns.load(row)
        program = programs.get(membership.program_id)
        if program is None:
            program = programs[membership.program_id] = program_columns.load(row, program_start)
            settings = settings_columns.load(row, settings_start)
            if settings is not None:
                program.matching_settings = settings
        membership.program = program
        memberships.append(membership)
    return memberships


def memberships_for_user(*, user: User) -> list[Membership]:
    """All the user's memberships, active or not, by program name, with programs and
    their settings."""
    return _memberships_with_programs(user=user)


@dataclass(frozen=True)
class ProgramAccess:
    """A program seen by one of its active members."""

    program: Program
    settings: MatchingSettings
    memberships: list[Membership]

    def membership(self, role: str) -> Membership | None:
        return next((m for m in self.memberships if m.role == role), None)

    @property
    def mentee_membership(self) -> Membership | None:
        return self.membership(Membership.Role.MENTEE)

    @property
    def preferred_mentoring(self) -> bool:
        return self.settings.ongoing_enabled and self.settings.preferred_mentoring_enabled


def program_access(*, slug: str, user: User) -> ProgramAccess:
    """The program and the viewer's active memberships in it, in one query; 404 for
    anyone who is not an active member of an active program."""
    memberships = _memberships_with_programs(user=user, slug=slug)
    if not memberships or not Program.matching_settings.is_cached(memberships[0].program):
        raise Http404
    program = memberships[0].program
    return ProgramAccess(program, program.matching_settings, memberships)


def _listed_mentors(program: Program, settings: MatchingSettings) -> QuerySet[Membership]:
    # Index: membership_program_role_idx (program, role, active). The program and its
    # settings are the caller's: set ``mentor.program`` instead of joining them onto
    # every row.
    mentors = Membership.objects.filter(
        program=program, role=Membership.Role.MENTOR, active=True
    ).select_related("user")
    if settings.mentors_choose_modes:
        offered = Q()
        if settings.ongoing_enabled:
            offered |= Q(offers_ongoing=True)
        if settings.one_time_enabled:
            offered |= Q(offers_one_time=True)
        mentors = mentors.filter(offered) if offered else mentors.none()
    elif not (settings.ongoing_enabled or settings.one_time_enabled):
        mentors = mentors.none()
    return capacity.with_slots(mentors)


def mentor_directory(
    *, program: Program, settings: MatchingSettings, query: str = ""
) -> QuerySet[Membership]:
    """Active mentors who offer a mode the program runs, with their slot counts (never
    who their mentees are), searchable by name, headline and expertise."""
    mentors = _listed_mentors(program, settings)
    for word in query.split()[:5]:
        mentors = mentors.filter(
            Q(user__display_name__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(headline__icontains=word)
            | Q(expertise__icontains=word)
        )
    return mentors.order_by("user__display_name", "user__username", "pk")


class Availability(models.TextChoices):
    """What a directory card says about a mentor's ongoing mentoring."""

    TAKING_NEW = "taking_new", _("Taking new mentees")
    FULL = "full", _("Not taking new mentees right now")
    ONE_TIME_ONLY = "one_time_only", _("One-time meetings only")


class DirectoryCard(TypedDict):
    """One mentor as a directory page lists them: plain values, in a dict. Building
    twenty Membership and User instances per page cost more than the page's query, and
    the template language renders twenty dict cards in about half the time of objects
    (it tries ``card[key]`` first, and an object fails that lookup before ``getattr``)."""

    membership_id: int
    name: str
    headline: str
    expertise: str
    availability: Availability
    availability_label: str  # in the language of the request
    taking_new: bool


def mentor_availability(
    *,
    settings: MatchingSettings,
    mentor: modes.MentorModes,
    max_ongoing_mentees: int | None,
    slots_used: int,
) -> Availability:
    """What the directory and the profile say about a mentor's ongoing mentoring: the
    program's modes and the mentor's choice, then capacity's free-slot rule."""
    if not modes.mentor_modes_offered(settings=settings, mentor=mentor).ongoing:
        return Availability.ONE_TIME_ONLY
    limit = capacity.mentor_limit(
        max_ongoing_mentees=max_ongoing_mentees,
        default_max_ongoing_mentees=settings.default_max_ongoing_mentees,
    )
    if capacity.mentor_has_free_slot(slots_used=slots_used, limit=limit):
        return Availability.TAKING_NEW
    return Availability.FULL


@dataclass(frozen=True)
class _MentorChoice:
    """A mentor's own mode choice read from a row (``modes.MentorModes``)."""

    offers_ongoing: bool
    offers_one_time: bool


# Raw SQL on purpose: every directory page. The ORM spent ~3 ms building the
# select_related query with its two slot-count subqueries, several times their run time
# (bench/). The counts are capacity's, for the rows shown only (indexes:
# connection_one_active_per_pair, connection_request_one_pending_per_pair).
_DIRECTORY_CARDS_SQL = """
SELECT {membership}.id, {membership}.headline, {membership}.expertise,
       {membership}.max_ongoing_mentees, {membership}.offers_ongoing,
       {membership}.offers_one_time, {person_columns}, ({active_sql}), ({pending_sql})
FROM {membership}
JOIN {user} u ON u.id = {membership}.user_id
WHERE {membership}.id IN ({ids})
"""


def directory_cards(*, ids: list[int], settings: MatchingSettings) -> list[DirectoryCard]:
    """The mentors of one directory page, in the given order, with live availability."""
    if not ids:
        return []
    sql = _DIRECTORY_CARDS_SQL.format(  # noqa: S608  # nosec B608  (our own names; ids bound)
        person_columns=rows.person_columns("u"),
        active_sql=capacity.MENTOR_ACTIVE_SQL,
        pending_sql=capacity.MENTOR_PENDING_SQL,
        membership=Membership._meta.db_table,
        user=User._meta.db_table,
        ids=", ".join(["%s"] * len(ids)),
    )
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [int(pk) for pk in ids])
        found = cursor.fetchall()
    cards = {}
    for row in found:
        pk, headline, expertise, max_ongoing, offers_ongoing, offers_one_time = row[:6]
        _user_id, *names = row[6 : 6 + rows.PERSON_WIDTH]
        active, pending = row[6 + rows.PERSON_WIDTH :]
        availability = mentor_availability(
            settings=settings,
            mentor=_MentorChoice(
                offers_ongoing=bool(offers_ongoing), offers_one_time=bool(offers_one_time)
            ),
            max_ongoing_mentees=max_ongoing,
            slots_used=active + pending,
        )
        cards[pk] = DirectoryCard(
            membership_id=pk,
            name=User.name_from(*names),
            headline=headline,
            expertise=", ".join(Membership.split_expertise(expertise)),
            availability=availability,
            availability_label=str(availability.label),
            taking_new=availability == Availability.TAKING_NEW,
        )
    return [cards[pk] for pk in ids if pk in cards]


def mentor_profile(
    *, program: Program, settings: MatchingSettings, membership_id: int
) -> Membership:
    mentor = _listed_mentors(program, settings).filter(pk=membership_id).first()
    if mentor is None:
        raise Http404
    mentor.program = program
    return mentor


def connect_decision(
    *, access: ProgramAccess, mentor_membership: Membership, viewer: User
) -> tuple[capacity.Decision, capacity.RequestFacts | None]:
    """May ``viewer`` press Connect on this profile, and if not, why (same rules as the
    service, counted without a lock: the service re-checks under one)."""
    mentee_membership = access.mentee_membership
    if mentee_membership is None or viewer.pk == mentor_membership.user_id:
        counts = capacity.PairCounts(0, 0, 0, 0, 0, 0)
    else:
        counts = capacity.pair_counts(
            program_id=access.program.pk, mentor_id=mentor_membership.user_id, mentee_id=viewer.pk
        )
        # The annotated slot count is fresher information than nothing; keep the pair's.
    facts = capacity.request_facts(
        program=access.program,
        settings=access.settings,
        mentor=mentor_membership.user,
        mentee=viewer,
        mentor_membership=mentor_membership,
        mentee_membership=mentee_membership,
        counts=counts,
    )
    return capacity.request_decision(facts), facts


def preferred_entry(*, program: Program, mentee: User, mentor: User) -> PreferredMentor | None:
    return PreferredMentor.objects.filter(program=program, mentee=mentee, mentor=mentor).first()


def pending_requests_received(*, user: User) -> QuerySet[ConnectionRequest]:
    return (
        ConnectionRequest.objects.filter(mentor=user, status=ConnectionRequest.Status.PENDING)
        .select_related("mentee", "program__matching_settings")
        .order_by("created_at", "pk")
    )


def answered_requests_received(*, user: User) -> QuerySet[ConnectionRequest]:
    return (
        ConnectionRequest.objects.filter(mentor=user)
        .exclude(status=ConnectionRequest.Status.PENDING)
        .select_related("mentee", "program")
        .order_by("-responded_at", "-pk")[:RECENT_ANSWERS]
    )


def requests_sent(*, user: User) -> QuerySet[ConnectionRequest]:
    return (
        ConnectionRequest.objects.filter(mentee=user)
        .select_related("mentor", "program")
        .order_by("-created_at", "-pk")[: RECENT_ANSWERS * 2]
    )


# Raw SQL on purpose (the dashboard): the ORM took longer to build this three-join
# query than PostgreSQL took to run it. Indexes: connection_mentor_status_idx,
# connection_mentee_status_idx.
_DASHBOARD_CONNECTIONS_SQL = """
SELECT c.id, c.mentor_id, c.mentee_id, c.started_at, p.id, p.name, p.slug,
       {mentor_columns}, {mentee_columns}
FROM {connection} c
JOIN {program} p ON p.id = c.program_id
JOIN {user} tr ON tr.id = c.mentor_id
JOIN {user} te ON te.id = c.mentee_id
WHERE (c.mentor_id = %(user)s OR c.mentee_id = %(user)s) AND c.status = '{active}'
ORDER BY p.name, c.started_at DESC, c.id
"""


def dashboard_connections(*, user: User) -> list[Connection]:
    """The person's active connections (either side), ordered by program name then
    newest first, with the people and the program's name — in one cheap query."""
    sql = _DASHBOARD_CONNECTIONS_SQL.format(  # noqa: S608  # nosec B608
        connection=Connection._meta.db_table,
        program=Program._meta.db_table,
        user=User._meta.db_table,
        active=Connection.Status.ACTIVE.value,
        mentor_columns=rows.person_columns("tr"),
        mentee_columns=rows.person_columns("te"),
    )
    with db_connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk})
        found = cursor.fetchall()
    connections = []
    for row in found:
        item = rows.instance(Connection, id=row[0], started_at=rows.aware(row[3]))
        item.program = rows.instance(Program, id=row[4], name=row[5], slug=row[6])
        item.mentor = rows.person(*row[7:12])
        item.mentee = rows.person(*row[12:17])
        connections.append(item)
    return connections


def pending_received_count(*, user: User) -> int:
    return ConnectionRequest.objects.filter(
        mentor=user, status=ConnectionRequest.Status.PENDING
    ).count()


def connection_for_party(*, user: User, connection_id: int) -> Connection:
    connection = (
        Connection.objects.filter(Q(mentor=user) | Q(mentee=user), pk=connection_id)
        .select_related("mentor", "mentee", "program", "ended_by")
        .first()
    )
    if connection is None:
        raise Http404
    return connection


def preferred_list(*, program: Program, mentee: User) -> list[PreferredMentor]:
    """The mentee's ranked list with each mentor's directory membership (one query)."""
    mentor_membership = Membership.objects.filter(
        program=program, user=OuterRef("mentor_id"), role=Membership.Role.MENTOR, active=True
    ).values("pk")[:1]
    return list(
        PreferredMentor.objects.filter(program=program, mentee=mentee)
        .select_related("mentor")
        .annotate(mentor_membership_id=Subquery(mentor_membership))
        .order_by("rank", "pk")
    )
