"""Hand-written SQL: the two surveys reads where the ORM cost too much (README,
"Performance": every hand-written read against its ORM version).

Measured (on the date each says) with Debian's Python 3.11 (PGO and LTO), on the benchmark's
scale-1 dataset, CPU per call of this process and of its PostgreSQL session together,
medians of interleaved rounds (the ORM version is in tests/foundation/test_queries.py,
which checks both give the same answer):

- ``waiting_meetings``: the ten newest ended meetings whose survey a person has not
  answered. The ORM version (``Exists`` for the answer, the ten ids in a sliced
  subquery, then ``select_related`` + ``only`` for the names) cost 4.4-5.4 ms more per
  call on 2026-11-30, +56 % of the dashboard's 7.9 ms: its build, and 1.6 ms more database time for
  the plan it gets.

- ``waiting_connection_surveys``: the check-ins and closing surveys open for a person
  that they have not answered. The ORM version (``Q`` over both sides, the program's
  program and its matching settings joined, one ``Exists`` per kind, ``select_related`` +
  ``only`` for the names) cost the dashboard 4.1 ms more CPU per request on
  2026-12-01, +42 % of its 9.7 ms with this SQL (three interleaved runs of 400
  requests each): nearly all of it building the query.

Only our own table and column names are formatted into the statement; every value is
a bound parameter.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection

from flash_meetings.models import FlashMeeting
from matching.models import Connection, MatchingSettings
from mentoring import rows
from mentoring.models import User
from surveys.models import Survey, SurveyResponse

# Indexes: the meeting's mentor_id and mentee_id, and the response's unique (survey,
# flash_meeting, respondent). The people are joined to the rows kept, not to every
# candidate (PostgreSQL merged the whole user index otherwise).
_WAITING_SQL = """
SELECT m.id, m.topic, m.status, m.ends_at, {mentor_columns}, {mentee_columns}
FROM (
  SELECT m.id, m.topic, m.status, m.ends_at, m.mentor_id, m.mentee_id
  FROM {meeting} m
  WHERE (m.mentee_id = %(user)s OR m.mentor_id = %(user)s)
    AND m.status IN ({statuses})
    AND m.ends_at <= %(now)s
    AND m.connection_id IS NULL
    AND NOT (m.mentee_id = %(user)s AND m.status IN ({held}) AND m.follow_up_choice = '')
    AND NOT EXISTS (
      SELECT 1 FROM {response} r WHERE r.flash_meeting_id = m.id AND r.respondent_id = %(user)s
    )
  ORDER BY m.ends_at DESC, m.id DESC
  LIMIT %(limit)s
) m
JOIN {user} tr ON tr.id = m.mentor_id
JOIN {user} te ON te.id = m.mentee_id
ORDER BY m.ends_at DESC, m.id DESC
"""


def waiting_meetings(
    *, user_id: int, statuses: tuple[str, ...], now: datetime, limit: int
) -> list[FlashMeeting]:
    """The person's meetings (either side) in ``statuses`` that ended by ``now`` and
    whose survey they have not answered, newest first, at most ``limit`` (flash meetings
    only: a meeting within a connection has no feedback survey) — but not, as
    its mentee, a meeting that still needs its follow-up
    (``FlashMeeting.needs_follow_up``: the dashboard lists it there, and the follow-up
    leads on to the survey). Each with
    ``id``, ``topic``, ``status``, ``ends_at`` and both people's names (the rest
    deferred)."""
    sql = _WAITING_SQL.format(  # noqa: S608  # nosec B608  (our own names and constants)
        meeting=FlashMeeting._meta.db_table,
        user=User._meta.db_table,
        response=SurveyResponse._meta.db_table,
        statuses=", ".join(f"'{FlashMeeting.Status(status).value}'" for status in statuses),
        held=", ".join(f"'{status.value}'" for status in FlashMeeting.HELD_STATUSES),
        mentor_columns=rows.person_columns("tr"),
        mentee_columns=rows.person_columns("te"),
    )
    params = {
        "user": user_id,
        "now": connection.ops.adapt_datetimefield_value(now),
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    meetings = []
    for row in found:
        meeting = rows.instance(
            FlashMeeting, id=row[0], topic=row[1], status=row[2], ends_at=rows.aware(row[3])
        )
        meeting.mentor = rows.person(*row[4:9])
        meeting.mentee = rows.person(*row[9:14])
        meetings.append(meeting)
    return meetings


# Indexes: the connection's mentor_id and mentee_id, the response's respondent_id. The
# settings row is the program's (one-to-one); the people are joined to the rows kept.
_WAITING_CONNECTIONS_SQL = """
SELECT c.id, c.status, c.mentor_id, c.mentee_id, c.program_id, c.check_in_on, c.ended_at,
       {mentor_columns}, {mentee_columns}
