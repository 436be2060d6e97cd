"""Hand-written SQL for the surveys' hottest read (MEASURING: candidate; the ORM version
is in ``selectors``)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from mentoring import rows
from mentoring.models import User
from surveys.models import Survey, SurveyResponse
from surveys.selectors import ANSWERABLE_STATUSES, WaitingSurvey, version_for

# Raw SQL on purpose: this list is on every dashboard, and the ORM took several times
# longer to build the query than PostgreSQL took to run it. The statuses are our own
# constants; every value is a bound parameter. Indexes: the meeting's mentor_id and
# mentee_id indexes, and the response's unique (survey, flash_meeting, respondent). The
# people are joined to the ten rows kept, not to every candidate (PostgreSQL merged the
# whole user index otherwise).
_WAITING_SQL = """
SELECT m.id, m.topic, m.status, m.ends_at, {mentor_columns}, {mentee_columns}
FROM (
  SELECT m.id, m.topic, m.status, m.ends_at, m.mentor_id, m.mentee_id
  FROM {meeting} m
  WHERE (m.mentee_id = %(user)s OR m.mentor_id = %(user)s)
    AND m.status IN ({statuses})
    AND m.ends_at <= %(now)s
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


def _waiting_sql() -> str:
    return _WAITING_SQL.format(  # noqa: S608  # nosec B608
        meeting=FlashMeeting._meta.db_table,
        user=User._meta.db_table,
        response=SurveyResponse._meta.db_table,
        statuses=", ".join(f"'{status.value}'" for status in ANSWERABLE_STATUSES),
        mentor_columns=rows.person_columns("tr"),
        mentee_columns=rows.person_columns("te"),
    )


def surveys_waiting_for(
    *, user: User, now: datetime | None = None, limit: int = 10
) -> list[WaitingSurvey]:
    """Meetings that are over whose survey this person has not answered yet, newest first
    (one query)."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    params = {
        "user": user.pk,
        "now": connection.ops.adapt_datetimefield_value(now),
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_waiting_sql(), params)
        found = cursor.fetchall()
    waiting = []
    for row in found:
        meeting = rows.instance(
            FlashMeeting, id=row[0], topic=row[1], status=row[2], ends_at=rows.aware(row[3])
        )
        meeting.mentor = rows.person(*row[4:9])
        meeting.mentee = rows.person(*row[9:14])
        waiting.append(
            WaitingSurvey(
                meeting=meeting,
                role=Survey.Role.MENTEE if meeting.mentee_id == user.pk else Survey.Role.MENTOR,
                version=version_for(meeting=meeting),
                url=reverse("surveys:meeting", args=[meeting.pk]),
            )
        )
    return waiting
