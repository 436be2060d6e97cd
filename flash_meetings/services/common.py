"""What the flash-meeting services share: the membership and offer checks, the booking
rules (notice, monthly limit, overlaps), the meeting lock and the emails' context.

Every write that books time locks the mentor's membership row (with the mentee's, in
primary-key order, when both are needed), re-checks the rules inside the transaction
and lets the database's constraints be the last line of defence:

* a slot is booked at most once (partial UniqueConstraint on ``slot``, both databases);
* a mentor never has two scheduled meetings that overlap (checked here under the
  mentor-membership lock on every database; on PostgreSQL also an exclusion constraint
  over ``tstzrange(starts_at, ends_at)``, which also covers a mentor in two programs).
"""

from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from flash_meetings.errors import InactiveMembership, MonthlyLimitReached, NotOffered, TooSoon
from flash_meetings.models import AvailabilitySlot, FlashMeeting, month_start
from flash_meetings.timezones import zone_of
from matching.models import MatchingSettings
from matching.modes import mentor_modes_offered
from mentoring.models import Membership, User
from notifications import localized
from notifications.services import notify


def matching_settings_of(program) -> MatchingSettings:
    return MatchingSettings.objects.get(program=program)


def active_membership(*, program, user: User, role: str, lock: bool = False) -> Membership:
    memberships = Membership.objects.filter(program=program, user=user, role=role)
    if lock:
        memberships = memberships.select_for_update()
    membership = memberships.first()
    if membership is None or not membership.active:
        if role == Membership.Role.MENTOR:
            raise InactiveMembership(
                _("%(name)s is not an active mentor in this program.") % {"name": user.name}
            )
        raise InactiveMembership(
            _("Only active mentees of this program can do this; ask a program admin.")
        )
    return membership


def check_offers_one_time(*, settings: MatchingSettings, membership: Membership) -> None:
    if not settings.program.active or not settings.one_time_enabled:
        raise NotOffered(_("This program does not offer one-time mentoring."))
    if not mentor_modes_offered(settings=settings, mentor=membership).one_time:
        raise NotOffered(
            _("%(name)s does not offer one-time meetings.") % {"name": membership.user.name}
        )


def check_notice(*, settings: MatchingSettings, starts_at: datetime, now: datetime) -> None:
    earliest = now + timedelta(hours=settings.min_booking_notice_hours)
    if starts_at < earliest:
        raise TooSoon(
            _("Meetings must be booked at least %(hours)s hours ahead; please pick a later time.")
            % {"hours": settings.min_booking_notice_hours}
        )


def month_of(*, mentor: User, starts_at: datetime) -> date:
    return month_start(starts_at.astimezone(zone_of(mentor)).date())


def check_monthly_limit(
    *, mentor_membership: Membership, month: date, exclude_pk: int | None = None
) -> None:
    taken = FlashMeeting.objects.filter(
        program_id=mentor_membership.program_id,
        mentor_id=mentor_membership.user_id,
        status__in=FlashMeeting.ACTIVE_STATUSES,
        counts_in_month=month,
        connection__isnull=True,  # meetings within a connection count against no limit
    )
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.count() >= mentor_membership.max_flash_meetings_per_month:
        raise MonthlyLimitReached(
            _(
                "%(name)s has no flash meetings left in %(month)s; please choose a time in "
                "another month or another mentor."
            )
            % {"name": mentor_membership.user.name, "month": month.strftime("%B %Y")}
        )


def overlapping_meetings(*, mentor_id: int, starts_at: datetime, ends_at: datetime):
    return FlashMeeting.objects.filter(
        mentor_id=mentor_id,
        status=FlashMeeting.Status.SCHEDULED,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )


def slot_is_booked(slot: AvailabilitySlot) -> bool:
    return FlashMeeting.objects.filter(slot=slot, status__in=FlashMeeting.ACTIVE_STATUSES).exists()


def lock_meeting(meeting: FlashMeeting) -> FlashMeeting:
    locked = (
        FlashMeeting.objects.select_for_update(of=("self",))
        .select_related("program", "mentor", "mentee")
        .get(pk=meeting.pk)
    )
    return locked


def copy_fields(target: FlashMeeting, source: FlashMeeting) -> None:
    """Let the caller's instance see what the service wrote."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def email_paths(meeting: FlashMeeting) -> dict:
    return {
        "meeting_path": reverse("flash_meetings:detail", args=[meeting.pk]),
        "meetings_path": reverse("flash_meetings:my_meetings"),
        "mentor_meetings_path": reverse("flash_meetings:mentor_meetings"),
        "follow_up_path": reverse("flash_meetings:follow_up", args=[meeting.pk]),
    }


def notify_about(
    *,
    kind: str,
    meeting: FlashMeeting,
    recipient: User,
    dedupe_key: str,
    extra: dict | None = None,
    attachments: list | None = None,
) -> None:
    other = meeting.other_party(recipient)
    context = {
        "meeting_id": meeting.pk,
        "meeting_topic": meeting.topic,
        # Written in the recipient's language and zone when the email is rendered.
        "meeting_when": localized.span(meeting.starts_at, meeting.ends_at),
        "mentor_name": meeting.mentor.name,
        "mentee_name": meeting.mentee.name,
        "other_name": other.name,
        "is_mentor": recipient.pk == meeting.mentor_id,
        # A meeting within a connection is a "mentoring meeting" in the emails.
        "in_connection": meeting.connection_id is not None,
        "location": meeting.location,
        "video_url": meeting.video_url,
        **email_paths(meeting),
        **(extra or {}),
    }
    notify(
        kind=kind,
        recipient=recipient,
        program=meeting.program,
        context=context,
        dedupe_key=dedupe_key,
        attachments=attachments,
    )
