"""Demo survey responses for the demo program (idempotent).

Adds a few past flash meetings of its own (the topics in ``MEETINGS``, worded like any
real meeting's) with answered surveys, so that the admin summary and the CSV export have
something to show, and leaves one meeting of mentor1 unanswered so that "Surveys waiting
for you" appears on mentor1's dashboard. mentee1's own ended meeting (from
flash_meetings.demo) is left alone: its follow-up shows the core feature.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from mentoring.models import Program, User
from surveys import selectors, services
from surveys.models import Question

# Topics of earlier versions, which read as if the meetings were not real: renamed in
# place, so that a database seeded before is not given the meetings twice.
OLD_TOPICS = {
    "Demo survey: moving from support into engineering": "Switching from support to engineering",
    "Demo survey: a first design critique": "A first design critique",
    "Demo survey: statistics for a thesis": "Statistics for a thesis",
    "Demo survey: hiring a first engineer": "Hiring a first engineer",
    "Demo survey: leading a team for the first time": "Leading a team for the first time",
}

# (mentor, mentee, topic, days ago, status, mentee answers, mentor answers)
# Answers map a question's default text to the value given (None: left empty).
MEETINGS = [
    (
        "mentor1",
        "mentee2",
        "Switching from support to engineering",
        12,
        FlashMeeting.Status.COMPLETED,
        {
            "How useful was this meeting?": 5,
            "What did you talk about?": "How to build a portfolio and which first role to aim for.",
            "What did the meeting help you with?": ["Career direction", "Confidence"],
            "Anything else you want the program team to know?": "More evening slots, please.",
        },
        {
            "How useful was this meeting?": 4,
            "What did you talk about?": "Portfolio, first engineering role, interview practice.",
        },
    ),
    (
        "mentor2",
        "mentee3",
        "A first design critique",
        9,
        FlashMeeting.Status.COMPLETED,
        {
            "How useful was this meeting?": 4,
            "What did you talk about?": "A critique of my onboarding flow.",
            "What did the meeting help you with?": ["A technical question"],
        },
        None,
    ),
    (
        "mentor3",
        "mentee4",
        "Statistics for a thesis",
        6,
        FlashMeeting.Status.COMPLETED,
        {
            "How useful was this meeting?": 3,
            "What did the meeting help you with?": ["A technical question", "Career direction"],
        },
        {"How useful was this meeting?": 5},
    ),
    (
        "mentor4",
        "mentee2",
        "Hiring a first engineer",
        4,
        FlashMeeting.Status.DID_NOT_HAPPEN,
        {
            "Why did the meeting not take place?": "The other person did not attend",
            "What happened, in a few words?": "I waited twenty minutes on the call.",
        },
        {"Why did the meeting not take place?": "It was postponed"},
    ),
    (
        "mentor1",
        "mentee3",
        "Leading a team for the first time",
        2,
        FlashMeeting.Status.COMPLETED,
        {"How useful was this meeting?": 5},
        None,  # left for mentor1 to answer: shows on mentor1's dashboard
    ),
]


def seed(*, program: Program, stdout) -> None:
    with transaction.atomic():
        surveys = {s.role: s for s in services.surveys_ensure_for_program(program=program)}
        users = {user.username: user for user in User.objects.filter(username__regex=r"^ment")}
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        for old_topic, topic in OLD_TOPICS.items():
            FlashMeeting.objects.filter(program=program, topic=old_topic).update(topic=topic)
        created = 0
        for (
            mentor_name,
            mentee_name,
            topic,
            days_ago,
            status,
            mentee_answers,
            mentor_answers,
        ) in MEETINGS:
            mentor, mentee = users.get(mentor_name), users.get(mentee_name)
            if mentor is None or mentee is None:
                continue
            starts_at = now - timedelta(days=days_ago)
            meeting, _new = FlashMeeting.objects.get_or_create(
                program=program,
                mentor=mentor,
                mentee=mentee,
                topic=topic,
                defaults={
                    "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(minutes=30),
                    "status": status,
                },
            )
            for respondent, role, answers in (
                (mentee, "mentee", mentee_answers),
                (mentor, "mentor", mentor_answers),
            ):
                if answers is None or selectors.survey_answered(
                    meeting=meeting, respondent=respondent
                ):
                    continue
                survey = surveys[role]
                version = selectors.version_for(meeting=meeting)
                questions = {
                    q.text: q for q in selectors.questions_for(survey=survey, version=version)
                }
                services.response_submit(
                    meeting=meeting,
                    respondent=respondent,
                    survey=survey,
                    version=version,
                    answers=_answers(questions, answers),
                    now=meeting.ends_at + timedelta(hours=2),
                )
                created += 1
    stdout.write(f"Surveys: {created} demo responses added.\n")


def _answers(questions: dict[str, Question], answers: dict) -> dict[Question, object]:
    # Questions a program renamed or removed are skipped: the demo never fails on edits.
    return {questions[text]: value for text, value in answers.items() if text in questions}
