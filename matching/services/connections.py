"""Ongoing connections: made directly (the program team, Preferred Mentoring, the
post-meeting forced connection) and ended by either party or the program team."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import capacity, refusals
from matching.models import Connection, ConnectionExtension, ConnectionRequest
from matching.services.pairs import (
    close_other_requests_if_mentee_full,
    connection_check_in_on,
    connection_ends_on,
    copy_fields,
    email_paths,
    is_active,
    lock_pair,
    mentor_limit_of,
    offers_ongoing,
    refuse_unless_meeting_of_pair,
)
from mentoring.errors import IllegalTransition, InvalidInput, NotAllowed
from mentoring.inserts import insert_unless_conflict
from mentoring.models import Program, User
from notifications.services import notify
from webhooks.services import webhook_emit

Status = ConnectionRequest.Status


@transaction.atomic
def connection_create(
    *,
    program: Program,
    mentor: User,
    mentee: User,
    origin: str,
    flash_meeting: object | None = None,
    actor: User | None = None,
    send_emails: bool = True,
) -> Connection:
    """Connect a mentor and a mentee directly (admin action, Preferred Mentoring, the
    post-meeting forced connection). A pending request of the same pair closes (its held
    slot becomes the connection); capacity and mentee limits hold as for requests, and a
    post-meeting forced connection respects the mentor's decline within the cool-off and
    the mentor's pause."""
    names = {"mentor_name": mentor.name, "mentee_name": mentee.name}
    if mentor.pk == mentee.pk:
        raise refusals.for_pair(capacity.OWN_PROFILE, **names)
    refuse_unless_meeting_of_pair(
        from_meeting=origin == Connection.Origin.FLASH_MEETING,
        flash_meeting=flash_meeting,
        program=program,
        mentor=mentor,
        mentee=mentee,
    )
    locked = lock_pair(program=program, mentor=mentor, mentee=mentee)
    if not (program.active and locked.settings.ongoing_enabled):
        raise refusals.for_pair(capacity.ONGOING_OFF, **names)
    if not is_active(locked.mentor_membership):
        raise refusals.for_pair(capacity.MENTOR_INACTIVE, **names)
    if not is_active(locked.mentee_membership):
        raise refusals.for_pair(capacity.NOT_A_MENTEE, **names)
    if not offers_ongoing(locked):
        raise refusals.for_pair(capacity.MENTOR_NOT_ONGOING, **names)
    counts = capacity.pair_counts(program_id=program.pk, mentor_id=mentor.pk, mentee_id=mentee.pk)
    if origin == Connection.Origin.FLASH_MEETING and capacity.declined_within_cooldown(
        last_declined_at=counts.pair_last_declined_at,
        cooldown_days=locked.settings.decline_cooldown_days,
        now=timezone.now(),
    ):
        # The mentee's own "yes" after a flash meeting never overrides the mentor's recent
        # no (the program team's connections may). Counted under the pair's lock, which a
        # decline takes too: whichever comes second sees the other.
        raise refusals.for_mentee(capacity.MENTOR_DECLINED, mentor_name=mentor.name)
    paused_until = locked.mentor_membership.paused_until
    if origin == Connection.Origin.FLASH_MEETING and capacity.mentor_paused(
        paused_until=paused_until, now=timezone.now()
    ):
        # Nor does it override the mentor's pause (read under the same lock the
        # participation page's changes take); the program team's connections may.
        raise refusals.for_mentee(
            capacity.MENTOR_PAUSED, mentor_name=mentor.name, paused_until=paused_until
        )
    if counts.pair_active:
        raise refusals.for_pair(capacity.ALREADY_CONNECTED, **names)
    for decision in (
        # The pair's own pending request (if any) already holds a slot for them.
        capacity.mentor_has_free_slot(
            slots_used=counts.mentor_slots_used - counts.pair_pending, limit=mentor_limit_of(locked)
        ),
        capacity.mentee_may_connect(
            active_connections=counts.mentee_active,
            limit=locked.settings.max_ongoing_mentors_per_mentee,
        ),
    ):
        if not decision:
            raise refusals.for_pair(decision.reason, **names)
    now = timezone.now()
    if counts.pair_pending:
        ConnectionRequest.objects.filter(
            program=program, mentor=mentor, mentee=mentee, status=Status.PENDING
        ).update(
            status=Status.CLOSED,
            close_reason=ConnectionRequest.CloseReason.CONNECTED,
            responded_at=now,
        )
    ends_on = connection_ends_on(settings=locked.settings, started_at=now)
    connection = Connection(
        program=program,
        mentor=mentor,
        mentee=mentee,
        origin=origin,
        flash_meeting=flash_meeting,
        started_at=now,
        ends_on=ends_on,
        check_in_on=connection_check_in_on(started_at=now, ends_on=ends_on),
    )
    # The constraint (one active connection per pair) is the last defence behind the
    # lock and the counts: a row it refuses is simply not inserted (no savepoint).
    if not insert_unless_conflict(connection):
        raise refusals.for_pair(capacity.ALREADY_CONNECTED, **names)
    webhook_emit(event="connection.created", instance=connection)
    if send_emails:
        path = reverse("portal:connection_detail", args=[connection.pk])
        for recipient, other, role in ((mentor, mentee, "mentor"), (mentee, mentor, "mentee")):
            notify(
                kind="connection_created",
                recipient=recipient,
                program=program,
                context={
                    "other_name": other.name,
                    "role": role,
                    "connection_path": path,
                    **email_paths(),
                },
                dedupe_key=f"conn-created:{connection.pk}:{role}",
            )
    close_other_requests_if_mentee_full(
        program=program,
        mentee=mentee,
        settings=locked.settings,
        now=now,
        active_after=counts.mentee_active + 1,
        others_pending=counts.mentee_pending - counts.pair_pending,
    )
    return connection


