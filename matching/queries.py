"""Hand-written SQL for matching's hottest reads (MEASURING: candidates; the ORM versions
are in ``selectors`` and ``capacity``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection as db_connection
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL

from matching.capacity import MentorTerms, PairCounts
from matching.models import Connection, ConnectionRequest, MatchingSettings
from mentoring import rows
from mentoring.models import Membership, Program, User

_PAIR_COUNT_COLUMNS = """
  (SELECT COUNT(*) FROM {conn} WHERE program_id = {p} AND mentor_id = {mentor}
     AND status = 'active') AS mentor_active,
  (SELECT COUNT(*) FROM {req} WHERE program_id = {p} AND mentor_id = {mentor}
     AND status = 'pending') AS mentor_pending,
  (SELECT COUNT(*) FROM {conn} WHERE program_id = {p} AND mentee_id = {mentee}
     AND status = 'active') AS mentee_active,
  (SELECT COUNT(*) FROM {req} WHERE program_id = {p} AND mentee_id = {mentee}
     AND status = 'pending') AS mentee_pending,
  (SELECT COUNT(*) FROM {conn} WHERE program_id = {p} AND mentor_id = {mentor}
     AND mentee_id = {mentee} AND status = 'active') AS pair_active,
  (SELECT COUNT(*) FROM {req} WHERE program_id = {p} AND mentor_id = {mentor}
     AND mentee_id = {mentee} AND status = 'pending') AS pair_pending
"""
_TERMS_COLUMNS = (
    "{m}.id, {m}.active, {m}.max_ongoing_mentees, {m}.offers_ongoing, {m}.offers_one_time"
)
_TERMS_JOIN = (
    "LEFT JOIN {membership} {m} "
    "ON {m}.program_id = {p} AND {m}.user_id = {mentor} AND {m}.role = 'mentor'"
)
_PARAMETERS = {"p": "%(p)s", "mentor": "%(mentor)s", "mentee": "%(mentee)s"}


def _pair_count_columns(*, p: str, mentor: str, mentee: str) -> str:
    # Only our own table and column names are formatted in; values are bound.
    return _PAIR_COUNT_COLUMNS.format(
        conn=Connection._meta.db_table,
        req=ConnectionRequest._meta.db_table,
        p=p,
        mentor=mentor,
        mentee=mentee,
    )


@dataclass(frozen=True)
class MentorTermsSQL:
    columns: str
    join: str


MENTOR_TERMS_WIDTH = 11


def mentor_terms_sql(*, program: str, mentor: str, mentee: str, alias: str) -> MentorTermsSQL:
    return MentorTermsSQL(
        columns=_TERMS_COLUMNS.format(m=alias)
        + ","
        + _pair_count_columns(p=program, mentor=mentor, mentee=mentee),
        join=_TERMS_JOIN.format(
            membership=Membership._meta.db_table, m=alias, p=program, mentor=mentor
        ),
    )


def mentor_terms_from_row(values) -> tuple[MentorTerms | None, PairCounts]:
    terms = None
    if values[0] is not None:
        terms = MentorTerms(
            pk=values[0],
            active=bool(values[1]),
            max_ongoing_mentees=values[2],
            offers_ongoing=bool(values[3]),
            offers_one_time=bool(values[4]),
        )
    return terms, PairCounts(*values[5:MENTOR_TERMS_WIDTH])


def mentor_terms_and_pair_counts(
    *, program_id: int, mentor_id: int, mentee_id: int
) -> tuple[MentorTerms | None, PairCounts]:
    parts = mentor_terms_sql(
        program=_PARAMETERS["p"],
        mentor=_PARAMETERS["mentor"],
        mentee=_PARAMETERS["mentee"],
        alias="m",
    )
    sql = f"SELECT {parts.columns} FROM (SELECT 1) AS one {parts.join}"  # noqa: S608  # nosec B608
    with db_connection.cursor() as cursor:
        cursor.execute(sql, {"p": program_id, "mentor": mentor_id, "mentee": mentee_id})
        return mentor_terms_from_row(cursor.fetchone())


def pair_counts(*, program_id: int, mentor_id: int, mentee_id: int) -> PairCounts:
    sql = "SELECT " + _pair_count_columns(**_PARAMETERS)  # nosec B608  (no values in it)
    with db_connection.cursor() as cursor:
        cursor.execute(sql, {"p": program_id, "mentor": mentor_id, "mentee": mentee_id})
        row = cursor.fetchone()
    return PairCounts(*row)


MENTOR_ACTIVE_SQL = (
    "SELECT COUNT(*) FROM matching_connection c WHERE c.program_id = "
    "mentoring_membership.program_id AND c.mentor_id = mentoring_membership.user_id "
    "AND c.status = 'active'"
)
MENTOR_PENDING_SQL = (
    "SELECT COUNT(*) FROM matching_connectionrequest r WHERE r.program_id = "
    "mentoring_membership.program_id AND r.mentor_id = mentoring_membership.user_id "
    "AND r.status = 'pending'"
)


def with_slots(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    active = RawSQL(MENTOR_ACTIVE_SQL, (), output_field=IntegerField())  # noqa: S611  # nosec B611
    pending = RawSQL(MENTOR_PENDING_SQL, (), output_field=IntegerField())  # noqa: S611  # nosec B611
    return memberships.annotate(active_connections=active, pending_requests=pending)


_MEMBERSHIPS_SQL = """
SELECT {membership_columns}, {program_columns}, {settings_columns}
FROM {membership} m
JOIN {program} p ON p.id = m.program_id
LEFT JOIN {settings} s ON s.program_id = p.id
WHERE m.user_id = %(user)s {only_active_in_slug}
ORDER BY {order}
"""
_ACTIVE_IN_SLUG = "AND m.active AND p.active AND p.slug = %(slug)s"


def memberships_with_programs(*, user: User, slug: str | None = None) -> list[Membership]:
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


_DIRECTORY_CARDS_SQL = """
SELECT {membership}.id, {membership}.headline, {membership}.expertise,
       {membership}.max_ongoing_mentees, {membership}.offers_ongoing,
       {membership}.offers_one_time, u.display_name, u.first_name, u.last_name, u.username,
       ({active_sql}), ({pending_sql})
FROM {membership}
JOIN {user} u ON u.id = {membership}.user_id
WHERE {membership}.id IN ({ids})
"""


def directory_card_rows(*, ids: list[int]) -> list[tuple]:
    sql = _DIRECTORY_CARDS_SQL.format(  # noqa: S608  # nosec B608  (our own names; ids bound)
        active_sql=MENTOR_ACTIVE_SQL,
        pending_sql=MENTOR_PENDING_SQL,
        membership=Membership._meta.db_table,
        user=User._meta.db_table,
        ids=", ".join(["%s"] * len(ids)),
    )
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [int(pk) for pk in ids])
        return cursor.fetchall()


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
