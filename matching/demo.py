"""Demo ongoing mentoring: one connection and one pending request. Idempotent.

mentor2 (limit 1) mentors mentee2, so mentor2's profile shows why Connect is not
possible; mentee3 waits for mentor1's answer. mentee1 is left free for the post-meeting
offer the flash meetings demo sets up.
"""

from typing import TextIO

from matching import services
from matching.models import Connection, ConnectionRequest
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
            services.connection_create(
                program=program,
                mentor=mentor2,
                mentee=mentee2,
                origin=Connection.Origin.ADMIN,
                send_emails=False,
            )
        except DomainError as error:
            stdout.write(f"  demo connection skipped: {error.message}\n")
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
