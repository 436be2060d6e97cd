"""A mentor's availability: open slots (single or weekly, in the mentor's own zone) and
remove an unbooked one."""

from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings.errors import BadRequest, NotAllowed, SlotOverlap, SlotTaken, TooSoon
from flash_meetings.models import AvailabilitySlot
from flash_meetings.services.common import (
    active_membership,
    check_offers_one_time,
    matching_settings_of,
    overlapping_meetings,
    slot_is_booked,
)
from flash_meetings.timezones import format_for, make_aware_in, zone_of
from mentoring.models import Membership, User

MAX_REPEAT_WEEKS = 12


@transaction.atomic
def availability_slots_create(
    *, membership: Membership, day: date, at: time, repeat_weeks: int = 0
) -> list[AvailabilitySlot]:
    """Open one slot at ``at`` on ``day`` in the mentor's own zone, and the same
    wall-clock time on the ``repeat_weeks`` following weeks (correct across DST)."""
    if membership.role != Membership.Role.MENTOR:
        raise NotAllowed(_("Only mentors publish availability."))
    membership = active_membership(
        program=membership.program, user=membership.user, role=Membership.Role.MENTOR, lock=True
    )
    settings = matching_settings_of(membership.program)
    check_offers_one_time(settings=settings, membership=membership)
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
            or overlapping_meetings(
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
    active_membership(program=slot.program, user=actor, role=Membership.Role.MENTOR, lock=True)
    slot = AvailabilitySlot.objects.select_for_update().get(pk=slot.pk)
    if slot_is_booked(slot):
        raise SlotTaken(
            _("This slot has a meeting request or meeting; answer or cancel that instead.")
        )
    slot.delete()
