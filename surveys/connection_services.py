"""Writes for the surveys about an ongoing connection: storing a check-in or closing
response, and the periodic job that invites both people and reminds them.

The job is idempotent and safe to run concurrently: every email has a dedupe key (one
invitation per survey and person, one reminder per survey, person and day), and
``notify`` writes a key once however many runs race for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from matching.models import Connection
from mentoring import when
from mentoring.models import User
from notifications import localized
from notifications.services import notify
from surveys import connection_selectors as selectors
from surveys.defaults import ensure_default_surveys
from surveys.errors import ConnectionSurveyClosed, InvalidAnswers
from surveys.models import Question, Survey, SurveyResponse, Version
from surveys.selectors import survey_for
from surveys.services import email_title, not_yet_written, reminder_windows, store_response

CHECK_IN = selectors.CHECK_IN
CLOSING = selectors.CLOSING
# Invitations go out when a survey opens; a job that was down catches up for this long,
# no longer (a check-in weeks old is better left to the reminders' window or not sent).
INVITATION_WINDOW = timedelta(days=2)


@transaction.atomic
def connection_response_submit(
    *,
    connection: Connection,
    respondent: User,
    survey: Survey,
    answers: Mapping[Question, Any],
    now: datetime | None = None,
    language: str | None = None,
) -> SurveyResponse:
    """Store one person's answers to the check-in or closing survey of their connection,
    exactly as submitted (in the base language; ``language`` is the one they answered
    in); once (AlreadyAnswered after that, the unique constraint backing it against two
    submissions at the same moment)."""
    role = selectors.role_in(connection=connection, respondent=respondent)
    if (
        survey.kind not in Survey.CONNECTION_KINDS
        or survey.role != role
        or survey.program_id != connection.program_id
    ):
        raise InvalidAnswers()
    closed = selectors.closed_message(connection=connection, kind=survey.kind, now=now)
    if closed:
        raise ConnectionSurveyClosed(closed)
    return store_response(
        survey=survey,
        respondent=respondent,
        version=Version.CONNECTION,
        answers=answers,
        now=now,
        about={"connection": connection},
        language=language,
    )


def connection_surveys_ensure(*, connection: Connection) -> None:
    """The program's connection surveys, created with the default questions if missing
    (a program loaded without its receiver, e.g. by loaddata)."""
    ensure_default_surveys(
        program=connection.program,
        survey_model=Survey,
        question_model=Question,
        kinds=Survey.CONNECTION_KINDS,
    )


# --- The periodic job -------------------------------------------------------------------


def connection_surveys_send(*, now: datetime | None = None) -> dict[str, int]:
    """Invite both people to a check-in on its day and to the closing survey when their
    connection ends; remind those who have not answered one and five days later. Returns
    how many invitations and reminders were written to the outbox."""
    now = now or timezone.now()
    invited = 0
    for kind, connections in (
        (CHECK_IN, _check_ins_opened(start=now - INVITATION_WINDOW, end=now)),
        (CLOSING, _closings_opened(start=now - INVITATION_WINDOW, end=now)),
    ):
        invited += _send(
            kind=kind,
            connections=connections,
            email="connection_survey_invitation",
            key=lambda connection, person, kind=kind: (
                f"conn-survey-invite:{kind}:{connection.pk}:{person.pk}"
            ),
            extra={},
        )
    reminded = 0
    for days, window_start, due in reminder_windows(now=now):
        for kind, connections in (
            (CHECK_IN, _check_ins_opened(start=window_start, end=due)),
            (CLOSING, _closings_opened(start=window_start, end=due)),
        ):
            reminded += _send(
                kind=kind,
                connections=connections,
                email="connection_survey_reminder",
                key=lambda connection, person, kind=kind, days=days: (
                    f"conn-survey-reminder:{kind}:{connection.pk}:{person.pk}:{days}d"
                ),
                extra={"days_after": days},
            )
    return {"invited": invited, "reminded": reminded}


def _opened_at(day: date) -> datetime:
    """A check-in opens at the start of its day on the program's calendar."""
    return when.program_day_start(day)


def _check_ins_opened(*, start: datetime, end: datetime) -> list[Connection]:
    """Active connections whose check-in opened in (start, end], in programs running
    check-ins (a connection that ended has its closing survey instead)."""
    first_day = when.program_date(start)
    last_day = when.program_date(end)
    candidates = Connection.objects.filter(
        status=Connection.Status.ACTIVE,
        check_in_on__gte=first_day,
        check_in_on__lte=last_day,
        program__matching_settings__connection_check_in_enabled=True,
    ).select_related("program", "mentor", "mentee")
    return [c for c in candidates if start < _opened_at(c.check_in_on) <= end]


def _closings_opened(*, start: datetime, end: datetime) -> list[Connection]:
    return list(
        Connection.objects.filter(
            status=Connection.Status.ENDED,
            ended_at__gt=start,
            ended_at__lte=end,
            program__matching_settings__connection_closing_survey_enabled=True,
        ).select_related("program", "mentor", "mentee")
    )


def _send(*, kind: str, connections: list[Connection], email: str, key, extra: dict) -> int:
    if not connections:
        return 0
    answered = set(
        SurveyResponse.objects.filter(connection__in=connections, survey__kind=kind).values_list(
            "connection_id", "respondent_id"
        )
    )
    due = {
        key(connection, person): (connection, person)
        for connection in connections
        for person in (connection.mentee, connection.mentor)
        if (connection.pk, person.pk) not in answered
    }
    sent = 0
    for dedupe_key in not_yet_written(due):
        connection, person = due[dedupe_key]
        _notify(
            email=email, kind=kind, connection=connection, person=person, key=dedupe_key, **extra
        )
        sent += 1
    return sent


@transaction.atomic
def _notify(
    *, email: str, kind: str, connection: Connection, person: User, key: str, **extra
) -> None:
    role = selectors.role_in(connection=connection, respondent=person)
    survey = survey_for(program_id=connection.program_id, kind=kind, role=role)
    if survey is None:
        connection_surveys_ensure(connection=connection)
        survey = survey_for(program_id=connection.program_id, kind=kind, role=role)
    other = connection.mentor if role == Survey.Role.MENTEE else connection.mentee
    notify(
        kind=email,
        recipient=person,
        program=connection.program,
        context={
            "survey_kind": kind,
            "survey_title": email_title(survey),
            "other_person_name": other.name,
            "respondent_role": role,
            # Dates in the person's language (and zone) when the email is rendered.
            "started_on": localized.day(connection.started_at),
            "ends_on": localized.day(connection.ends_on),
            "ended_early": connection.end_cause == Connection.EndCause.ENDED_EARLY,
            "survey_path": selectors.connection_survey_url(connection=connection, kind=kind),
            **extra,
        },
        dedupe_key=key,
    )
