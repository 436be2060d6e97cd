"""Hand-written SQL: the matching reads where the ORM cost too much (README,
"Performance": every hand-written read against its ORM version).

Measured on 2026-11-30 with Debian's Python 3.11 (PGO and LTO), on the benchmark's
scale-1 dataset, CPU per call of this process and of its PostgreSQL session together,
medians of interleaved rounds (the ORM versions are in tests/foundation/test_queries.py,
which checks both give the same answer):

- ``pair_counts``: six index-backed counts in one statement (the pair's last decline,
  added later, is a seventh subquery of the same kind). The ORM version (one statement
  of six ``Subquery`` counts) cost 4.6 ms more per call: +33 % of the Connect POST's
  13.8 ms per request, +28 % of the follow-up "Yes, connect me". Building the six
  subqueries is most of it.
- ``directory_card_rows``: a directory page's twenty mentors with their slot counts.
  The ORM version (``values_list`` over ``capacity.with_slots``) cost 3.6 ms more: +49 %
  of the directory's 7.4 ms.
- ``memberships_with_programs``: a person's memberships with their programs and the
  programs' settings (every program page's access check, and the dashboard). The ORM
  version (``select_related("program__matching_settings")``) cost 1.4-2.0 ms more per
  page: +20-28 % of the directory's 7.1 ms, +24 % of the dashboard's 7.7 ms.
- ``dashboard_connections``: a person's active connections with both names and the
  program. The ORM version (``select_related`` + ``only``) cost 1.9 ms more: +25 % of
  the dashboard's 7.7 ms; with the memberships also in the ORM the dashboard cost 39 %
  more and fell further below its target.

(The first three were measured per call, the last two per page: the dashboard and the
directory served in one process to the benchmark's mentees, each version in turn.)

Only our own table and column names are formatted into the statements; every value is
a bound parameter. They return plain tuples; ``capacity`` and ``selectors`` shape them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from matching.models import Connection, ConnectionRequest, MatchingSettings
from mentoring import rows
from mentoring.models import Membership, Program, User

# ``{p}``, ``{mentor}`` and ``{mentee}`` are bound parameters, or columns of a row the
# statement already reads (the follow-up's meeting). Indexes: connection_mentor_status_idx,
# connection_mentee_status_idx, conn_request_mentor_status_idx,
# conn_request_mentee_status_idx (the pair's last decline too) and the partial "one per
# pair" unique indexes.
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
     AND mentee_id = {mentee} AND status = 'pending') AS pair_pending,
  (SELECT MAX(responded_at) FROM {req} WHERE program_id = {p} AND mentor_id = {mentor}
     AND mentee_id = {mentee} AND status = 'declined') AS pair_last_declined_at
"""
PAIR_COUNTS_WIDTH = 7  # the columns above, in ``capacity.PairCounts``'s order


def pair_count_columns(*, program: str, mentor: str, mentee: str) -> str:
    """The six counts and the last decline as select-list columns, for this module and for
    a statement that reads a meeting (``flash_meetings.queries``): pass column references
    there, and ``pair_count_values`` turns them into ``capacity.PairCounts``'s values."""
    return _PAIR_COUNT_COLUMNS.format(
        conn=Connection._meta.db_table,
        req=ConnectionRequest._meta.db_table,
        p=program,
        mentor=mentor,
        mentee=mentee,
    )


# The mentor's membership terms, joined to a row that names its program and mentor:
# ``{m}.id`` is NULL when the user is not a mentor of the program.
MENTOR_TERMS_COLUMNS = (
    "{m}.id, {m}.active, {m}.max_ongoing_mentees, {m}.offers_ongoing, {m}.offers_one_time, "
    "{m}.paused_until"
)
MENTOR_TERMS_WIDTH = 6  # the columns above, in ``capacity.MentorTerms``'s order
MENTOR_TERMS_JOIN = (
    "LEFT JOIN {membership} {m} "
    "ON {m}.program_id = {p} AND {m}.user_id = {mentor} AND {m}.role = 'mentor'"
)


def mentor_terms_values(columns: Sequence[Any]) -> tuple:
    """The values of ``MENTOR_TERMS_COLUMNS`` as ``capacity.MentorTerms`` takes them (all
    None when there is no mentor membership): SQLite hands back its booleans as integers
    and its dates as text."""
    pk, active, max_ongoing, ongoing, one_time, paused_until = columns
    if pk is None:
        return tuple(columns)
    return (pk, bool(active), max_ongoing, bool(ongoing), bool(one_time), rows.day(paused_until))


def pair_count_values(columns: Sequence[Any]) -> tuple:
    """The values of ``pair_count_columns`` as ``capacity.PairCounts`` takes them: the
    last decline as an aware datetime (SQLite hands ``MAX`` of a datetime back as text)."""
    *counts, last_declined_at = columns
    return (*counts, rows.aware(last_declined_at))


