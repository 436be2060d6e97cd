"""Hand-written SQL: the two flash-meeting reads where the ORM cost too much (README,
"Performance": every hand-written read against its ORM version).

Measured on 2026-11-30 with Debian's Python 3.11 (PGO and LTO), on the benchmark's
scale-1 dataset, CPU per call of this process and of its PostgreSQL session together,
medians of interleaved rounds (the ORM versions are in tests/foundation/test_queries.py,
which checks both give the same answer):

- ``follow_up_meeting``: the meeting with its program, settings and mentor, the mentor's
  terms and the pair's six counts (the pair's last decline came later, and whether the
  program has an active webhook endpoint later still), in one statement. The ORM
  version (``select_related``, a ``FilteredRelation`` to the mentor's membership and
  six ``Subquery`` counts) cost 7.8 ms more per call: +135 % of the follow-up page's
  5.8 ms per request, and as much again on both of its POSTs, which read the meeting
  the same way under a lock.
- ``dashboard_meetings``: a person's meetings to follow up and upcoming ones. The ORM
  version (``select_related`` + ``only``, the two cases OR-ed) cost 2.1-2.6 ms more,
  +27-32 % of the dashboard's 7.9 ms: its build, and the database's time planning the
  OR-ed form on every execution (see the statement).

Only our own table and column names are formatted into the statements; every value is
a bound parameter. ``mentoring.rows`` turns the rows back into model instances exactly
as the ORM would (``tests/foundation/test_rows.py``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from flash_meetings.models import FlashMeeting
from matching.models import MatchingSettings
from matching.queries import (
    MENTOR_TERMS_COLUMNS,
    MENTOR_TERMS_JOIN,
    MENTOR_TERMS_WIDTH,
    mentor_terms_values,
    pair_count_columns,
    pair_count_values,
)
from mentoring import rows
from mentoring.models import Membership, Program, User
from webhooks.models import Endpoint

# Indexes: the meeting's primary key, then the count indexes of ``pair_count_columns``
# and membership_one_per_role for the mentor's terms.
_FOLLOW_UP_MEETING_SQL = """
SELECT {meeting_columns}, {program_columns}, {settings_columns}, {mentor_columns},
       {terms_columns}, {count_columns},
       EXISTS (SELECT 1 FROM {endpoint} e WHERE e.program_id = m.program_id AND e.active)