FROM (
  SELECT c.id, c.status, c.mentor_id, c.mentee_id, c.program_id, c.check_in_on,
         c.ended_at, c.started_at
  FROM {connection} c
  JOIN {settings} s ON s.program_id = c.program_id
  WHERE (c.mentor_id = %(user)s OR c.mentee_id = %(user)s)
    AND (
      (c.status = %(active)s AND c.check_in_on <= %(today)s
       AND s.connection_check_in_enabled
       AND NOT EXISTS ({answered} AND v.kind = %(check_in)s))
      OR
      (c.status = %(ended)s AND c.ended_at >= %(ended_since)s
       AND s.connection_closing_survey_enabled
       AND NOT EXISTS ({answered} AND v.kind = %(closing)s))
    )
  ORDER BY c.started_at DESC, c.id DESC
  LIMIT %(limit)s
) c
JOIN {user} tr ON tr.id = c.mentor_id
JOIN {user} te ON te.id = c.mentee_id
ORDER BY c.started_at DESC, c.id DESC
"""
_ANSWERED_SQL = (
    "SELECT 1 FROM {response} r JOIN {survey} v ON v.id = r.survey_id "
    "WHERE r.connection_id = c.id AND r.respondent_id = %(user)s"
)


def waiting_connection_surveys(
    *, user_id: int, today: date, ended_since: datetime, limit: int
) -> list[Connection]:
    """The person's connections (either side) with a survey open for them that they
    have not answered, newest first, at most ``limit``: active ones from their check-in
    day (``today`` on or after ``check_in_on``) when the program runs check-ins, and
    ones that ended at ``ended_since`` or later when it runs closing surveys. Each with
    ``id``, ``status``, the three ids, ``check_in_on``, ``ended_at`` and both people's
    names (the rest deferred)."""
    answered = _ANSWERED_SQL.format(
        response=SurveyResponse._meta.db_table, survey=Survey._meta.db_table
    )
    sql = _WAITING_CONNECTIONS_SQL.format(  # noqa: S608  # nosec B608  (our own names)
        connection=Connection._meta.db_table,
        settings=MatchingSettings._meta.db_table,
        user=User._meta.db_table,
        answered=answered,
        mentor_columns=rows.person_columns("tr"),
        mentee_columns=rows.person_columns("te"),
    )
    params = {
        "user": user_id,
        "active": Connection.Status.ACTIVE.value,
        "ended": Connection.Status.ENDED.value,
        "check_in": Survey.Kind.CONNECTION_CHECK_IN.value,
        "closing": Survey.Kind.CONNECTION_CLOSING.value,
        "today": connection.ops.adapt_datefield_value(today),
        "ended_since": connection.ops.adapt_datetimefield_value(ended_since),
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    connections = []
    for row in found:
        item = rows.instance(
            Connection,
            id=row[0],
            status=row[1],
            mentor_id=row[2],
            mentee_id=row[3],
            program_id=row[4],
            check_in_on=rows.day(row[5]),
            ended_at=rows.aware(row[6]),
        )
        item.mentor = rows.person(*row[7:12])
        item.mentee = rows.person(*row[12:17])
        connections.append(item)
    return connections