@transaction.atomic
def connection_end(*, connection: Connection, actor: User, reason: str) -> Connection:
    """Either side (or a staff member) ends a connection; its slot is free at once."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say in a few words why the connection ends."))
    if len(reason) > 500:
        raise InvalidInput(_("Keep the reason under 500 characters."))
    is_party = actor.pk in (connection.mentor_id, connection.mentee_id)
    if not (is_party or actor.is_staff):
        raise NotAllowed(_("Only the mentor or the mentee can end this connection."))
    current = (
        Connection.objects.select_for_update(of=("self",))
        .select_related("program", "mentor", "mentee")
        .get(pk=connection.pk)
    )
    if current.status != Connection.Status.ACTIVE:
        raise IllegalTransition(_("This connection has already ended."))
    current.status = Connection.Status.ENDED
    current.ended_at = timezone.now()
    current.ended_by = actor
    current.end_reason = reason
    current.end_cause = Connection.EndCause.ENDED_EARLY
    current.save(update_fields=["status", "ended_at", "ended_by", "end_reason", "end_cause"])
    copy_fields(
        connection, current, ["status", "ended_at", "ended_by_id", "end_reason", "end_cause"]
    )
    # An extension nobody answered has nothing left to extend.
    current.extensions.filter(status=ConnectionExtension.Status.PENDING).update(
        status=ConnectionExtension.Status.WITHDRAWN, responded_at=current.ended_at
    )
    webhook_emit(event="connection.ended", instance=current)
    recipients = [person for person in (current.mentor, current.mentee) if person.pk != actor.pk]
    for recipient in recipients:
        other = current.mentee if recipient.pk == current.mentor_id else current.mentor
        notify(
            kind="connection_ended",
            recipient=recipient,
            program=current.program,
            context={
                "other_name": other.name,
                "ended_by_name": actor.name,
                "reason": reason,
                **email_paths(),
            },
            dedupe_key=f"conn-ended:{current.pk}:{recipient.pk}",
        )
    return current
