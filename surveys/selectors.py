"""Reads for surveys: which survey and version a person answers, what is waiting for
them, and the summaries program admins read (the response export's reads are in
``export_selectors``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone, translation

from flash_meetings.models import FlashMeeting
from mentoring import languages
from mentoring.models import User
from surveys import queries
from surveys.errors import NotARespondent
from surveys.models import Answer, Question, Survey, SurveyResponse, Version
from surveys.translations import answered_language

# A meeting's survey can be answered once it is over: its end time has passed and it was
# held, is still marked scheduled, or did not happen.
ANSWERABLE_STATUSES = FlashMeeting.ENDED_STATUSES
CANCELLED_OUTCOMES = (FlashMeeting.Status.DID_NOT_HAPPEN, FlashMeeting.Status.CANCELLED)
SHOWN_IN_VERSION = {
    Version.COMPLETED: (Question.ShownWhen.COMPLETED, Question.ShownWhen.ALWAYS),
    Version.CANCELLED: (Question.ShownWhen.CANCELLED, Question.ShownWhen.ALWAYS),
}
LATEST_TEXTS = 5
MEETING_VERSIONS = (Version.COMPLETED, Version.CANCELLED)


# --- The entry points other apps use ------------------------------------------------


def survey_url_for(*, meeting: FlashMeeting, respondent: User) -> str:
    """The survey page of this meeting for its mentee or mentor (a path, no host).

    The page picks the respondent's survey (mentee or mentor) and the version from the
    meeting's outcome: a meeting that did not happen gets the cancelled-meeting version.
    """
    role_for(meeting=meeting, respondent=respondent)  # refuses anyone else
    return reverse("surveys:meeting", args=[meeting.pk])


def survey_answered(*, meeting: FlashMeeting, respondent: User) -> bool:
    return SurveyResponse.objects.filter(flash_meeting=meeting, respondent=respondent).exists()


# --- Rules -----------------------------------------------------------------------------


def role_for(*, meeting: FlashMeeting, respondent: User) -> str:
    """Which survey the person answers for this meeting; NotARespondent for anyone else."""
    return role_of_party(pair=meeting, respondent=respondent)


def role_of_party(*, pair: Any, respondent: User) -> str:
    """The respondent's side of a meeting or a connection (anything with ``mentor_id``
    and ``mentee_id``): the survey they answer. NotARespondent for anyone else."""
    if respondent.pk is not None and respondent.pk == pair.mentee_id:
        return Survey.Role.MENTEE
    if respondent.pk is not None and respondent.pk == pair.mentor_id:
        return Survey.Role.MENTOR
    raise NotARespondent()


def version_for(*, meeting: FlashMeeting) -> str:
    if meeting.status in CANCELLED_OUTCOMES:
        return Version.CANCELLED
    return Version.COMPLETED


def meeting_answerable(*, meeting: FlashMeeting, now: datetime | None = None) -> bool:
    return meeting.has_ended(now)


def shown_in(*, question: Question, version: str) -> bool:
    return question.shown_when in SHOWN_IN_VERSION[version]


# --- The survey page --------------------------------------------------------------------


def meetings_for_respondent(*, user: User) -> QuerySet[FlashMeeting]:
    """Meetings whose survey this person may open (others get 404): flash meetings
    only, a meeting within a connection has no feedback survey."""
    return FlashMeeting.objects.filter(
        Q(mentee=user) | Q(mentor=user), status__in=ANSWERABLE_STATUSES, connection=None
    ).select_related("program", "mentor", "mentee")


def survey_for(
    *, program_id: int, role: str, kind: str = Survey.Kind.FLASH_MEETING_FEEDBACK
) -> Survey | None:
    return Survey.objects.filter(program_id=program_id, kind=kind, role=role).first()


def questions_for(*, survey: Survey, version: str) -> list[Question]:
    return list(survey.questions.filter(shown_when__in=SHOWN_IN_VERSION[version]))


@dataclass
class SurveyPage:
    meeting: FlashMeeting
    respondent: User
    role: str
    version: str
    survey: Survey | None
    questions: list[Question]
    response: SurveyResponse | None
    answerable: bool
    language: str = ""  # the one the page is read in: questions, choices, title

    @property
    def title(self) -> str:
        if self.survey is None:
            return ""
        return self.survey.title_for(self.version, self.language)

    @property
    def intro(self) -> str:
        return self.survey.intro_in(self.language) if self.survey else ""

    @property
    def other_person(self) -> User:
        return self.meeting.mentor if self.role == Survey.Role.MENTEE else self.meeting.mentee


def survey_page(
    *, meeting: FlashMeeting, respondent: User, language: str | None = None
) -> SurveyPage:
    """The survey this person answers about this meeting, read in ``language`` (by
    default the active one: the person's own on their pages)."""
    role = role_for(meeting=meeting, respondent=respondent)
    version = version_for(meeting=meeting)
    survey = survey_for(program_id=meeting.program_id, role=role)
    questions = questions_for(survey=survey, version=version) if survey else []
    response = (
        SurveyResponse.objects.filter(flash_meeting=meeting, respondent=respondent)
        .only("pk", "submitted_at", "version")
        .first()
    )
    return SurveyPage(
        meeting=meeting,
        respondent=respondent,
        role=role,
        version=version,
        survey=survey,
        questions=questions,
        response=response,
        answerable=meeting_answerable(meeting=meeting),
        language=answered_language(language),
    )


@dataclass
class WaitingSurvey:
    meeting: FlashMeeting
    role: str
    version: str
    url: str


def surveys_waiting_for(
    *, user: User, now: datetime | None = None, limit: int = 10
) -> list[WaitingSurvey]:
    """Meetings that are over whose survey this person has not answered yet, newest first
    (one query, hand-written: see surveys/queries.py)."""
    if not user.is_authenticated:
        return []
    meetings = queries.waiting_meetings(
        user_id=user.pk, statuses=ANSWERABLE_STATUSES, now=now or timezone.now(), limit=limit
    )
    return [
        WaitingSurvey(
            meeting=meeting,
            role=Survey.Role.MENTEE if meeting.mentee_id == user.pk else Survey.Role.MENTOR,
            version=version_for(meeting=meeting),
            url=reverse("surveys:meeting", args=[meeting.pk]),
        )
        for meeting in meetings
    ]


# --- Summary for program admins -------------------------------------------------------


@dataclass
class LatestText:
    text: str
    submitted_at: datetime
    version: str
    language: str = ""  # the one it was written in

    @property
    def language_name(self) -> str:
        return languages.supported().get(self.language, self.language)


@dataclass
class QuestionSummary:
    question: Question
    text: str = ""  # the question in the reader's language
    answer_count: int = 0
    rating_counts: list[tuple[int, int]] = field(default_factory=list)
    average_rating: float | None = None
    # (label in the reader's language, answers, still offered); counted by base label
    choice_counts: list[tuple[str, int, bool]] = field(default_factory=list)
    latest_texts: list[LatestText] = field(default_factory=list)


@dataclass
class SurveySummary:
    survey: Survey
    version: str | None
    response_count: int
    count_by_version: dict[str, int]
    questions: list[QuestionSummary]
    count_by_language: dict[str, int] = field(default_factory=dict)

    @property
    def language_counts(self) -> list[tuple[str, str, int]]:
        """(code, name, responses) per language of the site, in the settings' order,
        then any other language responses were given in (one since removed)."""
        names = languages.supported()
        counts = [(code, name, self.count_by_language.get(code, 0)) for code, name in names.items()]
        return counts + [
            (code, code, n) for code, n in self.count_by_language.items() if code not in names
        ]

    @property
    def several_languages(self) -> bool:
        """Whether saying the language of responses and texts tells anything."""
        return len(self.language_counts) > 1

    @property
    def version_counts(self) -> list[tuple[str, int]]:
        """(label, responses) per version, for the page."""
        return [
            (label, self.count_by_version[value])
            for value, label in Version.choices
            if value in self.count_by_version
        ]


def survey_summary(*, survey: Survey, version: str | None = None) -> SurveySummary:
    """Per question: how many answered, the average rating (and its spread), the count per
    choice and the latest texts; how many responses per version and per language. Four
    queries whatever the number of responses.

    Answers given in every language count together: they are stored in the base
    language (a choice by its base label). The questions and choices are then shown in
    the reader's language (the active one), the counts matched by position."""
    responses = SurveyResponse.objects.filter(survey=survey)
    if version:
        responses = responses.filter(version=version)
    counts: Counter = Counter()
    by_language: Counter = Counter()
    for row in _count_by(responses, "version", "language"):
        counts[row["version"]] += row["n"]
        by_language[row["language"]] += row["n"]

    questions = list(survey.questions.all())
    reader = translation.get_language()  # texts and choices shown in the reader's language
    by_id = {
        question.pk: QuestionSummary(question=question, text=question.text_in(reader))
        for question in questions
    }
    answers = Answer.objects.filter(response__survey=survey, question__in=questions)
    if version:
        answers = answers.filter(response__version=version)

    # Every answer, reduced to what the summary needs: (question, kind, rating, choices).
    rating_counts: dict[int, Counter] = defaultdict(Counter)
    choice_counts: dict[int, Counter] = defaultdict(Counter)
    for question_id, kind, rating, selected in answers.values_list(
        "question_id", "question_kind", "rating", "selected"
    ).order_by():
        summary = by_id[question_id]
        summary.answer_count += 1
        if kind == Question.Kind.RATING and rating is not None:
            rating_counts[question_id][rating] += 1
        elif kind in Question.CHOICE_KINDS:
            choice_counts[question_id].update(selected or [])

    for question_id, counter in rating_counts.items():
        summary = by_id[question_id]
        summary.rating_counts = [(value, counter.get(value, 0)) for value in range(1, 6)]
        total = sum(counter.values())
        summary.average_rating = sum(v * n for v, n in counter.items()) / total
    for question_id, counter in choice_counts.items():
        summary = by_id[question_id]
        offered = summary.question.choice_pairs_in(reader)
        summary.choice_counts = [(shown, counter.get(base, 0), True) for base, shown in offered]
        summary.choice_counts += [
            (label, n, False)
            for label, n in counter.most_common()
            if label not in {base for base, _shown in offered}
        ]
    for question in questions:  # choice questions nobody answered still list their choices
        if question.kind in Question.CHOICE_KINDS and not by_id[question.pk].choice_counts:
            by_id[question.pk].choice_counts = [
                (shown, 0, True) for _base, shown in question.choice_pairs_in(reader)
            ]

    latest = (
        answers.exclude(text="")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by="question_id",
                order_by=("-response__submitted_at", "-pk"),
            )
        )
        .filter(rank__lte=LATEST_TEXTS)
        .values_list(
            "question_id",
            "text",
            "response__submitted_at",
            "response__version",
            "response__language",
        )
        .order_by("question_id", "rank")
    )
    for question_id, text, submitted_at, answered_version, language in latest:
        by_id[question_id].latest_texts.append(
            LatestText(
                text=text, submitted_at=submitted_at, version=answered_version, language=language
            )
        )

    return SurveySummary(
        survey=survey,
        version=version,
        response_count=sum(counts.values()),
        count_by_version={
            value: counts.get(value, 0)
            for value in ((Version.CONNECTION,) if survey.is_about_connection else MEETING_VERSIONS)
        },
        questions=[by_id[question.pk] for question in questions],
        count_by_language=dict(by_language),
    )


def _count_by(queryset: QuerySet, *field_names: str) -> Iterable[dict]:
    return queryset.order_by().values(*field_names).annotate(n=Count("pk"))
