"""Demo data: goals and notes on the demo connection (mentor2 mentoring mentee2, made by
matching/demo.py). mentee1 and mentor1 stay unconnected: their flash-meeting follow-up
must keep offering the connection."""

from __future__ import annotations

from typing import TextIO

from matching.models import Connection
from mentoring.errors import DomainError
from mentoring.models import Program
from ongoing import services
from ongoing.models import Goal


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
    if connection is None or Goal.objects.filter(connection=connection).exists():
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
