"""Meetings and responses for survey tests (reusing tests/factories.py for people)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from flash_meetings.models import FlashMeeting
from mentoring.models import Program
from surveys import selectors, services
from surveys.models import Survey, SurveyResponse
from tests.factories import ProgramFactory, mentee, mentor


def meeting(
    *,
    program: Program | None = None,
    status: str = FlashMeeting.Status.SCHEDULED,
    ended_ago: timedelta | None = timedelta(hours=2),
    starts_in: timedelta | None = None,
    mentor_user=None,
    mentee_user=None,
    topic: str = "Career change",
    follow_up_choice: str = "",
) -> FlashMeeting:
    """A meeting that ended ``ended_ago`` ago (or starts in ``starts_in``), 30 minutes long.

    With a given mentor, each further meeting of theirs moves 31 minutes away so that one
    mentor's scheduled meetings never overlap (PostgreSQL has an exclusion constraint).
    A mentee's survey of a held meeting is listed as waiting once the follow-up is
    answered (``follow_up_choice``); before that the follow-up leads to it."""
    program = program or ProgramFactory()
    shift = timedelta(0)
    if mentor_user is not None:
        shift = timedelta(minutes=31 * FlashMeeting.objects.filter(mentor=mentor_user).count())
    if starts_in is not None:
        starts_at = timezone.now() + starts_in + shift
    else:
        starts_at = timezone.now() - ended_ago - timedelta(minutes=30) - shift
    return FlashMeeting.objects.create(
        program=program,
        mentor=mentor_user or mentor(program),
        mentee=mentee_user or mentee(program),
        topic=topic,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        status=status,
        follow_up_choice=follow_up_choice,
    )


def survey_of(program: Program, role: str) -> Survey:
    return Survey.objects.get(program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role=role)


def answer(meeting_: FlashMeeting, respondent, values_by_text: dict, **kwargs) -> SurveyResponse:
    """Submit a response through the service, values keyed by question text."""
    role = selectors.role_for(meeting=meeting_, respondent=respondent)
    survey = survey_of(meeting_.program, role)
    version = selectors.version_for(meeting=meeting_)
    questions = {q.text: q for q in selectors.questions_for(survey=survey, version=version)}
    return services.response_submit(
        meeting=meeting_,
        respondent=respondent,
        survey=survey,
        version=version,
        answers={questions[text]: value for text, value in values_by_text.items()},
        **kwargs,
    )
