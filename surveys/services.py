"""Writes for surveys: default surveys for programs, submitting a response, and the
emails that invite and remind respondents."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from flash_meetings.models import FlashMeeting
from mentoring import languages
from mentoring.models import Program, User
from notifications import localized
from notifications.models import Notification
from notifications.services import notify
from surveys import selectors
from surveys.defaults import ensure_default_surveys
from surveys.errors import AlreadyAnswered, InvalidAnswers, NotAnswerableYet
from surveys.models import Answer, Question, Survey, SurveyResponse, Version
from surveys.translations import answered_language

# Reminders go out this many days after the meeting's end, once each. A reminder is only
# sent inside its window (until the next one is due), so a job that was down for a while
# sends the reminder that is due now, not every missed one at once.
REMINDER_DAYS = (1, 5)
LAST_REMINDER_WINDOW_DAYS = 2
# The mentor's invitation goes out in the first day after the meeting's end.
INVITATION_WINDOW = timedelta(days=1)


@transaction.atomic
def surveys_ensure_for_program(*, program: Program) -> list[Survey]:
    """The program's mentee and mentor surveys of every kind (flash meeting feedback,
    check-in, closing), created with the default questions when missing; safe to call
    any number of times."""
    return ensure_default_surveys(program=program, survey_model=Survey, question_model=Question)


def surveys_ensure_for_all_programs() -> int:
    """Create the missing surveys of every program; returns how many programs were seen."""
    count = 0
    for program in Program.objects.all():
        surveys_ensure_for_program(program=program)
        count += 1
    return count


@transaction.atomic
def response_submit(
    *,
    meeting: FlashMeeting,
    respondent: User,
    survey: Survey,
    version: str,
    answers: Mapping[Question, Any],
    now: datetime | None = None,
    language: str | None = None,
) -> SurveyResponse:
    """Store one person's answers about one meeting, exactly as submitted (in the base
    language; ``language`` is the one they answered in).

    ``answers`` maps each question of the version shown to its cleaned value (an int for
    a rating, a label for one choice, a list of labels for several, a string for text);
    empty optional answers may be left out. A second submission for the same survey,
    meeting and respondent raises AlreadyAnswered and changes nothing; the unique
    constraint backs that against two submissions at the same moment.
    """
    role = selectors.role_for(meeting=meeting, respondent=respondent)
    if (
        survey.role != role
        or survey.program_id != meeting.program_id
        or version != selectors.version_for(meeting=meeting)
    ):
        raise InvalidAnswers()
    if not selectors.meeting_answerable(meeting=meeting, now=now):
        raise NotAnswerableYet()
    for question in answers:
        if not selectors.shown_in(question=question, version=version):
            raise InvalidAnswers()
    return store_response(
        survey=survey,
        respondent=respondent,
        version=version,
        answers=answers,
        now=now,
        about={"flash_meeting": meeting},
        language=language,
    )


def store_response(
    *,
    survey: Survey,
    respondent: User,
    version: str,
    answers: Mapping[Question, Any],
    about: dict[str, Any],
    now: datetime | None = None,
    language: str | None = None,
) -> SurveyResponse:
    """Write one response and its answers, once: for the caller's checked survey and
    ``about`` (``{"flash_meeting": ...}`` or ``{"connection": ...}``). A question of
    another survey refuses the whole response; a second response for the same survey,
    subject and person raises AlreadyAnswered and changes nothing, the unique
    constraint backing the check against two submissions at the same moment. Empty
    optional answers are left out. Choices are stored with their base-language labels
    (the form's values), so answers given in any language count together; ``language``
    (the person's page's, by default the active one) is recorded on the response."""
    for question in answers:
        if question.survey_id != survey.pk:
            raise InvalidAnswers()
    if SurveyResponse.objects.filter(survey=survey, respondent=respondent, **about).exists():
        raise AlreadyAnswered()
    try:
        with transaction.atomic():  # a savepoint: the unique constraint is the last word
            response = SurveyResponse.objects.create(
                survey=survey,
                respondent=respondent,
                version=version,
                submitted_at=now or timezone.now(),
                language=answered_language(language),
                **about,
            )
    except IntegrityError as error:
        raise AlreadyAnswered() from error
    Answer.objects.bulk_create(
        _answer(response=response, question=question, value=value)
        for question, value in answers.items()
        if value not in (None, "", [], ())
    )
    return response


def _answer(*, response: SurveyResponse, question: Question, value: Any) -> Answer:
    """One answer as it was given: the question's text and kind copied in, in the base
    language, and a choice shown in the response's language by its base label."""
    answer = Answer(
        response=response,
        question=question,
        question_text=question.text,
        question_kind=question.kind,
    )
    if question.kind == Question.Kind.RATING:
        answer.rating = int(value)
    elif question.kind == Question.Kind.SINGLE_CHOICE:
        answer.selected = [question.base_choice(str(value), response.language)]
    elif question.kind == Question.Kind.MULTIPLE_CHOICE:
        answer.selected = [question.base_choice(str(item), response.language) for item in value]
    else:
        answer.text = str(value)
    return answer


# --- Emails -------------------------------------------------------------------------


def survey_reminders_send(*, now: datetime | None = None) -> int:
    """Remind each respondent who has not answered, one day and five days after the
    meeting's end; once per time point (the dedupe key), so running it again sends
    nothing new. Returns how many reminders were written to the outbox."""
    sent = 0
    for days, window_start, due in reminder_windows(now=now or timezone.now()):
        meetings = _meetings_ended_between(start=window_start, end=due)
        answered = _answered_pairs(meetings)
        due_reminders = {
            f"survey-reminder:{meeting.pk}:{respondent.pk}:{days}d": (meeting, respondent)
            for meeting in meetings
            for respondent in (meeting.mentee, meeting.mentor)
            if (meeting.pk, respondent.pk) not in answered
        }
        for dedupe_key in not_yet_written(due_reminders):
            meeting, respondent = due_reminders[dedupe_key]
            _notify_survey(
                kind="survey_reminder",
                meeting=meeting,
                respondent=respondent,
                dedupe_key=dedupe_key,
                extra={"days_after": days},
            )
            sent += 1
    return sent


def mentor_invitations_send(*, now: datetime | None = None) -> int:
    """Invite the mentor of each meeting that has just ended to their own survey (once:
    the dedupe key). Returns how many invitations were written to the outbox."""
    now = now or timezone.now()
    meetings = _meetings_ended_between(start=now - INVITATION_WINDOW, end=now)
    answered = _answered_pairs(meetings)
    due_invitations = {
        f"survey-invitation:{meeting.pk}:{meeting.mentor_id}": meeting
        for meeting in meetings
        if (meeting.pk, meeting.mentor_id) not in answered
    }
    sent = 0
    for dedupe_key in not_yet_written(due_invitations):
        meeting = due_invitations[dedupe_key]
        _notify_survey(
            kind="survey_invitation_mentor",
            meeting=meeting,
            respondent=meeting.mentor,
            dedupe_key=dedupe_key,
            extra={},
        )
        sent += 1
    return sent


def _meetings_ended_between(*, start: datetime, end: datetime) -> list[FlashMeeting]:
    return list(
        FlashMeeting.objects.filter(
            status__in=selectors.ANSWERABLE_STATUSES,
            ends_at__gt=start,
            ends_at__lte=end,
            connection=None,  # a meeting within a connection has no feedback survey
        ).select_related("program", "mentor", "mentee")
    )


def reminder_windows(*, now: datetime) -> Iterator[tuple[int, datetime, datetime]]:
    """(days, start, end) for each reminder: a survey that opened in (start, end] is
    due its reminder of ``days`` days now. Each window runs until the next reminder is
    due (the last one for LAST_REMINDER_WINDOW_DAYS), so a job that was down sends the
    reminder due now, not every missed one at once. The meeting feedback and the
    connection surveys (surveys/connection_services.py) share them."""
    for index, days in enumerate(REMINDER_DAYS):
        due = now - timedelta(days=days)
        if index + 1 < len(REMINDER_DAYS):
            yield days, now - timedelta(days=REMINDER_DAYS[index + 1]), due
        else:
            yield days, due - timedelta(days=LAST_REMINDER_WINDOW_DAYS), due


def not_yet_written(due: Mapping[str, Any]) -> list[str]:
    """The dedupe keys that have no outbox row yet (notify would ignore the others
    anyway; this keeps the counts honest and the job cheap)."""
    written = set(
        Notification.objects.filter(dedupe_key__in=list(due)).values_list("dedupe_key", flat=True)
    )
    return [key for key in due if key not in written]


def _answered_pairs(meetings: list[FlashMeeting]) -> set[tuple[int, int]]:
    return set(
        SurveyResponse.objects.filter(flash_meeting__in=meetings).values_list(
            "flash_meeting_id", "respondent_id"
        )
    )


@transaction.atomic
def _notify_survey(
    *, kind: str, meeting: FlashMeeting, respondent: User, dedupe_key: str, extra: dict
) -> None:
    role = selectors.role_for(meeting=meeting, respondent=respondent)
    survey = selectors.survey_for(program_id=meeting.program_id, role=role)
    if survey is None:
        surveys_ensure_for_program(program=meeting.program)
        survey = selectors.survey_for(program_id=meeting.program_id, role=role)
    version = selectors.version_for(meeting=meeting)
    other = meeting.mentor if role == Survey.Role.MENTEE else meeting.mentee
    notify(
        kind=kind,
        recipient=respondent,
        program=meeting.program,
        context={
            "survey_title": email_title(survey, version),
            "meeting_topic": meeting.topic,
            # The date in the respondent's language and zone when the email is rendered.
            "meeting_date": localized.day(meeting.ends_at),
            "other_person_name": other.name,
            "respondent_role": role,
            "survey_path": selectors.survey_url_for(meeting=meeting, respondent=respondent),
            **extra,
        },
        dedupe_key=dedupe_key,
    )


def email_title(survey: Survey, version: str = "") -> dict[str, Any]:
    """``Survey.title_for`` as an email context value, written in the respondent's
    language when the email is rendered: the survey's title in each language (its
    translation, else the base text) and, for a meeting that did not happen, our words
    around it."""
    title = localized.by_language({code: survey.title_in(code) for code in languages.supported()})
    if version == Version.CANCELLED:
        return localized.text(
            gettext_noop("%(title)s — the meeting did not take place"), title=title
        )
    return title
