"""Writes for flash meetings: availability, requests, answers, cancellations, jobs.

Every write that books time locks the mentor's membership row (with the mentee's, in
primary-key order, when both are needed), re-checks the rules inside the transaction
and lets the database's constraints be the last line of defence:

* a slot is booked at most once (partial UniqueConstraint on ``slot``, both databases);
* a mentor never has two scheduled meetings that overlap (checked here under the
  mentor-membership lock on every database; on PostgreSQL also an exclusion constraint
  over ``tstzrange(starts_at, ends_at)``, which also covers a mentor in two programs).
"""

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings.ics import ics_attachment
from flash_meetings.models import AvailabilitySlot, FlashMeeting, ProposedTime, month_start
from flash_meetings.timezones import format_for, make_aware_in, zone_of
from matching.models import MatchingSettings
from matching.modes import mentor_modes_offered
from mentoring.errors import DomainError
from mentoring.models import Membership, User
from notifications.services import notify

MAX_PROPOSED_TIMES = 3
MAX_REPEAT_WEEKS = 12
REMINDER_LEAD = timedelta(hours=24)


class FlashMeetingError(DomainError):
    """A flash-meeting rule refused the action."""


class NotOffered(FlashMeetingError):
    """One-time mentoring is off, or this mentor does not offer it."""


class InactiveMembership(FlashMeetingError):
    """The person is not (or no longer) an active member in that role."""

    status_code = 403


class NotAllowed(FlashMeetingError):
    """The person takes part in the meeting but may not do this."""

    status_code = 403


class SelfMeeting(FlashMeetingError):
    """A mentor cannot meet themselves."""


class TooSoon(FlashMeetingError):
    """The time is closer than the program's booking notice (or already past)."""


class SlotTaken(FlashMeetingError):
    """Someone else booked that slot first."""


class SlotOverlap(FlashMeetingError):
    """The time clashes with another slot or scheduled meeting of the mentor."""


class PendingLimitReached(FlashMeetingError):
    """The mentee already has the program's maximum of pending meeting requests."""


class MonthlyLimitReached(FlashMeetingError):
    """The mentor has no flash meeting left for that calendar month."""


class InvalidTransition(FlashMeetingError):
    """The meeting is not in a state that allows this."""


class BadRequest(FlashMeetingError):
    """The request itself is incomplete (for example no time chosen)."""

    status_code = 400


# --- helpers ------------------------------------------------------------------------


def _matching_settings(program) -> MatchingSettings:
    return MatchingSettings.objects.get(program=program)


def _active_membership(*, program, user: User, role: str, lock: bool = False) -> Membership:
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


def _check_offers_one_time(*, settings: MatchingSettings, membership: Membership) -> None:
    if not settings.program.active or not settings.one_time_enabled:
        raise NotOffered(_("This program does not offer one-time mentoring."))
    if not mentor_modes_offered(settings=settings, mentor=membership).one_time:
        raise NotOffered(
            _("%(name)s does not offer one-time meetings.") % {"name": membership.user.name}
        )


def _check_notice(*, settings: MatchingSettings, starts_at: datetime, now: datetime) -> None:
    earliest = now + timedelta(hours=settings.min_booking_notice_hours)
    if starts_at < earliest:
        raise TooSoon(
            _("Meetings must be booked at least %(hours)s hours ahead; please pick a later time.")
            % {"hours": settings.min_booking_notice_hours}
        )


def _month_of(*, mentor: User, starts_at: datetime) -> date:
    return month_start(starts_at.astimezone(zone_of(mentor)).date())


