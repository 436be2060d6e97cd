"""Reads for mentoring pages. Each list is one query (plus a count when paginated),
whatever its length."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection as db_connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from matching import capacity, modes
from matching.models import MatchingSettings
from mentoring import rows
from mentoring.models import (
    Connection,
    ConnectionRequest,
    Membership,
    PreferredMentor,
    Program,
    User,
)

RECENT_ANSWERS = 25


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("program__matching_settings")
        .order_by("program__name", "role")
    )


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
    memberships = list(
        Membership.objects.filter(user=user, active=True, program__slug=slug, program__active=True)
        .select_related("program__matching_settings")
        .order_by("role")
    )
    if not memberships:
        raise Http404
    program = memberships[0].program
    for membership in memberships:
        membership.program = program
    return ProgramAccess(program, program.matching_settings, memberships)


def _listed_mentors(program: Program, settings: MatchingSettings) -> QuerySet[Membership]:
    # Index: membership_program_role_idx (program, role, active). The program and its
    # settings are the caller's: attach them with ``_with_program`` instead of joining
    # them onto every row.
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


def mentor_directory_page_rows(*, ids: list[int], program: Program) -> list[Membership]:
    """The mentors of one directory page, in the given order, with live slot counts."""
    rows = capacity.with_slots(
        Membership.objects.filter(pk__in=ids).select_related("user").defer("bio")
    ).in_bulk()
    return with_program([rows[pk] for pk in ids if pk in rows], program)


def with_program(mentors, program: Program):
    """Give each listed mentor the program (with its settings) already in hand."""
    for mentor in mentors:
        mentor.program = program
    return mentors


def mentor_profile(
    *, program: Program, settings: MatchingSettings, membership_id: int
) -> Membership:
    mentor = _listed_mentors(program, settings).filter(pk=membership_id).first()
    if mentor is None:
        raise Http404
    mentor.program = program
    return mentor


def offers_ongoing(*, settings: MatchingSettings, mentor_membership: Membership) -> bool:
    return modes.mentor_modes_offered(settings=settings, mentor=mentor_membership).ongoing


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
        item = Connection(pk=row[0], started_at=rows.aware(row[3]))
        item.program = Program(pk=row[4], name=row[5], slug=row[6])
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
