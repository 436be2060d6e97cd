"""Demo ended meetings for mentee1 that show each post-meeting follow-up case:

* eligible, forced-connection policy: mentor1 in the demo program (flash_meetings.demo);
* a mentor who is full: mentor2 (limit 1, already mentoring mentee2);
* a mentor who offers one-time meetings only: mentor4;
* eligible, connection-request policy: mentor3 in a second program, "demo-requests",
  whose matching settings send a request instead.

Idempotent. If mentee1 has answered the mentor1 follow-up since the last run and
ongoing mentoring with mentor1 is still possible, a new ended meeting brings the
offer back, so a newcomer always finds the core feature on mentee1's dashboard.
"""

from datetime import timedelta
from typing import TextIO

from django.utils import timezone

from flash_meetings.demo import OVER_TOPIC
from flash_meetings.models import FlashMeeting
from matching import eligibility
from matching.models import FlashToOngoingPolicy, MatchingSettings
from mentoring.models import Membership, Program, User

FULL_TOPIC = "Reviewing my design case studies"
ONE_TIME_TOPIC = "Fundraising for a first startup"
REQUEST_TOPIC = "Getting started with statistics"
REQUEST_PROGRAM = "demo-requests"


def _ended_meeting(*, program: Program, mentor: User, mentee: User, topic: str, hours_ago: int):
    meeting = FlashMeeting.objects.filter(
        program=program, mentor=mentor, mentee=mentee, topic=topic
    ).first()
    if meeting is not None:
        return meeting, False
    length = timedelta(minutes=program.matching_settings.meeting_length_minutes)
    ends_at = (timezone.now() - timedelta(hours=hours_ago)).replace(
        minute=0, second=0, microsecond=0
    )
    meeting = FlashMeeting.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        topic=topic,
        starts_at=ends_at - length,
        ends_at=ends_at,
        counts_in_month=(ends_at - length).date().replace(day=1),
        status=FlashMeeting.Status.SCHEDULED,
        responded_at=ends_at - timedelta(days=2),
        reminder_sent_at=ends_at - timedelta(days=1),
    )
    return meeting, True


def _request_program(users: dict[str, User]) -> Program:
    program, _ = Program.objects.update_or_create(
        slug=REQUEST_PROGRAM,
        defaults={
            "name": "Demo Program (mentoring requests)",
            "description": "The same people, with the connection-request policy: after a "
            "flash meeting the mentee sends the mentor a request to accept.",
            "active": True,
        },
    )
    MatchingSettings.objects.filter(program=program).update(
        ongoing_enabled=True,
        one_time_enabled=True,
        preferred_mentoring_enabled=False,
        mentors_choose_modes=False,
        default_max_ongoing_mentees=3,
        max_ongoing_mentors_per_mentee=2,
        flash_to_ongoing_enabled=True,
        flash_to_ongoing_policy=FlashToOngoingPolicy.CONNECTION_REQUEST,
    )
    Membership.objects.get_or_create(
        user=users["mentor3"],
        program=program,
        role=Membership.Role.MENTOR,
        defaults={"headline": "Data science", "expertise": "statistics, machine learning"},
    )
    Membership.objects.get_or_create(
        user=users["mentee1"], program=program, role=Membership.Role.MENTEE
    )
    return program


def seed(*, program: Program, stdout: TextIO) -> None:
    names = ("mentor1", "mentor2", "mentor3", "mentor4", "mentee1")
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    if len(users) < len(names):
        return
    mentee1 = users["mentee1"]
    created = 0
    for mentor, topic, hours_ago in (
        (users["mentor2"], FULL_TOPIC, 5),
        (users["mentor4"], ONE_TIME_TOPIC, 7),
    ):
        created += _ended_meeting(
            program=program, mentor=mentor, mentee=mentee1, topic=topic, hours_ago=hours_ago
        )[1]
    requests_program = _request_program(users)
    created += _ended_meeting(
        program=requests_program,
        mentor=users["mentor3"],
        mentee=mentee1,
        topic=REQUEST_TOPIC,
        hours_ago=3,
    )[1]

    # Bring the forced-connection offer back if it was used up and can still be offered.
    answered = FlashMeeting.objects.filter(
        program=program, mentor=users["mentor1"], mentee=mentee1, topic=OVER_TOPIC
    ).exclude(follow_up_choice="")
    open_offer = FlashMeeting.objects.filter(
        program=program, mentee=mentee1, mentor=users["mentor1"], follow_up_choice=""
    ).exists()
    if answered.exists() and not open_offer:
        meeting, made = _ended_meeting(
            program=program,
            mentor=users["mentor1"],
            mentee=mentee1,
            topic=f"{OVER_TOPIC} (again)",
            hours_ago=9,
        )
        if made and not eligibility.for_meeting(meeting=meeting).offered:
            meeting.delete()  # e.g. already connected: nothing to bring back
        else:
            created += made
    stdout.write(
        f"  Follow-up cases for mentee1: {created} new meeting(s) "
        "(mentor1 eligible, mentor2 full, mentor4 one-time only, "
        "mentor3 eligible by request in “demo-requests”).\n"
    )
