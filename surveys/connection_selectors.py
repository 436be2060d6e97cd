"""Reads for the surveys about an ongoing connection: the mid-point check-in and the
closing survey. Which one a person answers, whether it is open, and what is waiting.

A check-in is open while the connection is active, from its mid-point
(``Connection.check_in_on``) on, when the program runs check-ins; it closes when the
connection ends, and the closing survey opens then, when the program runs it. Switching
a survey off in the program's matching settings closes it and stops its emails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from matching.models import Connection, MatchingSettings
from mentoring import when
from mentoring.models import User
from surveys import queries
from surveys.models import Question, Survey, SurveyResponse
from surveys.selectors import role_of_party, survey_for
from surveys.translations import answered_language

CHECK_IN = Survey.Kind.CONNECTION_CHECK_IN
CLOSING = Survey.Kind.CONNECTION_CLOSING
# The kinds as they appear in URLs.
KIND_BY_SLUG = {"check-in": CHECK_IN, "closing": CLOSING}
SLUG_BY_KIND = {kind: slug for slug, kind in KIND_BY_SLUG.items()}
# The dashboard lists an unanswered closing survey for this long after the end (the
# survey itself stays open; the invitation and reminders carry its link).
CLOSING_LISTED_FOR = timedelta(days=30)


def connection_survey_url(*, connection: Connection, kind: str, action: str = "page") -> str:
    names = {
        "page": "surveys:connection",
        "submit": "surveys:connection_submit",
        "thanks": "surveys:connection_thanks",
    }
    return reverse(names[action], args=[connection.pk, SLUG_BY_KIND[kind]])


def connections_for_respondent(*, user: User) -> QuerySet[Connection]:
    """Connections whose surveys this person may open (anyone else's: 404)."""
    return Connection.objects.filter(Q(mentor=user) | Q(mentee=user)).select_related(
        "program__matching_settings", "mentor", "mentee"
    )


def role_in(*, connection: Connection, respondent: User) -> str:
    return role_of_party(pair=connection, respondent=respondent)


def _settings(connection: Connection) -> MatchingSettings | None:
    try:
        return connection.program.matching_settings
    except MatchingSettings.DoesNotExist:
        return None


def closed_message(*, connection: Connection, kind: str, now: datetime | None = None) -> str:
    """Why this survey can't be answered now, in the person's words; "" when it can."""
    settings = _settings(connection)
    today = when.program_date(now)
    if kind == CHECK_IN:
        if settings is None or not settings.connection_check_in_enabled:
            return gettext("This program does not run a mid-point check-in.")
        if connection.check_in_on is None:
            return gettext("This connection has no end date, so there is no mid-point check-in.")
        if not connection.is_active:
            return gettext("The check-in closed when your mentoring ended.")
        if connection.check_in_on > today:
            return gettext("The check-in opens on %(day)s, halfway through your mentoring.") % {
                "day": when.day(connection.check_in_on)
            }
        return ""
    if settings is None or not settings.connection_closing_survey_enabled:
        return gettext("This program does not run a closing survey.")
    if connection.is_active:
        return gettext("The closing survey opens when your mentoring ends.")
    return ""


def questions_for(*, survey: Survey) -> list[Question]:
    return list(survey.questions.all())


@dataclass
class ConnectionSurveyPage:
    connection: Connection
    respondent: User
    role: str
    kind: str
    survey: Survey | None
    questions: list[Question]
    response: SurveyResponse | None
    closed_message: str
    language: str = ""  # the one the page is read in: questions, choices, title

    @property
    def is_open(self) -> bool:
        return not self.closed_message

    @property
    def intro(self) -> str:
        return self.survey.intro_in(self.language) if self.survey else ""

    @property
    def slug(self) -> str:
        return SLUG_BY_KIND[self.kind]

    @property
    def title(self) -> str:
        return self.survey.title_in(self.language) if self.survey else ""

    @property
    def other_person(self) -> User:
        if self.role == Survey.Role.MENTEE:
            return self.connection.mentor
        return self.connection.mentee

    @property
    def closing_survey_open(self) -> bool:
        """A closed check-in points to the closing survey when that one is open."""
        return self.kind == CHECK_IN and not closed_message(
            connection=self.connection, kind=CLOSING
        )


def connection_survey_page(
    *,
    connection: Connection,
    respondent: User,
    kind: str,
    now: datetime | None = None,
    language: str | None = None,
) -> ConnectionSurveyPage:
    """The check-in or closing survey of this connection for this person, read in
    ``language`` (by default the active one)."""
    role = role_in(connection=connection, respondent=respondent)
    survey = survey_for(program_id=connection.program_id, kind=kind, role=role)
    response = None
    if survey is not None:
        response = (
            SurveyResponse.objects.filter(
                survey=survey, connection=connection, respondent=respondent
            )
            .only("pk", "submitted_at")
            .first()
        )
    return ConnectionSurveyPage(
        connection=connection,
        respondent=respondent,
        role=role,
        kind=kind,
        survey=survey,
        questions=questions_for(survey=survey) if survey else [],
        response=response,
        closed_message=closed_message(connection=connection, kind=kind, now=now),
        language=answered_language(language),
    )


# --- What is waiting (dashboard, connection page) --------------------------------------


@dataclass
class WaitingConnectionSurvey:
    connection: Connection
    kind: str
    role: str
    url: str

    @property
    def title(self) -> str:
        return Survey.Kind(self.kind).label

    @property
    def other_person(self) -> User:
        if self.role == Survey.Role.MENTEE:
            return self.connection.mentor
        return self.connection.mentee


def connection_surveys_waiting_for(
    *, user: User, now: datetime | None = None, limit: int = 10
) -> list[WaitingConnectionSurvey]:
    """The check-ins and closing surveys open for this person that they have not
    answered, newest connection first. One query (hand-written: see surveys/queries.py;
    its ORM version is in tests/foundation/test_queries.py)."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    connections = queries.waiting_connection_surveys(
        user_id=user.pk,
        today=when.program_date(now),
        ended_since=now - CLOSING_LISTED_FOR,
        limit=limit,
    )
    waiting = []
    for connection in connections:
        kind = CHECK_IN if connection.is_active else CLOSING
        waiting.append(
            WaitingConnectionSurvey(
                connection=connection,
                kind=kind,
                role=Survey.Role.MENTEE if connection.mentee_id == user.pk else Survey.Role.MENTOR,
                url=connection_survey_url(connection=connection, kind=kind),
            )
        )
    return waiting


def connection_surveys_of(
    *, connection: Connection, user: User, now: datetime | None = None
) -> list[tuple[str, str, SurveyResponse | None]]:
    """For the connection page: each survey of this connection that is open or that this
    person answered, as (kind, url, their response or None). One query."""
    responses = {
        response.survey.kind: response
        for response in SurveyResponse.objects.filter(connection=connection, respondent=user)
        .select_related("survey")
        .only("pk", "submitted_at", "survey__kind")
    }
    shown = []
    for kind in (CHECK_IN, CLOSING):
        response = responses.get(kind)
        if response is not None or not closed_message(connection=connection, kind=kind, now=now):
            shown.append((kind, connection_survey_url(connection=connection, kind=kind), response))
    return shown
