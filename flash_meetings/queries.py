"""Hand-written SQL for flash meetings' hottest reads (MEASURING: candidates; the ORM
versions are in ``selectors``)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from flash_meetings.selectors import FollowUpRead
from matching.models import MatchingSettings
from matching.queries import mentor_terms_from_row, mentor_terms_sql
from mentoring import rows
from mentoring.models import Program, User

# Raw SQL on purpose: the follow-up page and its answer, the busiest pages after a
# meeting. The ORM took ~1.5 ms to build this three-join select_related query, several
# times its run time (bench/), and the offer decision's terms and counts come in the
# same round trip. Indexes: the primary key, then capacity's (mentor_terms_sql).
_FOLLOW_UP_MEETING_SQL = """
SELECT {meeting_columns}, {program_columns}, {settings_columns}, {mentor_columns},
       {terms_columns}
FROM {meeting} m
JOIN {program} p ON p.id = m.program_id
JOIN {settings} s ON s.program_id = p.id
JOIN {user} u ON u.id = m.mentor_id
{terms_join}
WHERE m.id = %(meeting)s AND m.mentee_id = %(mentee)s
{lock}
"""


def follow_up_meeting(
    *, meeting_id: int, mentee_id: int, for_update: bool = False
) -> FollowUpRead | None:
    """The meeting, if it is ``mentee_id``'s (see ``FollowUpRead``). ``for_update`` locks
    the meeting's row (that row only) until the transaction ends, where the database
    can; the counts are then read in the same statement, as a query right after it
    would."""
    if not rows.storable_id(meeting_id):
        return None
    meeting_columns = rows.model_columns(FlashMeeting, "m")
    program_columns = rows.model_columns(Program, "p")
    settings_columns = rows.model_columns(MatchingSettings, "s")
    mentor_columns = rows.model_columns(User, "u", exclude=("password",))
    terms = mentor_terms_sql(
        program="m.program_id", mentor="m.mentor_id", mentee="m.mentee_id", alias="mm"
    )
    lock = for_update and connection.features.has_select_for_update_of
    sql = _FOLLOW_UP_MEETING_SQL.format(  # noqa: S608  # nosec B608  (our own names; values bound)
        meeting_columns=meeting_columns.sql,
        program_columns=program_columns.sql,
        settings_columns=settings_columns.sql,
        mentor_columns=mentor_columns.sql,
        meeting=FlashMeeting._meta.db_table,
        program=Program._meta.db_table,
        settings=MatchingSettings._meta.db_table,
        user=User._meta.db_table,
        terms_columns=terms.columns,
        terms_join=terms.join,
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
    return FollowUpRead(meeting=meeting, mentor_terms=mentor_terms_from_row(row[start:]))


# Raw SQL on purpose: on every dashboard, and the ORM took longer to build this query
# than PostgreSQL took to run it. Statuses are our own constants; values are bound.
# Indexes: the mentor_id and mentee_id foreign-key indexes (OR-ed by a bitmap scan).
# One plain OR on the two people, then CASE on the time: written as two OR-ed branches,
# PostgreSQL re-planned it on every execution (~0.5 ms, never a cached plan) and
# intersected the status index (5,000 rows) for a person with a handful of meetings.
_DASHBOARD_SQL = """
SELECT m.id, m.topic, m.status, m.starts_at, m.ends_at, {mentor_columns}, {mentee_columns}
FROM {meeting} m
JOIN {user} tr ON tr.id = m.mentor_id
JOIN {user} te ON te.id = m.mentee_id
WHERE (m.mentor_id = %(user)s OR m.mentee_id = %(user)s)
  AND m.status IN ({held})
  AND CASE WHEN m.ends_at <= %(now)s
      THEN m.mentee_id = %(user)s AND m.follow_up_choice = ''
      ELSE m.status = '{scheduled}' AND m.ends_at > %(now)s
  END
ORDER BY m.starts_at, m.id
"""


def dashboard_meetings(
    *, user: User, now: datetime | None = None
) -> tuple[list[FlashMeeting], list[FlashMeeting]]:
    """(meetings to follow up, upcoming meetings) for the dashboard, in one query: the
    mentee's ended meetings whose follow-up is unanswered, oldest first, and the person's
    scheduled meetings that have not ended, soonest first."""
    now = now or timezone.now()
    sql = _DASHBOARD_SQL.format(  # noqa: S608  # nosec B608
        meeting=FlashMeeting._meta.db_table,
        user=User._meta.db_table,
        held=", ".join(f"'{status.value}'" for status in FlashMeeting.HELD_STATUSES),
        scheduled=FlashMeeting.Status.SCHEDULED.value,
        mentor_columns=rows.person_columns("tr"),
        mentee_columns=rows.person_columns("te"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "now": connection.ops.adapt_datetimefield_value(now)})
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
    follow_up = sorted((m for m in meetings if m.ends_at <= now), key=lambda m: (m.ends_at, m.pk))
    return follow_up, [m for m in meetings if m.ends_at > now]