def _check_monthly_limit(
    *, mentor_membership: Membership, month: date, exclude_pk: int | None = None
) -> None:
    taken = FlashMeeting.objects.filter(
        program_id=mentor_membership.program_id,
        mentor_id=mentor_membership.user_id,
        status__in=FlashMeeting.ACTIVE_STATUSES,
        counts_in_month=month,
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


def _overlapping_meetings(*, mentor_id: int, starts_at: datetime, ends_at: datetime):
    return FlashMeeting.objects.filter(
        mentor_id=mentor_id,
        status=FlashMeeting.Status.SCHEDULED,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )


def _slot_is_booked(slot: AvailabilitySlot) -> bool:
    return FlashMeeting.objects.filter(slot=slot, status__in=FlashMeeting.ACTIVE_STATUSES).exists()


def _lock_meeting(meeting: FlashMeeting) -> FlashMeeting:
    locked = (
        FlashMeeting.objects.select_for_update(of=("self",))
        .select_related("program", "mentor", "mentee")
        .get(pk=meeting.pk)
    )
    return locked


def _sync(target: FlashMeeting, source: FlashMeeting) -> None:
    """Let the caller's instance see what the service wrote."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _paths(meeting: FlashMeeting) -> dict:
    return {
        "meeting_path": reverse("flash_meetings:detail", args=[meeting.pk]),
        "meetings_path": reverse("flash_meetings:my_meetings"),
        "mentor_meetings_path": reverse("flash_meetings:mentor_meetings"),
        "follow_up_path": reverse("flash_meetings:follow_up", args=[meeting.pk]),
    }


def _notify(
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
        "meeting_when": format_for(recipient, meeting.starts_at, meeting.ends_at),
        "mentor_name": meeting.mentor.name,
        "mentee_name": meeting.mentee.name,
        "other_name": other.name,
        "is_mentor": recipient.pk == meeting.mentor_id,
        "location": meeting.location,
        "video_url": meeting.video_url,
        **_paths(meeting),
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


# --- availability -------------------------------------------------------------------


@transaction.atomic
def availability_slots_create(
    *, membership: Membership, day: date, at: time, repeat_weeks: int = 0
) -> list[AvailabilitySlot]:
    """Open one slot at ``at`` on ``day`` in the mentor's own zone, and the same
    wall-clock time on the ``repeat_weeks`` following weeks (correct across DST)."""
    if membership.role != Membership.Role.MENTOR:
        raise NotAllowed(_("Only mentors publish availability."))
    membership = _active_membership(
        program=membership.program, user=membership.user, role=Membership.Role.MENTOR, lock=True
    )
    settings = _matching_settings(membership.program)
    _check_offers_one_time(settings=settings, membership=membership)
    if not 0 <= repeat_weeks <= MAX_REPEAT_WEEKS:
        raise BadRequest(_("Repeat for at most %(weeks)s weeks.") % {"weeks": MAX_REPEAT_WEEKS})
    length = timedelta(minutes=settings.meeting_length_minutes)
    zone = zone_of(membership.user)
    now = timezone.now()
    slots = []
    for week in range(repeat_weeks + 1):
        try:
            starts_at = make_aware_in(day + timedelta(weeks=week), at, zone)
        except ValueError as error:
            raise BadRequest(str(error)) from error
        ends_at = starts_at + length
        if starts_at <= now:
            raise TooSoon(_("Slots must be in the future; please pick a later date."))
        clash = (
            AvailabilitySlot.objects.filter(
                mentor=membership.user, starts_at__lt=ends_at, ends_at__gt=starts_at
            ).exists()
            or _overlapping_meetings(
                mentor_id=membership.user_id, starts_at=starts_at, ends_at=ends_at
            ).exists()
        )
        if clash:
            raise SlotOverlap(
                _("You already have a slot or meeting at %(when)s; nothing was added.")
                % {"when": format_for(membership.user, starts_at, ends_at)}
            )
        slots.append(
            AvailabilitySlot(
                program=membership.program,
                mentor=membership.user,
                starts_at=starts_at,
                ends_at=ends_at,
            )
        )
    return AvailabilitySlot.objects.bulk_create(slots)


@transaction.atomic
def availability_slot_remove(*, slot: AvailabilitySlot, actor: User) -> None:
    """Remove an unbooked slot (the mentor's own)."""
    if slot.mentor_id != actor.pk:
        raise NotAllowed(_("Only the mentor who opened a slot can remove it."))
    _active_membership(program=slot.program, user=actor, role=Membership.Role.MENTOR, lock=True)
    slot = AvailabilitySlot.objects.select_for_update().get(pk=slot.pk)
    if _slot_is_booked(slot):
        raise SlotTaken(
            _("This slot has a meeting request or meeting; answer or cancel that instead.")
        )
    slot.delete()


# --- requests -----------------------------------------------------------------------


@transaction.atomic
def flash_meeting_request(
    *,
    mentor_membership: Membership,
    mentee: User,
    topic: str,
    message: str = "",
    slot: AvailabilitySlot | None = None,
    proposed_starts: list[datetime] | tuple[datetime, ...] = (),
) -> FlashMeeting:
    """A mentee asks a mentor for a flash meeting: an open slot, or up to three times."""
    program = mentor_membership.program
    mentor = mentor_membership.user
    if mentor.pk == mentee.pk:
        raise SelfMeeting(_("You cannot request a meeting with yourself."))
    topic = topic.strip()
    if not topic:
        raise BadRequest(_("Please say what you would like to talk about."))
    # Lock both memberships in primary-key order (the order every write that locks
    # a mentor and a mentee uses, so no deadlock), then check them.
    list(
        Membership.objects.select_for_update()
        .filter(
            Q(user=mentor, role=Membership.Role.MENTOR)
            | Q(user=mentee, role=Membership.Role.MENTEE),
            program=program,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    mentor_membership = _active_membership(
        program=program, user=mentor, role=Membership.Role.MENTOR
    )
    _active_membership(program=program, user=mentee, role=Membership.Role.MENTEE)
    settings = _matching_settings(program)
    _check_offers_one_time(settings=settings, membership=mentor_membership)
    now = timezone.now()
    length = timedelta(minutes=settings.meeting_length_minutes)

    if slot is not None:
        slot = AvailabilitySlot.objects.select_for_update().get(pk=slot.pk)
        if slot.mentor_id != mentor.pk or slot.program_id != program.pk:
            raise BadRequest(_("That slot is not one of this mentor's."))
        _check_notice(settings=settings, starts_at=slot.starts_at, now=now)
        if (
            _slot_is_booked(slot)
            or _overlapping_meetings(
                mentor_id=mentor.pk, starts_at=slot.starts_at, ends_at=slot.ends_at
            ).exists()
        ):
            raise SlotTaken(
                _("Sorry, someone booked this slot just before you; please pick another time.")
            )
        starts_at, ends_at = slot.starts_at, slot.ends_at
        times: list[datetime] = []
    else:
        times = sorted(set(proposed_starts))
        if not times:
            raise BadRequest(_("Pick an open slot or propose at least one time."))
        if len(times) > MAX_PROPOSED_TIMES:
            raise BadRequest(_("Propose at most %(count)s times.") % {"count": MAX_PROPOSED_TIMES})
        for proposed in times:
            _check_notice(settings=settings, starts_at=proposed, now=now)
        starts_at = ends_at = None

    pending = FlashMeeting.objects.filter(
        program=program, mentee=mentee, status=FlashMeeting.Status.REQUESTED
    ).count()
    if pending >= settings.max_pending_meeting_requests_per_mentee:
        raise PendingLimitReached(
            _(
                "You already have %(count)s meeting requests waiting for an answer, the most "
                "this program allows; withdraw one or wait for an answer."
            )
            % {"count": pending}
        )
    month = _month_of(mentor=mentor, starts_at=starts_at or times[0])
    _check_monthly_limit(mentor_membership=mentor_membership, month=month)

    try:
        with transaction.atomic():
            meeting = FlashMeeting.objects.create(
                program=program,
                mentor=mentor,
                mentee=mentee,
                topic=topic,
                message=message.strip(),
                slot=slot,
                starts_at=starts_at,
                ends_at=ends_at,
                counts_in_month=month,
                # Unanswered, it expires after the program's delay, or when its last
                # possible time starts, whichever comes first.
                expires_at=min(
                    now + timedelta(days=settings.meeting_request_expiry_days),
                    starts_at or times[-1],
                ),
            )
    except IntegrityError as error:  # the partial unique constraint on slot
        raise SlotTaken(
            _("Sorry, someone booked this slot just before you; please pick another time.")
        ) from error
    ProposedTime.objects.bulk_create(
        ProposedTime(meeting=meeting, starts_at=proposed, ends_at=proposed + length)
        for proposed in times
    )
    _notify(
        kind="flash_meeting_requested",
        meeting=meeting,
        recipient=mentor,
        dedupe_key=f"flash-requested:{meeting.pk}",
        extra={
            "message": meeting.message,
            "proposed_times": [
                format_for(mentor, proposed, proposed + length) for proposed in times
            ],
        },
    )
    return meeting


def _schedule(
    *,
    meeting: FlashMeeting,
    mentor_membership: Membership,
    starts_at: datetime,
    ends_at: datetime,
    keep_slot: bool,
) -> None:
    now = timezone.now()
    if starts_at <= now:
        raise TooSoon(_("That time has already passed; propose another time instead."))
    if (
        _overlapping_meetings(mentor_id=meeting.mentor_id, starts_at=starts_at, ends_at=ends_at)
        .exclude(pk=meeting.pk)
        .exists()
    ):
        raise SlotOverlap(
            _("%(name)s already has a meeting at that time; propose another time instead.")
            % {"name": meeting.mentor.name}
        )
    month = _month_of(mentor=meeting.mentor, starts_at=starts_at)
    if month != meeting.counts_in_month:
        _check_monthly_limit(
            mentor_membership=mentor_membership, month=month, exclude_pk=meeting.pk
        )
    meeting.status = FlashMeeting.Status.SCHEDULED
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.counts_in_month = month
    meeting.responded_at = now
    meeting.expires_at = None
    if not keep_slot:
        meeting.slot = None
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as error:  # PostgreSQL's no-overlap exclusion constraint
        raise SlotOverlap(
            _("%(name)s already has a meeting at that time; propose another time instead.")
            % {"name": meeting.mentor.name}
        ) from error
    attachment = ics_attachment(meeting)
    for recipient in (meeting.mentee, meeting.mentor):
        _notify(
            kind="flash_meeting_accepted",
            meeting=meeting,
            recipient=recipient,
            dedupe_key=f"flash-accepted:{meeting.pk}:{recipient.pk}",
            attachments=[attachment],
        )


def _require_pending(meeting: FlashMeeting) -> None:
    if meeting.status != FlashMeeting.Status.REQUESTED:
        raise InvalidTransition(
            _("This request has already been answered (it is now %(status)s).")
            % {"status": meeting.get_status_display().lower()}
        )


@transaction.atomic
def flash_meeting_accept(
    *,
    meeting: FlashMeeting,
    actor: User,
    proposed_time: ProposedTime | None = None,
    location: str = "",
    video_url: str = "",
) -> FlashMeeting:
    """The mentor accepts: the slot asked for, or one of the proposed times."""
    if actor.pk != meeting.mentor_id:
        raise NotAllowed(_("Only the mentor can accept this request."))
    mentor_membership = _active_membership(
        program=meeting.program, user=actor, role=Membership.Role.MENTOR, lock=True
    )
    locked = _lock_meeting(meeting)
    _require_pending(locked)
    if proposed_time is not None:
        if proposed_time.meeting_id != locked.pk:
            raise BadRequest(_("That time was not proposed for this meeting."))
        starts_at, ends_at, keep_slot = proposed_time.starts_at, proposed_time.ends_at, False
    elif locked.slot_id and locked.starts_at:
        starts_at, ends_at, keep_slot = locked.starts_at, locked.ends_at, True
    else:
        raise BadRequest(_("Please choose one of the proposed times."))
    locked.location = location.strip() or locked.location
    locked.video_url = video_url.strip() or locked.video_url
    _schedule(
        meeting=locked,
        mentor_membership=mentor_membership,
        starts_at=starts_at,
        ends_at=ends_at,
        keep_slot=keep_slot,
    )
    _sync(meeting, locked)
    return locked


@transaction.atomic
def flash_meeting_propose_time(
    *,
    meeting: FlashMeeting,
    actor: User,
    starts_at: datetime,
    location: str = "",
    video_url: str = "",
) -> ProposedTime:
    """The mentor proposes another time; the mentee may accept it."""
    if actor.pk != meeting.mentor_id:
        raise NotAllowed(_("Only the mentor can propose another time."))
    _active_membership(program=meeting.program, user=actor, role=Membership.Role.MENTOR, lock=True)
    locked = _lock_meeting(meeting)
    _require_pending(locked)
    settings = _matching_settings(locked.program)
    now = timezone.now()
    _check_notice(settings=settings, starts_at=starts_at, now=now)
    ends_at = starts_at + timedelta(minutes=settings.meeting_length_minutes)
    if _overlapping_meetings(mentor_id=actor.pk, starts_at=starts_at, ends_at=ends_at).exists():
        raise SlotOverlap(_("You already have a meeting at that time; pick another time."))
    locked.proposed_times.filter(by_mentor=True).delete()
    proposal = ProposedTime.objects.create(
        meeting=locked, starts_at=starts_at, ends_at=ends_at, by_mentor=True
    )
    locked.counter_proposed_at = now
    locked.expires_at = max(
        locked.expires_at or now,
        min(now + timedelta(days=settings.meeting_request_expiry_days), starts_at),
    )
    locked.location = location.strip() or locked.location
    locked.video_url = video_url.strip() or locked.video_url
    locked.save()
    _notify(
        kind="flash_meeting_time_proposed",
        meeting=locked,
        recipient=locked.mentee,
        dedupe_key=f"flash-proposed:{proposal.pk}",
        extra={"proposed_when": format_for(locked.mentee, starts_at, ends_at)},
    )
    _sync(meeting, locked)
    return proposal


@transaction.atomic
def flash_meeting_accept_proposal(
    *, meeting: FlashMeeting, actor: User, proposed_time: ProposedTime
) -> FlashMeeting:
    """The mentee accepts the time the mentor proposed."""
    if actor.pk != meeting.mentee_id:
        raise NotAllowed(_("Only the mentee can accept a time the mentor proposed."))
    mentor_membership = _active_membership(
        program=meeting.program, user=meeting.mentor, role=Membership.Role.MENTOR, lock=True
    )
    _active_membership(program=meeting.program, user=actor, role=Membership.Role.MENTEE)
    locked = _lock_meeting(meeting)
    _require_pending(locked)
    if proposed_time.meeting_id != locked.pk or not proposed_time.by_mentor:
        raise BadRequest(_("That time was not proposed by the mentor."))
    _schedule(
        meeting=locked,
        mentor_membership=mentor_membership,
        starts_at=proposed_time.starts_at,
        ends_at=proposed_time.ends_at,
        keep_slot=False,
    )
    _sync(meeting, locked)
    return locked


@transaction.atomic
def flash_meeting_decline(*, meeting: FlashMeeting, actor: User, reason: str) -> FlashMeeting:
    if actor.pk != meeting.mentor_id:
        raise NotAllowed(_("Only the mentor can decline this request."))
    reason = reason.strip()
    if not reason:
        raise BadRequest(_("Please give the mentee a short reason."))
    _active_membership(program=meeting.program, user=actor, role=Membership.Role.MENTOR, lock=True)
    locked = _lock_meeting(meeting)
    _require_pending(locked)
    locked.status = FlashMeeting.Status.DECLINED
    locked.decline_reason = reason
    locked.responded_at = timezone.now()
    locked.save()
    _notify(
        kind="flash_meeting_declined",
        meeting=locked,
        recipient=locked.mentee,
        dedupe_key=f"flash-declined:{locked.pk}",
        extra={"reason": reason},
    )
    _sync(meeting, locked)
    return locked


@transaction.atomic
def flash_meeting_withdraw(*, meeting: FlashMeeting, actor: User) -> FlashMeeting:
    if actor.pk != meeting.mentee_id:
        raise NotAllowed(_("Only the mentee who asked can withdraw this request."))
    _active_membership(program=meeting.program, user=actor, role=Membership.Role.MENTEE)
    locked = _lock_meeting(meeting)
    _require_pending(locked)
    locked.status = FlashMeeting.Status.WITHDRAWN
    locked.save()
    _notify(
        kind="flash_meeting_withdrawn",
        meeting=locked,
        recipient=locked.mentor,
        dedupe_key=f"flash-withdrawn:{locked.pk}",
    )
    _sync(meeting, locked)
    return locked


@transaction.atomic
def flash_meeting_cancel(*, meeting: FlashMeeting, actor: User, message: str) -> FlashMeeting:
    """Either side cancels a scheduled meeting before it starts, with a message."""
    if actor.pk not in (meeting.mentor_id, meeting.mentee_id):
        raise NotAllowed(_("Only the mentor or the mentee can cancel this meeting."))
    message = message.strip()
    if not message:
        raise BadRequest(_("Please add a short message for the other person."))
    role = Membership.Role.MENTOR if actor.pk == meeting.mentor_id else Membership.Role.MENTEE
    _active_membership(program=meeting.program, user=actor, role=role)
    locked = _lock_meeting(meeting)
    if locked.status != FlashMeeting.Status.SCHEDULED:
        raise InvalidTransition(_("Only a scheduled meeting can be cancelled."))
    if locked.has_started():
        raise InvalidTransition(
            _("This meeting has already started, so it can no longer be cancelled.")
        )
    locked.status = FlashMeeting.Status.CANCELLED
    locked.cancel_message = message
    locked.cancelled_by = actor
    locked.ics_sequence += 1
    locked.save()
    attachment = ics_attachment(locked)
    for recipient in (locked.mentee, locked.mentor):
        _notify(
            kind="flash_meeting_cancelled",
            meeting=locked,
            recipient=recipient,
            dedupe_key=f"flash-cancelled:{locked.pk}:{recipient.pk}",
            extra={
                "cancel_message": message,
                "cancelled_by_name": actor.name,
                "cancelled_by_you": recipient.pk == actor.pk,
            },
            attachments=[attachment],
        )
    _sync(meeting, locked)
    return locked


# --- after the meeting (called by the follow-up / post-meeting issue too) ----------


@transaction.atomic
def flash_meeting_record_not_held(*, meeting: FlashMeeting, actor: User) -> FlashMeeting:
    """The mentor or the mentee records that an over meeting did not happen.

    scheduled/completed → did_not_happen; a repeat changes nothing.
    """
    if actor.pk not in (meeting.mentor_id, meeting.mentee_id):
        raise NotAllowed(_("Only the mentor or the mentee can record this."))
    locked = _lock_meeting(meeting)
    if locked.status == FlashMeeting.Status.DID_NOT_HAPPEN:
        _sync(meeting, locked)
        return locked
    if locked.status not in FlashMeeting.HELD_STATUSES:
        raise InvalidTransition(_("Only a scheduled meeting can be recorded as not held."))
    if not locked.is_over():
        raise InvalidTransition(
            _("You can record that the meeting did not happen once its end time has passed.")
        )
    locked.status = FlashMeeting.Status.DID_NOT_HAPPEN
    locked.outcome_recorded_at = timezone.now()
    locked.outcome_recorded_by = actor
    locked.save()
    _sync(meeting, locked)
    return locked


@transaction.atomic
def flash_meeting_complete(*, meeting: FlashMeeting, actor: User | None = None) -> FlashMeeting:
    """Record that an over meeting took place: scheduled → completed; a repeat changes
    nothing."""
    if actor is not None and actor.pk not in (meeting.mentor_id, meeting.mentee_id):
        raise NotAllowed(_("Only the mentor or the mentee can record this."))
    locked = _lock_meeting(meeting)
    if locked.status == FlashMeeting.Status.COMPLETED:
        _sync(meeting, locked)
        return locked
    if locked.status != FlashMeeting.Status.SCHEDULED or not locked.is_over():
        raise InvalidTransition(
            _("Only a scheduled meeting whose end time has passed can be marked as held.")
        )
    locked.status = FlashMeeting.Status.COMPLETED
    locked.outcome_recorded_at = timezone.now()
    locked.outcome_recorded_by = actor
    locked.save()
    _sync(meeting, locked)
    return locked


# --- periodic jobs (idempotent: conditional updates and stamps) ---------------------


def flash_meetings_expire_requests(*, now: datetime | None = None) -> int:
    """Expire unanswered requests past their ``expires_at``; tell the mentee once."""
    now = now or timezone.now()
    due = FlashMeeting.objects.filter(
        status=FlashMeeting.Status.REQUESTED, expires_at__lte=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = FlashMeeting.objects.filter(
                pk=pk, status=FlashMeeting.Status.REQUESTED, expires_at__lte=now
            ).update(status=FlashMeeting.Status.EXPIRED, updated_at=now)
            if not claimed:
                continue
            meeting = FlashMeeting.objects.select_related("program", "mentor", "mentee").get(pk=pk)
            _notify(
                kind="flash_meeting_expired",
                meeting=meeting,
                recipient=meeting.mentee,
                dedupe_key=f"flash-expired:{pk}",
            )
            expired += 1
    return expired


def flash_meetings_send_reminders(*, now: datetime | None = None) -> int:
    """Remind both people once, within ``REMINDER_LEAD`` before a scheduled start."""
    now = now or timezone.now()
    due = FlashMeeting.objects.filter(
        status=FlashMeeting.Status.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_LEAD,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = FlashMeeting.objects.filter(
                pk=pk, status=FlashMeeting.Status.SCHEDULED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            meeting = FlashMeeting.objects.select_related("program", "mentor", "mentee").get(pk=pk)
            for recipient in (meeting.mentee, meeting.mentor):
                _notify(
                    kind="flash_meeting_reminder",
                    meeting=meeting,
                    recipient=recipient,
                    dedupe_key=f"flash-reminder:{pk}:{recipient.pk}",
                )
            sent += 1
    return sent


def flash_meetings_send_follow_ups(*, now: datetime | None = None) -> int:
    """Once a meeting is over, send its mentee the follow-up email, once."""
    now = now or timezone.now()
    due = FlashMeeting.objects.filter(
        status__in=FlashMeeting.HELD_STATUSES, ends_at__lte=now, follow_up_sent_at__isnull=True
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = FlashMeeting.objects.filter(
                Q(status__in=FlashMeeting.HELD_STATUSES),
                pk=pk,
                follow_up_sent_at__isnull=True,
            ).update(follow_up_sent_at=now)
            if not claimed:
                continue
            meeting = FlashMeeting.objects.select_related("program", "mentor", "mentee").get(pk=pk)
            _notify(
                kind="flash_meeting_follow_up",
                meeting=meeting,
                recipient=meeting.mentee,
                dedupe_key=f"flash-follow-up:{pk}",
            )
            sent += 1
    return sent
