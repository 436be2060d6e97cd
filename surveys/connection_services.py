"""Writes for the surveys about an ongoing connection: storing a check-in or closing
response, and the periodic job that invites both people and reminds them.

The job is idempotent and safe to run concurrently: every email has a dedupe key (one
invitation per survey and person, one reminder per survey, person and day), and
``notify`` writes a key once however many runs race for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from matching.models import Connection
from mentoring import when
from mentoring.models import User
from notifications.models import Notification
from notifications.services import notify
from surveys import connection_selectors as selectors
from surveys.defaults import ensure_default_surveys
from surveys.errors import AlreadyAnswered, ConnectionSurveyClosed, InvalidAnswers
from surveys.models import Answer, Question, Survey, SurveyResponse, Version
from surveys.services import build_answer

CHECK_IN = selectors.CHECK_IN
CLOSING = selectors.CLOSING
# Invitations go out when a survey opens; a job that was down catches up for this long,
# no longer (a check-in weeks old is better left to the reminders' window or not sent).
INVITATION_WINDOW = timedelta(days=2)
# Reminders, as for the flash meeting feedback: this many days after the survey opened,
# once each, each only inside its own window (until the next one is due).
REMINDER_DAYS = (1, 5)
LAST_REMINDER_WINDOW_DAYS = 2


@transaction.atomic
def connection_response_submit(
    *,
    connection: Connection,
    respondent: User,
    survey: Survey,
    answers: Mapping[Question, Any],
    now: datetime | None = None,
) -> SurveyResponse:
    """Store one person's answers to the check-in or closing survey of their connection,
    exactly as submitted; once (AlreadyAnswered after that, the unique constraint backing
    it against two submissions at the same moment)."""
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
    for question in answers:
        if question.survey_id != survey.pk:
            raise InvalidAnswers()
    if SurveyResponse.objects.filter(
        survey=survey, connection=connection, respondent=respondent
    ).exists():
        raise AlreadyAnswered()
    try:
        with transaction.atomic():  # a savepoint: the unique constraint is the last word
            response = SurveyResponse.objects.create(
                survey=survey,
                connection=connection,
                respondent=respondent,
                version=Version.CONNECTION,
                submitted_at=now or timezone.now(),
            )
    except IntegrityError as error:
        raise AlreadyAnswered() from error
    Answer.objects.bulk_create(
        build_answer(response=response, question=question, value=value)
        for question, value in answers.items()
        if value not in (None, "", [], ())
    )
    return response


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
    for index, days in enumerate(REMINDER_DAYS):
        due = now - timedelta(days=days)
        if index + 1 < len(REMINDER_DAYS):
            window_start = now - timedelta(days=REMINDER_DAYS[index + 1])
        else:
            window_start = due - timedelta(days=LAST_REMINDER_WINDOW_DAYS)
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
    for dedupe_key in _not_yet_written(due):
        connection, person = due[dedupe_key]
        _notify(
            email=email, kind=kind, connection=connection, person=person, key=dedupe_key, **extra
        )
        sent += 1
    return sent


def _not_yet_written(due: Mapping[str, Any]) -> Iterable[str]:
    written = set(
        Notification.objects.filter(dedupe_key__in=list(due)).values_list("dedupe_key", flat=True)
    )
    return [key for key in due if key not in written]


@transaction.atomic
def _notify(
    *, email: str, kind: str, connection: Connection, person: User, key: str, **extra
) -> None:
    role = selectors.role_in(connection=connection, respondent=person)
    survey = selectors.survey_for(program_id=connection.program_id, kind=kind, role=role)
    if survey is None:
        connection_surveys_ensure(connection=connection)
        survey = selectors.survey_for(program_id=connection.program_id, kind=kind, role=role)
    other = connection.mentor if role == Survey.Role.MENTEE else connection.mentee
    zone = when.zone_of(person)
    notify(
        kind=email,
        recipient=person,
        program=connection.program,
        context={
            "survey_kind": kind,
            "survey_title": survey.title,
            "other_person_name": other.name,
            "respondent_role": role,
            "started_on": when.day(connection.started_at, zone),
            "ends_on": when.day(connection.ends_on) if connection.ends_on else "",
            "ended_early": connection.end_cause == Connection.EndCause.ENDED_EARLY,
            "survey_path": selectors.connection_survey_url(connection=connection, kind=kind),
            **extra,
        },
        dedupe_key=key,
    )