def pair_counts(*, program_id: int, mentor_id: int, mentee_id: int) -> tuple:
    """``capacity.PairCounts``'s values, in one statement (no FROM: SQLite and PostgreSQL
    both take a bare SELECT of subqueries)."""
    # Only our own names and the placeholders go into the text; the values are bound.
    sql = "SELECT " + pair_count_columns(program="%(p)s", mentor="%(mentor)s", mentee="%(mentee)s")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"p": program_id, "mentor": mentor_id, "mentee": mentee_id})
        return pair_count_values(cursor.fetchone())


_SLOT_COUNTS = (
    "(SELECT COUNT(*) FROM {conn} c WHERE c.program_id = m.program_id "
    "AND c.mentor_id = m.user_id AND c.status = 'active'), "
    "(SELECT COUNT(*) FROM {req} r WHERE r.program_id = m.program_id "
    "AND r.mentor_id = m.user_id AND r.status = 'pending')"
)
_DIRECTORY_CARDS_SQL = """
SELECT m.id, m.headline, m.expertise, m.max_ongoing_mentees, m.offers_ongoing,
       m.offers_one_time, m.paused_until, u.display_name, u.first_name, u.last_name,
       u.username, {slot_counts}
FROM {membership} m
JOIN {user} u ON u.id = m.user_id
WHERE m.id IN ({ids}) AND m.program_id = %s AND m.role = '{mentor}' AND m.active
"""


def directory_card_rows(*, ids: list[int], program_id: int) -> list[tuple]:
    """(id, headline, expertise, max_ongoing_mentees, offers_ongoing, offers_one_time,
    paused_until, display_name, first_name, last_name, username, active connections,
    pending requests) per membership, in no particular order, for the ids that are still
    active mentors of the program (the ids may come from a cached order). The counts run
    for these rows only."""
    sql = _DIRECTORY_CARDS_SQL.format(  # noqa: S608  # nosec B608  (our own names; ids bound)
        slot_counts=_SLOT_COUNTS.format(
            conn=Connection._meta.db_table, req=ConnectionRequest._meta.db_table
        ),
        membership=Membership._meta.db_table,
        user=User._meta.db_table,
        ids=", ".join(["%s"] * len(ids)),
        mentor=Membership.Role.MENTOR.value,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(int(pk) for pk in ids), int(program_id)])
        return [
            (*row[:4], bool(row[4]), bool(row[5]), rows.day(row[6]), *row[7:])
            for row in cursor.fetchall()
        ]


# Index: membership_one_per_role (user, program, role).
_MEMBERSHIPS_SQL = """
SELECT {membership_columns}, {program_columns}, {settings_columns}
FROM {membership} m
JOIN {program} p ON p.id = m.program_id
LEFT JOIN {settings} s ON s.program_id = p.id
WHERE m.user_id = %(user)s {only_active_in_slug}
ORDER BY {order}
"""
_ACTIVE_IN_SLUG = "AND m.active AND p.active AND p.slug = %(slug)s"


def memberships_with_programs(*, user_id: int, slug: str | None = None) -> list[Membership]:
    """The person's memberships, each with ``program`` and, when it has them,
    ``program.matching_settings`` attached (one instance per program): all of them by
    program name then role, or only the active ones in the active program ``slug``."""
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
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user_id, "slug": slug})
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


# Indexes: connection_mentor_status_idx, connection_mentee_status_idx.
_DASHBOARD_CONNECTIONS_SQL = """
SELECT c.id, c.started_at, p.id, p.name, p.slug, {mentor_columns}, {mentee_columns}
FROM {connection} c
JOIN {program} p ON p.id = c.program_id
JOIN {user} tr ON tr.id = c.mentor_id
JOIN {user} te ON te.id = c.mentee_id
WHERE (c.mentor_id = %(user)s OR c.mentee_id = %(user)s) AND c.status = '{active}'
ORDER BY p.name, c.started_at DESC, c.id
"""


def dashboard_connections(*, user_id: int) -> list[Connection]:
    """The person's active connections (either side) by program name, newest first:
    each with ``id``, ``started_at``, the program's ``id``, ``name`` and ``slug``, and both
    people's names (the rest deferred)."""
    sql = _DASHBOARD_CONNECTIONS_SQL.format(  # noqa: S608  # nosec B608
        connection=Connection._meta.db_table,
        program=Program._meta.db_table,
        user=User._meta.db_table,
        active=Connection.Status.ACTIVE.value,
        mentor_columns=rows.person_columns("tr"),
        mentee_columns=rows.person_columns("te"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user_id})
        found = cursor.fetchall()
    connections = []
    for row in found:
        item = rows.instance(Connection, id=row[0], started_at=rows.aware(row[1]))
        item.program = rows.instance(Program, id=row[2], name=row[3], slug=row[4])
        item.mentor = rows.person(*row[5:10])
        item.mentee = rows.person(*row[10:15])
        connections.append(item)
    return connections
