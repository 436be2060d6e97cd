"""Demo data: goals, notes and one upcoming meeting on the demo connection (mentor2
mentoring mentee2, made by matching/demo.py), so its page shows each section and the
timeline. mentee1 and mentor1 stay unconnected: their flash-meeting follow-up must keep
offering the connection. mentee4's two past connections (one that began with a flash
meeting and ran its term, one made by a request and ended early), with goals and survey
answers, give the admin's "Outcomes by origin" report something to compare.
Idempotent: each part is added once."""

from __future__ import annotations

from datetime import time, timedelta
from typing import TextIO

from django.utils import timezone

from flash_meetings.models import FlashMeeting
from flash_meetings.timezones import make_aware_in, zone_of
from matching.models import Connection
from mentoring import when
from mentoring.errors import DomainError
from mentoring.models import Program, User
from ongoing import services
from ongoing.models import Goal
from surveys.models import Answer, Question, Survey, SurveyResponse, Version

MEETING_TOPIC = "Next step: leading a design critique"


def seed(*, program: Program, stdout: TextIO) -> None:
    _history(program=program)
    connection = (
        Connection.objects.filter(
            program=program,
            mentor__username="mentor2",
            mentee__username="mentee2",
            status=Connection.Status.ACTIVE,
        )
        .select_related("mentor", "mentee")
        .first()
    )
    if connection is None:
        return
    _meeting(program=program, connection=connection)
    if Goal.objects.filter(connection=connection).exists():
        return
    mentor, mentee = connection.mentor, connection.mentee
    try:
        first = services.goal_add(
            connection=connection,
            actor=mentee,
            title="Run a design review on my own",
            description="Prepare the agenda, lead the discussion and write up the decisions.",
        )
        services.goal_add(
            connection=connection, actor=mentor, title="Read two books on system design"
        )
        services.goal_update(
            goal=first,
            actor=mentor,
            title=first.title,
            description=first.description,
            target_date=None,
            status=Goal.Status.ACHIEVED,
        )
        services.note_add(
            connection=connection,
            actor=mentee,
            body="Topics for our next chat: review checklists, and how to say no politely.",
            shared=True,
        )
        services.note_add(
            connection=connection,
            actor=mentor,
            body="Great first review. Next: try facilitating one with a remote team.",
            shared=True,
        )
    except DomainError as error:
        stdout.write(f"  demo goals and notes skipped: {error.message}\n")


def _meeting(*, program: Program, connection: Connection) -> None:
    """One meeting within the connection, scheduled in four days at 11:00 in the mentor's
    zone (mentor2's open slots are at 15:00): added once, whatever happened to it since."""
    if FlashMeeting.objects.filter(connection=connection, topic=MEETING_TOPIC).exists():
        return
    zone = zone_of(connection.mentor)
    now = timezone.now()
    starts_at = make_aware_in(now.astimezone(zone).date() + timedelta(days=4), time(11, 0), zone)
    FlashMeeting.objects.create(
        program=program,
        mentor=connection.mentor,
        mentee=connection.mentee,
        connection=connection,
        topic=MEETING_TOPIC,
        message="Could we plan how I run my first critique with the whole team?",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=program.matching_settings.meeting_length_minutes),
        status=FlashMeeting.Status.SCHEDULED,
        video_url="https://meet.example.org/demo-connection",
        responded_at=now,
    )


# (mentor, origin, started days ago, lasted days, how it ended, goals (title, status),
#  ratings by survey kind and role)
PAST_CONNECTIONS = (
    (
        "mentor3",
        Connection.Origin.FLASH_MEETING,
        240,
        180,
        Connection.EndCause.COMPLETED,
        (
            ("Ship a first feature end to end", "achieved"),
            ("Pair with a senior weekly", "achieved"),
        ),
        {
            (Survey.Kind.CONNECTION_CHECK_IN, "mentee"): 4,
            (Survey.Kind.CONNECTION_CHECK_IN, "mentor"): 5,
            (Survey.Kind.CONNECTION_CLOSING, "mentee"): 5,
            (Survey.Kind.CONNECTION_CLOSING, "mentor"): 4,
        },
    ),
    (
        "mentor1",
        Connection.Origin.PROFILE_REQUEST,
        300,
        45,
        Connection.EndCause.ENDED_EARLY,
        (("Prepare for a team lead interview", "dropped"),),
        {(Survey.Kind.CONNECTION_CLOSING, "mentee"): 2},
    ),
)


def _history(*, program: Program) -> None:
    """mentee4's past connections, written as history (they ended long ago): once."""
    people = {
        u.username: u for u in User.objects.filter(username__in=["mentee4", "mentor1", "mentor3"])
    }
    mentee = people.get("mentee4")
    if mentee is None:
        return
    now = timezone.now()
    for username, origin, days_ago, lasted, cause, goals, ratings in PAST_CONNECTIONS:
        mentor = people.get(username)
        if (
            mentor is None
            or Connection.objects.filter(program=program, mentor=mentor, mentee=mentee).exists()
        ):
            continue
        started_at = now - timedelta(days=days_ago)
        start = when.program_date(started_at)
        connection = Connection.objects.create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            origin=origin,
            started_at=started_at,
            ends_on=start + timedelta(days=180),
            check_in_on=start + timedelta(days=90),
            status=Connection.Status.ENDED,
            ended_at=started_at + timedelta(days=lasted),
            ended_by=mentee if cause == Connection.EndCause.ENDED_EARLY else None,
            end_cause=cause,
            end_reason=(
                "I changed teams and no longer have time for it."
                if cause == Connection.EndCause.ENDED_EARLY
                else "Completed at its end date."
            ),
        )
        for title, status in goals:
            Goal.objects.create(
                connection=connection,
                title=title,
                status=status,
                created_by=mentee,
                created_at=started_at + timedelta(days=3),
                updated_at=started_at + timedelta(days=lasted - 1),
            )
        for (kind, role), rating in ratings.items():
            survey = Survey.objects.get(program=program, kind=kind, role=role)
            question = survey.questions.filter(kind=Question.Kind.RATING).first()
            days = 91 if kind == Survey.Kind.CONNECTION_CHECK_IN else lasted + 1
            response = SurveyResponse.objects.create(
                survey=survey,
                connection=connection,
                respondent=mentee if role == "mentee" else mentor,
                version=Version.CONNECTION,
                submitted_at=started_at + timedelta(days=days),
            )
            if question is not None:
                Answer.objects.create(
                    response=response,
                    question=question,
                    question_text=question.text,
                    question_kind=question.kind,
                    rating=rating,
                )
