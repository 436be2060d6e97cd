"""The post-meeting follow-up: what the mentee chose after a flash meeting.

DESIGN.md, "Post-meeting follow-up page". The mentee picks one of three choices; the
first ("yes") turns the meeting into an ongoing connection (forced-connection policy)
or into a connection request (connection-request policy) through the very services the
Connect button uses. The offer is re-decided inside the transaction that holds the
mentor's membership lock, so a slot taken or a policy switched since the page was
loaded is noticed here, never half-applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings import selectors
from flash_meetings.errors import (
    FollowUpAlreadyAnswered,
    FollowUpError,
    FollowUpNotOpen,
    OfferChanged,
    OfferNoLongerAvailable,
)
from flash_meetings.models import FlashMeeting
from matching import eligibility
from matching.models import Connection, ConnectionRequest
from matching.services import connection_create, connection_request_create
from mentoring.models import User
from notifications.services import notify
from webhooks.services import webhook_emit

Choice = FlashMeeting.FollowUpChoice


@dataclass(frozen=True)
class FollowUpResult:
    choice: str
    repeated: bool
    meeting: FlashMeeting  # as locked and answered, with its program, mentor and mentee
    connection: Connection | None = None
    request: ConnectionRequest | None = None


def default_request_message(meeting: FlashMeeting) -> str:
    return _(
        "Thank you for our flash meeting about “%(topic)s”. I would like to continue with "
        "you as my mentor in ongoing mentoring."
    ) % {"topic": meeting.topic}


def _lock(meeting: FlashMeeting, mentee: User) -> selectors.FollowUpRead:
    # The meeting row serialises answers to this follow-up (double submits). The mentor's
    # terms and the pair's counts come in the same statement: a first check, as of that
    # statement (on PostgreSQL, as of its start if it had to wait for another answer to
    # this meeting, which then leaves the meeting answered). The mentor's slots and a
    # mentor's recent decline are guarded where they are used: connection_create and
    # connection_request_create lock the pair's memberships (as a decline does) and
    # re-count in new statements, so a decline committed before they lock is respected
    # and one that comes later waits for them (tests/follow_up/test_race.py).
    read = selectors.follow_up_meeting(
        meeting_id=meeting.pk, mentee_id=meeting.mentee_id, for_update=True
    )
    if read is None:
        raise FlashMeeting.DoesNotExist("No such meeting for this mentee.")
    read.meeting.mentee = mentee  # the caller checked it is the meeting's mentee
    return read


@transaction.atomic
def follow_up_answer(
    *,
    meeting: FlashMeeting,
    actor: User,
    choice: str,
    message: str = "",
    expected_policy: str = "",
) -> FollowUpResult:
    """The mentee answers the follow-up. A repeat of the same choice changes nothing.

    ``meeting`` may be a stub carrying only ``pk`` and ``mentee_id`` (the page's POST
    passes one: the locked read below is the only one it needs); a meeting that is not
    that mentee's raises ``FlashMeeting.DoesNotExist``.

    ``expected_policy`` is the policy the page showed; if the program has switched it
    since, "yes" is refused with an explanation rather than silently meaning something
    else.
    """
    if actor.pk != meeting.mentee_id:
        raise FollowUpError(_("Only the mentee of this meeting can answer its follow-up."))
    if choice not in Choice.values:
        raise FollowUpError(_("Please pick one of the choices offered."))
    read = _lock(meeting, actor)
    locked = read.meeting
    mentor = locked.mentor
    if locked.follow_up_choice:
        if locked.follow_up_choice == choice:
            return FollowUpResult(choice=choice, repeated=True, meeting=locked)
        raise FollowUpAlreadyAnswered(
            _("You already answered this follow-up: %(choice)s.")
            % {"choice": Choice(locked.follow_up_choice).label}
        )
    now = timezone.now()
    if not locked.has_ended(now):
        raise FollowUpNotOpen(
            _("This meeting can be followed up once it has taken place.")
            if locked.status in FlashMeeting.ENDED_STATUSES
            else _("This meeting did not take place, so there is nothing to follow up.")
        )
    decision = eligibility.for_meeting(
        meeting=locked, viewer=actor, now=now, terms=read.mentor_terms
    )

    connection = request = None
    if choice == Choice.CONNECT:
        if not decision.offered:
            raise OfferNoLongerAvailable(
                decision.mentee_message
                or _("Ongoing mentoring with %(mentor)s is not offered any more.")
                % {"mentor": mentor.name},
                code=decision.reason.value if decision.reason else "",
            )
        if expected_policy and expected_policy != decision.policy:
            raise OfferChanged(
                _(
                    "The program has just changed what happens when you say yes: %(now)s. "
                    "Please choose again."
                )
                % {
                    "now": _("you and %(mentor)s are connected at once")
                    if decision.is_forced_connection
                    else _("%(mentor)s receives a request to accept")
                }
                % {"mentor": mentor.name}
            )
        if decision.is_forced_connection:
            connection = connection_create(
                program=locked.program,
                mentor=mentor,
                mentee=locked.mentee,
                origin=Connection.Origin.FLASH_MEETING,
                flash_meeting=locked,
                actor=actor,
                send_emails=False,  # the flash-meeting emails below say more
            )
            _notify_forced_connection(meeting=locked, connection=connection)
        else:
            request = connection_request_create(
                program=locked.program,
                mentor=mentor,
                mentee=locked.mentee,
                message=message.strip() or default_request_message(locked),
                origin=ConnectionRequest.Origin.FLASH_MEETING,
                flash_meeting=locked,
            )
    # The meeting's row is locked: record the outcome and the answer in one UPDATE
    # (scheduled → completed, or → did_not_happen; a recorded outcome stays).
    status = locked.status
    if choice == Choice.DID_NOT_HAPPEN:
        status = FlashMeeting.Status.DID_NOT_HAPPEN
    elif status == FlashMeeting.Status.SCHEDULED:
        status = FlashMeeting.Status.COMPLETED
    changes = {
        "follow_up_choice": choice,
        "follow_up_answered_at": now,
        "status": status,
        # What the page offered when the mentee answered (the same decision, re-made
        # under the lock): offer shown, or the reason not.
        "follow_up_offer_shown": decision.offered,
        "follow_up_offer_reason": decision.reason.value if decision.reason else "",
        "follow_up_policy": decision.policy,
        "follow_up_offer_recorded_at": now,
    }
    if status != locked.status:
        changes.update(outcome_recorded_at=now, outcome_recorded_by=actor)
    FlashMeeting.objects.filter(pk=locked.pk).update(**changes)
    for target in (meeting, locked):
        for name, value in changes.items():
            setattr(target, name, value)
    webhook_emit(
        event="follow_up.answered",
        instance=locked,
        # Read with the meeting, under its lock, a moment ago: no query of its own.
        program_has_endpoints=read.program_has_endpoints,
        extra={
            "connection_id": connection.pk if connection else None,
            "connection_request_id": request.pk if request else None,
        },
    )
    return FollowUpResult(
        choice=choice, repeated=False, meeting=locked, connection=connection, request=request
    )


def _notify_forced_connection(*, meeting: FlashMeeting, connection: Connection) -> None:
    context = {
        "meeting_topic": meeting.topic,
        "meeting_date": meeting.starts_at.date().isoformat() if meeting.starts_at else "",
        "connection_path": reverse("portal:connection_detail", args=[connection.pk]),
        "dashboard_path": reverse("portal:dashboard"),
    }
    notify(
        kind="flash_connection_created_mentor",
        recipient=meeting.mentor,
        program=meeting.program,
        context={**context, "mentee_name": meeting.mentee.name},
        dedupe_key=f"flash-connection-created:{meeting.pk}:mentor",
    )
    notify(
        kind="flash_connection_created_mentee",
        recipient=meeting.mentee,
        program=meeting.program,
        context={**context, "mentor_name": meeting.mentor.name},
        dedupe_key=f"flash-connection-created:{meeting.pk}:mentee",
    )
