"""Hand-written SQL: the one surveys read where the ORM cost too much (README,
"Performance": every hand-written read against its ORM version).

Measured on 2026-11-30 with Debian's Python 3.11 (PGO and LTO), on the benchmark's
scale-1 dataset, CPU per call of this process and of its PostgreSQL session together,
medians of interleaved rounds (the ORM version is in tests/foundation/test_queries.py,
which checks both give the same answer):

- ``waiting_meetings``: the ten newest ended meetings whose survey a person has not
  answered. The ORM version (``Exists`` for the answer, the ten ids in a sliced
  subquery, then ``select_related`` + ``only`` for the names) cost 4.4-5.4 ms more per
  call, +56 % of the dashboard's 7.9 ms: its build, and 1.6 ms more database time for
  the plan it gets.

Only our own table and column names are formatted into the statement; every value is
a bound parameter.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from flash_meetings.models import FlashMeeting
from mentoring import rows
from mentoring.models import User
from surveys.models import SurveyResponse

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
