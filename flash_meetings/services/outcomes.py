"""A scheduled meeting's end: cancelled before it starts (either side), or, once over,
recorded as held (completed) or not held (did_not_happen)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings.errors import BadRequest, InvalidTransition, NotAllowed
from flash_meetings.ics import ics_attachment
from flash_meetings.models import FlashMeeting
from flash_meetings.services.common import (
    active_membership,
    copy_fields,
    lock_meeting,
    notify_about,
)
from mentoring.models import Membership, User
from webhooks.services import webhook_emit


@transaction.atomic
def flash_meeting_cancel(*, meeting: FlashMeeting, actor: User, message: str) -> FlashMeeting:
    """Either side cancels a scheduled meeting before it starts, with a message."""
    if actor.pk not in (meeting.mentor_id, meeting.mentee_id):
        raise NotAllowed(_("Only the mentor or the mentee can cancel this meeting."))
    message = message.strip()
    if not message:
        raise BadRequest(_("Please add a short message for the other person."))
    role = Membership.Role.MENTOR if actor.pk == meeting.mentor_id else Membership.Role.MENTEE
    active_membership(program=meeting.program, user=actor, role=role)
    locked = lock_meeting(meeting)
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
    webhook_emit(event="flash_meeting.cancelled", instance=locked)
    for recipient in (locked.mentee, locked.mentor):
        notify_about(
            kind="flash_meeting_cancelled",
            meeting=locked,
            recipient=recipient,
            dedupe_key=f"flash-cancelled:{locked.pk}:{recipient.pk}",
            extra={
                "cancel_message": message,
                "cancelled_by_name": actor.name,
                "cancelled_by_you": recipient.pk == actor.pk,
            },
            attachments=[ics_attachment(locked, for_person=recipient)],
        )
    copy_fields(meeting, locked)
    return locked


@transaction.atomic
def flash_meeting_record_not_held(*, meeting: FlashMeeting, actor: User) -> FlashMeeting:
    """The mentor or the mentee records that an over meeting did not happen.

    scheduled/completed → did_not_happen; a repeat changes nothing.
    """
    if actor.pk not in (meeting.mentor_id, meeting.mentee_id):
        raise NotAllowed(_("Only the mentor or the mentee can record this."))
    locked = lock_meeting(meeting)
    if locked.status == FlashMeeting.Status.DID_NOT_HAPPEN:
        copy_fields(meeting, locked)
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
    copy_fields(meeting, locked)
    return locked


@transaction.atomic
def flash_meeting_complete(*, meeting: FlashMeeting, actor: User | None = None) -> FlashMeeting:
    """Record that an over meeting took place: scheduled → completed; a repeat changes
    nothing."""
    if actor is not None and actor.pk not in (meeting.mentor_id, meeting.mentee_id):
        raise NotAllowed(_("Only the mentor or the mentee can record this."))
    locked = lock_meeting(meeting)
    if locked.status == FlashMeeting.Status.COMPLETED:
        copy_fields(meeting, locked)
        return locked
    if locked.status != FlashMeeting.Status.SCHEDULED or not locked.is_over():
        raise InvalidTransition(
            _("Only a scheduled meeting whose end time has passed can be marked as held.")
        )
    locked.status = FlashMeeting.Status.COMPLETED
    locked.outcome_recorded_at = timezone.now()
    locked.outcome_recorded_by = actor
    locked.save()
    copy_fields(meeting, locked)
    return locked
