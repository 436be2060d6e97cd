"""Demo flash meetings: open slots, one pending request, one upcoming meeting, and for
mentee1 an ended meeting with mentor1 so the follow-up has something to show.
Idempotent: running it again adds nothing that is already there."""

from datetime import time, timedelta

from django.utils import timezone

from flash_meetings.models import AvailabilitySlot, FlashMeeting
from flash_meetings.timezones import make_aware_in, zone_of
from mentoring.models import User

OVER_TOPIC = "Moving from support into engineering"
UPCOMING_TOPIC = "Preparing for a first tech-lead role"
PENDING_TOPIC = "Building a design portfolio"


def _length(program) -> timedelta:
    return timedelta(minutes=program.matching_settings.meeting_length_minutes)


def _slots(*, program, mentor: User, days: range, at: time) -> int:
    zone = zone_of(mentor)
    today = timezone.now().astimezone(zone).date()
    created = 0
    for offset in days:
        starts_at = make_aware_in(today + timedelta(days=offset), at, zone)
        _slot, made = AvailabilitySlot.objects.get_or_create(
            mentor=mentor,
            starts_at=starts_at,
            defaults={"program": program, "ends_at": starts_at + _length(program)},
        )
        created += made
    return created


def seed(*, program, stdout) -> None:
    users = {user.username: user for user in User.objects.filter(username__startswith="ment")}
    needed = {"mentor1", "mentor2", "mentor4", "mentee1", "mentee2", "mentee3"}
    if not needed <= users.keys():
        return
    now = timezone.now()
    length = _length(program)
    created = 0
    for username, at in (
        ("mentor1", time(10, 0)),
        ("mentor2", time(15, 0)),
        ("mentor4", time(9, 0)),
    ):
        if not AvailabilitySlot.objects.filter(
            mentor=users[username], program=program, starts_at__gt=now + timedelta(days=2)
        ).exists():
            created += _slots(program=program, mentor=users[username], days=range(3, 10, 2), at=at)

    mentor1, mentor2 = users["mentor1"], users["mentor2"]
    if not FlashMeeting.objects.filter(
        program=program, mentor=mentor1, mentee=users["mentee1"], topic=OVER_TOPIC
    ).exists():
        ends_at = (now - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
        FlashMeeting.objects.create(
            program=program,
            mentor=mentor1,
            mentee=users["mentee1"],
            topic=OVER_TOPIC,
            message="I would love advice on my first months as an engineer.",
            starts_at=ends_at - length,
            ends_at=ends_at,
            counts_in_month=(ends_at - length).date().replace(day=1),
            status=FlashMeeting.Status.SCHEDULED,
            video_url="https://meet.example.org/demo-over",
            responded_at=ends_at - timedelta(days=3),
            reminder_sent_at=ends_at - timedelta(days=1),
        )
        created += 1
    if not FlashMeeting.objects.filter(
        program=program, topic=UPCOMING_TOPIC, status=FlashMeeting.Status.SCHEDULED
    ).exists():
        starts_at = (now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        FlashMeeting.objects.create(
            program=program,
            mentor=mentor1,
            mentee=users["mentee3"],
            topic=UPCOMING_TOPIC,
            starts_at=starts_at,
            ends_at=starts_at + length,
            counts_in_month=starts_at.date().replace(day=1),
            status=FlashMeeting.Status.SCHEDULED,
            location="Café Central, 2nd floor",
            video_url="https://meet.example.org/demo-upcoming",
            responded_at=now,
        )
        created += 1
    if not FlashMeeting.objects.filter(
        program=program, topic=PENDING_TOPIC, status=FlashMeeting.Status.REQUESTED
    ).exists():
        slot = (
            AvailabilitySlot.objects.filter(mentor=mentor2, program=program, starts_at__gt=now)
            .exclude(meetings__status__in=FlashMeeting.ACTIVE_STATUSES)
            .order_by("starts_at")
            .first()
        )
        if slot is not None:
            FlashMeeting.objects.create(
                program=program,
                mentor=mentor2,
                mentee=users["mentee2"],
                topic=PENDING_TOPIC,
                message="Could you look at how I present my case studies?",
                slot=slot,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                counts_in_month=slot.starts_at.date().replace(day=1),
                expires_at=now
                + timedelta(days=program.matching_settings.meeting_request_expiry_days),
            )
            created += 1
    stdout.write(f"Flash meetings demo data: {created} new row(s).\n")
