"""Demo ongoing mentoring: one connection and one pending request. Idempotent.

mentor2 (limit 1) mentors mentee2, so mentor2's profile shows why Connect is not
possible; their connection began 95 days ago for 180 days, so its mid-point check-in is
open (mentee2's dashboard lists it). mentee3 waits for mentor1's answer. mentee1 is
left free for the post-meeting offer the flash meetings demo sets up.
"""

from datetime import timedelta
from typing import TextIO

from django.utils import timezone

from matching import services
from matching.models import Connection, ConnectionRequest
from mentoring import when
from mentoring.errors import DomainError
from mentoring.models import Program, User


def seed(*, program: Program, stdout: TextIO) -> None:
    users = {user.username: user for user in User.objects.filter(username__startswith="ment")}
    mentor1, mentor2 = users.get("mentor1"), users.get("mentor2")
    mentee2, mentee3 = users.get("mentee2"), users.get("mentee3")
    if not all((mentor1, mentor2, mentee2, mentee3)):
        return
    if not Connection.objects.filter(program=program, mentor=mentor2, mentee=mentee2).exists():
        try:
            connection = services.connection_create(
                program=program,
                mentor=mentor2,
                mentee=mentee2,
                origin=Connection.Origin.ADMIN,
                send_emails=False,
            )
        except DomainError as error:
            stdout.write(f"  demo connection skipped: {error.message}\n")
        else:
            _halfway(connection)
    if not ConnectionRequest.objects.filter(
        program=program, mentor=mentor1, mentee=mentee3
    ).exists():
        try:
            services.connection_request_create(
                program=program,
                mentor=mentor1,
                mentee=mentee3,
                message="Hi Amara! I'm moving from support into engineering and would love "
                "a mentor for the next few months.",
            )
        except DomainError as error:
            stdout.write(f"  demo request skipped: {error.message}\n")
    stdout.write("  Ongoing mentoring: mentor2 mentors mentee2; mentee3 asked mentor1.\n")


def _halfway(connection: Connection) -> None:
    """Date the new demo connection back: 95 days into a 180-day term, so the demo shows
    a connection with life in it and its check-in open (past the mid-point)."""
    started_at = timezone.now() - timedelta(days=95)
    start = when.program_date(started_at)
    Connection.objects.filter(pk=connection.pk).update(
        started_at=started_at,
        ends_on=start + timedelta(days=180),
        check_in_on=start + timedelta(days=90),
    )
