"""A meeting request and its answer: requested → scheduled (the slot, a proposed time, or
the mentor's counter-proposal accepted) | declined | withdrawn."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings.errors import (
    BadRequest,
    ConnectionNotOpen,
    InvalidTransition,
    NotAllowed,
    PendingLimitReached,
    SelfMeeting,
    SlotOverlap,
    SlotTaken,
    TooSoon,
)
from flash_meetings.ics import ics_attachment
from flash_meetings.models import AvailabilitySlot, FlashMeeting, ProposedTime
from flash_meetings.services.common import (
    active_membership,
    check_monthly_limit,
    check_notice,
    check_offers_one_time,
    copy_fields,
    lock_meeting,
    matching_settings_of,
    month_of,
    notify_about,
    overlapping_meetings,
    slot_is_booked,
)
from matching.models import Connection
from matching.services.pairs import lock_pair_memberships
from mentoring.models import Membership, User
from notifications import localized
from webhooks.services import webhook_emit

MAX_PROPOSED_TIMES = 3


def check_time_choice(*, slot_chosen: bool, proposed_count: int) -> None:
    """A request names an open slot or proposes times: one of the two, never both (the
    request form and the API check it with this before calling the service)."""
    if slot_chosen and proposed_count:
        raise BadRequest(_("Either pick an open slot or propose times, not both."))
    if not slot_chosen and not proposed_count:
        raise BadRequest(_("Pick an open slot or propose at least one time."))


@transaction.atomic
def flash_meeting_request(
    *,
    mentor_membership: Membership,
    mentee: User,
    topic: str,
    message: str = "",
    slot: AvailabilitySlot | None = None,
    proposed_starts: list[datetime] | tuple[datetime, ...] = (),
    connection: Connection | None = None,
) -> FlashMeeting:
    """A mentee asks a mentor for a flash meeting: an open slot, or up to three times.

    With ``connection``, a meeting within that ongoing connection (its mentee asks its
    mentor while it is active): the same request, but it counts against neither the
    pending nor the monthly one-time limit, needs no one-time offer, and never gets
    the follow-up."""
    program = mentor_membership.program
    mentor = mentor_membership.user
    if mentor.pk == mentee.pk:
        raise SelfMeeting(_("You cannot request a meeting with yourself."))
    check_time_choice(slot_chosen=slot is not None, proposed_count=len(proposed_starts))
    topic = topic.strip()
    if not topic:
        raise BadRequest(_("Please say what you would like to talk about."))
    # Lock both memberships in primary-key order (the order every write that locks
    # a mentor and a mentee uses, so no deadlock), then check them.
    lock_pair_memberships(program_id=program.pk, mentor_id=mentor.pk, mentee_id=mentee.pk)
    mentor_membership = active_membership(program=program, user=mentor, role=Membership.Role.MENTOR)
    active_membership(program=program, user=mentee, role=Membership.Role.MENTEE)
    settings = matching_settings_of(program)
    if connection is not None:
        connection = Connection.objects.select_for_update().get(pk=connection.pk)
        if (
            connection.mentee_id != mentee.pk
            or connection.mentor_id != mentor.pk
            or connection.program_id != program.pk
        ):
            raise ConnectionNotOpen(
                _("Only the mentee of this connection can ask its mentor for a meeting.")
            )
        if connection.status != Connection.Status.ACTIVE:
            raise ConnectionNotOpen(
                _("This connection has ended, so no new meetings can be requested in it.")
            )
    else:
        check_offers_one_time(settings=settings, membership=mentor_membership)
    now = timezone.now()
    length = timedelta(minutes=settings.meeting_length_minutes)

    if slot is not None:
        slot = AvailabilitySlot.objects.select_for_update().get(pk=slot.pk)
        if slot.mentor_id != mentor.pk or slot.program_id != program.pk:
            raise BadRequest(_("That slot is not one of this mentor's."))
        check_notice(settings=settings, starts_at=slot.starts_at, now=now)
        if (
            slot_is_booked(slot)
            or overlapping_meetings(
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
        if len(times) > MAX_PROPOSED_TIMES:
            raise BadRequest(_("Propose at most %(count)s times.") % {"count": MAX_PROPOSED_TIMES})
        for proposed in times:
            check_notice(settings=settings, starts_at=proposed, now=now)
        starts_at = ends_at = None

    pending = FlashMeeting.objects.filter(
        program=program,
        mentee=mentee,
        status=FlashMeeting.Status.REQUESTED,
        connection__isnull=True,
    ).count()
    if connection is None and pending >= settings.max_pending_meeting_requests_per_mentee:
        raise PendingLimitReached(
            _(
                "You already have %(count)s meeting requests waiting for an answer, the most "
                "this program allows; withdraw one or wait for an answer."
            )
            % {"count": pending}
        )
    # A meeting within a connection counts in no month (``counts_in_month`` stays null).
    month = None
    if connection is None:
        month = month_of(mentor=mentor, starts_at=starts_at or times[0])
        check_monthly_limit(mentor_membership=mentor_membership, month=month)

    try:
        with transaction.atomic():
            meeting = FlashMeeting.objects.create(
                program=program,
                mentor=mentor,
                mentee=mentee,
                connection=connection,
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
    notify_about(
        kind="flash_meeting_requested",
        meeting=meeting,
        recipient=mentor,
        dedupe_key=f"flash-requested:{meeting.pk}",
        extra={
            "message": meeting.message,
            "proposed_times": [localized.span(proposed, proposed + length) for proposed in times],
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
        overlapping_meetings(mentor_id=meeting.mentor_id, starts_at=starts_at, ends_at=ends_at)
        .exclude(pk=meeting.pk)
        .exists()
    ):
        raise SlotOverlap(
            _("%(name)s already has a meeting at that time; propose another time instead.")
            % {"name": meeting.mentor.name}
        )
    month = None
    if meeting.connection_id is None:  # a meeting in a connection counts in no month
        month = month_of(mentor=meeting.mentor, starts_at=starts_at)
        if month != meeting.counts_in_month:
            check_monthly_limit(
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
    webhook_emit(event="flash_meeting.scheduled", instance=meeting)
    for recipient in (meeting.mentee, meeting.mentor):
        notify_about(
            kind="flash_meeting_accepted",
            meeting=meeting,
            recipient=recipient,
            dedupe_key=f"flash-accepted:{meeting.pk}:{recipient.pk}",
            attachments=[ics_attachment(meeting, for_person=recipient)],
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
    mentor_membership = active_membership(
        program=meeting.program, user=actor, role=Membership.Role.MENTOR, lock=True
    )
    locked = lock_meeting(meeting)
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
    copy_fields(meeting, locked)
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
    active_membership(program=meeting.program, user=actor, role=Membership.Role.MENTOR, lock=True)
    locked = lock_meeting(meeting)
    _require_pending(locked)
    settings = matching_settings_of(locked.program)
    now = timezone.now()
    check_notice(settings=settings, starts_at=starts_at, now=now)
    ends_at = starts_at + timedelta(minutes=settings.meeting_length_minutes)
    if overlapping_meetings(mentor_id=actor.pk, starts_at=starts_at, ends_at=ends_at).exists():
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
    notify_about(
        kind="flash_meeting_time_proposed",
        meeting=locked,
        recipient=locked.mentee,
        dedupe_key=f"flash-proposed:{proposal.pk}",
        extra={"proposed_when": localized.span(starts_at, ends_at)},
    )
    copy_fields(meeting, locked)
    return proposal


@transaction.atomic
def flash_meeting_accept_proposal(
    *, meeting: FlashMeeting, actor: User, proposed_time: ProposedTime
) -> FlashMeeting:
    """The mentee accepts the time the mentor proposed."""
    if actor.pk != meeting.mentee_id:
        raise NotAllowed(_("Only the mentee can accept a time the mentor proposed."))
    mentor_membership = active_membership(
        program=meeting.program, user=meeting.mentor, role=Membership.Role.MENTOR, lock=True
    )
    active_membership(program=meeting.program, user=actor, role=Membership.Role.MENTEE)
    locked = lock_meeting(meeting)
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
    copy_fields(meeting, locked)
    return locked


@transaction.atomic
def flash_meeting_decline(*, meeting: FlashMeeting, actor: User, reason: str) -> FlashMeeting:
    if actor.pk != meeting.mentor_id:
        raise NotAllowed(_("Only the mentor can decline this request."))
    reason = reason.strip()
    if not reason:
        raise BadRequest(_("Please give the mentee a short reason."))
    active_membership(program=meeting.program, user=actor, role=Membership.Role.MENTOR, lock=True)
    locked = lock_meeting(meeting)
    _require_pending(locked)
    locked.status = FlashMeeting.Status.DECLINED
    locked.decline_reason = reason
    locked.responded_at = timezone.now()
    locked.save()
    notify_about(
        kind="flash_meeting_declined",
        meeting=locked,
        recipient=locked.mentee,
        dedupe_key=f"flash-declined:{locked.pk}",
        extra={"reason": reason},
    )
    copy_fields(meeting, locked)
    return locked


@transaction.atomic
def flash_meeting_withdraw(*, meeting: FlashMeeting, actor: User) -> FlashMeeting:
    if actor.pk != meeting.mentee_id:
        raise NotAllowed(_("Only the mentee who asked can withdraw this request."))
    active_membership(program=meeting.program, user=actor, role=Membership.Role.MENTEE)
    locked = lock_meeting(meeting)
    _require_pending(locked)
    locked.status = FlashMeeting.Status.WITHDRAWN
    locked.save()
    notify_about(
        kind="flash_meeting_withdrawn",
        meeting=locked,
        recipient=locked.mentor,
        dedupe_key=f"flash-withdrawn:{locked.pk}",
    )
    copy_fields(meeting, locked)
    return locked
