"""Demo data: goals, notes and one upcoming meeting on the demo connection (mentor2
mentoring mentee2, made by matching/demo.py), so its page shows each section and the
timeline. mentee1 and mentor1 stay unconnected: their flash-meeting follow-up must keep
offering the connection. Idempotent: each part is added once."""

from __future__ import annotations

from datetime import time, timedelta
from typing import TextIO

from django.utils import timezone

from flash_meetings.models import FlashMeeting
from flash_meetings.timezones import make_aware_in, zone_of
from matching.models import Connection
from mentoring.errors import DomainError
from mentoring.models import Program
from ongoing import services
from ongoing.models import Goal

MEETING_TOPIC = "Next step: leading a design critique"


def seed(*, program: Program, stdout: TextIO) -> None:
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