FROM {meeting} m
JOIN {program} p ON p.id = m.program_id
JOIN {settings} s ON s.program_id = p.id
JOIN {user} u ON u.id = m.mentor_id
{terms_join}
WHERE m.id = %(meeting)s AND m.mentee_id = %(mentee)s AND m.connection_id IS NULL
{lock}
"""


def follow_up_meeting(
    *, meeting_id: int, mentee_id: int, for_update: bool = False
) -> tuple[FlashMeeting, tuple, tuple, bool] | None:
    """(meeting, the mentor's terms, the pair's counts, whether the program has an
    active webhook endpoint) if the meeting is
    ``mentee_id``'s and not one within a connection (those have no follow-up): the
    meeting with ``program``, ``program.matching_settings`` and ``mentor`` attached
    (its password hash left out); the terms as
    ``capacity.MentorTerms``'s values (all None when the mentor has no mentor
    membership); the counts as ``capacity.PairCounts``'s. ``for_update`` locks the
    meeting's row (that row only) until the transaction ends, where the database can.
    The endpoint flag spares the follow-up's ``webhook_emit`` its own query (1 ms of CPU
    on every answer, where most programs have no endpoint)."""
    if not rows.storable_id(meeting_id):
        return None  # what the ORM answers for an id no row can have
    meeting_columns = rows.model_columns(FlashMeeting, "m")
    program_columns = rows.model_columns(Program, "p")
    settings_columns = rows.model_columns(MatchingSettings, "s")
    mentor_columns = rows.model_columns(User, "u", exclude=("password",))
    lock = for_update and connection.features.has_select_for_update_of
    sql = _FOLLOW_UP_MEETING_SQL.format(  # noqa: S608  # nosec B608  (our own names; values bound)
        meeting_columns=meeting_columns.sql,
        program_columns=program_columns.sql,
        settings_columns=settings_columns.sql,
        mentor_columns=mentor_columns.sql,
        terms_columns=MENTOR_TERMS_COLUMNS.format(m="mm"),
        count_columns=pair_count_columns(
            program="m.program_id", mentor="m.mentor_id", mentee="m.mentee_id"
        ),
        meeting=FlashMeeting._meta.db_table,
        program=Program._meta.db_table,
        settings=MatchingSettings._meta.db_table,
        user=User._meta.db_table,
        endpoint=Endpoint._meta.db_table,
        terms_join=MENTOR_TERMS_JOIN.format(
            membership=Membership._meta.db_table, m="mm", p="m.program_id", mentor="m.mentor_id"
        ),
        lock="FOR UPDATE OF m" if lock else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"meeting": meeting_id, "mentee": mentee_id})
        row = cursor.fetchone()
    if row is None:
        return None
    meeting = meeting_columns.load(row)
    start = meeting_columns.width
    meeting.program = program_columns.load(row, start)
    start += program_columns.width
    meeting.program.matching_settings = settings_columns.load(row, start)
    start += settings_columns.width
    meeting.mentor = mentor_columns.load(row, start)
    start += mentor_columns.width
    terms = mentor_terms_values(row[start : start + MENTOR_TERMS_WIDTH])
    counts = pair_count_values(row[start + MENTOR_TERMS_WIDTH : -1])
    return meeting, terms, counts, bool(row[-1])


# One plain OR on the two people, then CASE on the time. Written as two OR-ed branches
# (as the ORM writes it), PostgreSQL re-planned it on every execution (~0.5 ms, never a
# cached plan) and intersected the status index (5,000 rows) for a person with a handful
# of meetings. Indexes: the mentor_id and mentee_id foreign-key indexes (OR-ed by a
# bitmap scan). The statuses are our own constants.
_DASHBOARD_SQL = """
SELECT m.id, m.topic, m.status, m.starts_at, m.ends_at, {mentor_columns}, {mentee_columns}
FROM {meeting} m
JOIN {user} tr ON tr.id = m.mentor_id
JOIN {user} te ON te.id = m.mentee_id
WHERE (m.mentor_id = %(user)s OR m.mentee_id = %(user)s)
  AND m.status IN ({held})
  AND CASE WHEN m.ends_at <= %(now)s
      THEN m.mentee_id = %(user)s AND m.follow_up_choice = '' AND m.connection_id IS NULL
      ELSE m.status = '{scheduled}' AND m.ends_at > %(now)s
  END
ORDER BY m.starts_at, m.id
"""


def dashboard_meetings(*, user_id: int, now: datetime) -> list[FlashMeeting]:
    """The person's held meetings that are either ended with their follow-up unanswered
    (as mentee) or scheduled and not ended, by start time: each with ``id``, ``topic``,
    ``status``, ``starts_at``, ``ends_at`` and both people's names (the rest deferred)."""
    sql = _DASHBOARD_SQL.format(  # noqa: S608  # nosec B608
        meeting=FlashMeeting._meta.db_table,
        user=User._meta.db_table,
        held=", ".join(f"'{status.value}'" for status in FlashMeeting.HELD_STATUSES),
        scheduled=FlashMeeting.Status.SCHEDULED.value,
        mentor_columns=rows.person_columns("tr"),
        mentee_columns=rows.person_columns("te"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user_id, "now": connection.ops.adapt_datetimefield_value(now)})
        found = cursor.fetchall()
    meetings = []
    for row in found:
        meeting = rows.instance(
            FlashMeeting,
            id=row[0],
            topic=row[1],
            status=row[2],
            starts_at=rows.aware(row[3]),
            ends_at=rows.aware(row[4]),
        )
        meeting.mentor = rows.person(*row[5:10])
        meeting.mentee = rows.person(*row[10:15])
        meetings.append(meeting)
    return meetings
