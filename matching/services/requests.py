"""Connection requests: the Connect button's request, the mentor's answer, the mentee's
withdrawal, and the periodic expiry (DESIGN.md, "State machines": pending → accepted |
declined | withdrawn | expired | closed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import capacity, refusals
from matching.models import Connection, ConnectionRequest, MatchingSettings
from matching.services.pairs import (
    close_other_requests_if_mentee_full,
    connection_check_in_on,
    connection_ends_on,
    copy_fields,
    email_paths,
    is_active,
    lock_pair,
    lock_pair_memberships,
    mentor_limit_of,
    refuse_unless_meeting_of_pair,
)
from mentoring.errors import IllegalTransition, InvalidInput, NotAllowed
from mentoring.inserts import insert_unless_conflict
from mentoring.models import Program, User
from notifications import localized
from notifications.services import notify
from webhooks.services import webhook_emit

Status = ConnectionRequest.Status


def _lock_request(request: ConnectionRequest) -> ConnectionRequest:
    return (
        ConnectionRequest.objects.select_for_update(of=("self",))
        .select_related("program", "mentor", "mentee")
        .get(pk=request.pk)
    )


def _refuse_unless_pending(request: ConnectionRequest, action: str) -> None:
    if request.status == Status.PENDING:
        return
    raise IllegalTransition(
        _("This request can't be %(action)s: it is already %(status)s.")
        % {"action": action, "status": str(request.get_status_display()).lower()}
    )


@transaction.atomic
def connection_request_create(
    *,
    program: Program,
    mentor: User,
    mentee: User,
    message: str,
    origin: str = ConnectionRequest.Origin.PROFILE,
    flash_meeting: object | None = None,
) -> ConnectionRequest:
    """A mentee asks a mentor for ongoing mentoring; the request holds one of the mentor's
    slots until it is answered, withdrawn or expires."""
    message = (message or "").strip()
    if not message:
        raise InvalidInput(_("Write a short message to the mentor."))
    refuse_unless_meeting_of_pair(
        from_meeting=origin == ConnectionRequest.Origin.FLASH_MEETING,
        flash_meeting=flash_meeting,
        program=program,
        mentor=mentor,
        mentee=mentee,
    )
    if len(message) > ConnectionRequest.MESSAGE_MAX_LENGTH:
        raise InvalidInput(
            _("Keep your message under %(limit)d characters.")
            % {"limit": ConnectionRequest.MESSAGE_MAX_LENGTH}
        )
    locked = lock_pair(program=program, mentor=mentor, mentee=mentee)
    counts = capacity.pair_counts(program_id=program.pk, mentor_id=mentor.pk, mentee_id=mentee.pk)
    facts = capacity.request_facts(
        program=program,
        settings=locked.settings,
        mentor=mentor,
        mentee=mentee,
        mentor_membership=locked.mentor_membership,
        mentee_membership=locked.mentee_membership,
        counts=counts,
    )
    decision = capacity.request_decision(facts)
    if not decision:
        raise refusals.for_mentee(
            decision.reason,
            mentor_name=mentor.name,
            connection_limit=facts.mentee_connection_limit,
            pending_limit=facts.mentee_pending_limit,
            paused_until=locked.mentor_membership.paused_until
            if locked.mentor_membership
            else None,
        )
    request = ConnectionRequest(
        program=program,
        mentor=mentor,
        mentee=mentee,
        message=message,
        origin=origin,
        flash_meeting=flash_meeting,
    )
    # The constraint (one pending request per pair) is the last defence behind the lock
    # and the counts: a row it refuses is simply not inserted (no savepoint).
    if not insert_unless_conflict(request):
        raise refusals.for_mentee(capacity.REQUEST_PENDING, mentor_name=mentor.name)
    webhook_emit(event="connection_request.created", instance=request)
    expiry_days = locked.settings.request_expiry_days
    notify(
        kind="connection_request_received",
        recipient=mentor,
        program=program,
        context={
            "mentee_name": mentee.name,
            "message": message,
            "expiry_days": expiry_days or 0,
            **email_paths(),
        },
        dedupe_key=f"conn-request-received:{request.pk}",
    )
    return request


@transaction.atomic
def connection_request_accept(*, request: ConnectionRequest, actor: User) -> Connection:
    """The mentor accepts: the request's held slot becomes an active connection."""
    if actor.pk != request.mentor_id:
        raise NotAllowed(_("Only the mentor a request is addressed to can accept it."))
    locked = lock_pair(program=request.program, mentor=request.mentor, mentee=request.mentee)
    current = _lock_request(request)
    _refuse_unless_pending(current, _("accepted"))
    program, mentor, mentee = current.program, current.mentor, current.mentee
    if not is_active(locked.mentor_membership):
        raise refusals.for_pair(
            capacity.MENTOR_INACTIVE, mentor_name=mentor.name, mentee_name=mentee.name
        )
    if not is_active(locked.mentee_membership):
        raise refusals.for_pair(
            capacity.NOT_A_MENTEE, mentor_name=mentor.name, mentee_name=mentee.name
        )
    counts = capacity.pair_counts(program_id=program.pk, mentor_id=mentor.pk, mentee_id=mentee.pk)
    if counts.pair_active:
        raise refusals.for_pair(
            capacity.ALREADY_CONNECTED, mentor_name=mentor.name, mentee_name=mentee.name
        )
    for decision in (
        capacity.mentor_may_accept(
            active_connections=counts.mentor_active, limit=mentor_limit_of(locked)
        ),
        capacity.mentee_may_connect(
            active_connections=counts.mentee_active,
            limit=locked.settings.max_ongoing_mentors_per_mentee,
        ),
    ):
        if not decision:
            raise refusals.for_pair(
                decision.reason, mentor_name=mentor.name, mentee_name=mentee.name
            )
    now = timezone.now()
    current.status = Status.ACCEPTED
    current.responded_at = now
    current.save(update_fields=["status", "responded_at"])
    copy_fields(request, current, ["status", "responded_at"])
    ends_on = connection_ends_on(settings=locked.settings, started_at=now)
    connection = Connection.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        origin=(
            Connection.Origin.FLASH_MEETING
            if current.origin == ConnectionRequest.Origin.FLASH_MEETING
            else Connection.Origin.PROFILE_REQUEST
        ),
        flash_meeting_id=current.flash_meeting_id,
        request=current,
        started_at=now,
        ends_on=ends_on,
        check_in_on=connection_check_in_on(started_at=now, ends_on=ends_on),
    )
    webhook_emit(
        event="connection_request.accepted",
        instance=current,
        extra={"connection_id": connection.pk},
    )
    webhook_emit(event="connection.created", instance=connection)
    notify(
        kind="connection_request_accepted",
        recipient=mentee,
        program=program,
        context={
            "mentor_name": mentor.name,
            "connection_path": reverse("portal:connection_detail", args=[connection.pk]),
            **email_paths(),
        },
        dedupe_key=f"conn-request-accepted:{current.pk}",
    )
    close_other_requests_if_mentee_full(
        program=program,
        mentee=mentee,
        settings=locked.settings,
        now=now,
        active_after=counts.mentee_active + 1,
        others_pending=counts.mentee_pending - 1,  # this request is no longer pending
    )
    return connection


@transaction.atomic
def connection_request_decline(
    *, request: ConnectionRequest, actor: User, reason: str, note: str = ""
) -> ConnectionRequest:
    if actor.pk != request.mentor_id:
        raise NotAllowed(_("Only the mentor a request is addressed to can decline it."))
    if reason not in ConnectionRequest.DeclineReason.values:
        raise InvalidInput(_("Choose a reason for declining."))
    note = (note or "").strip()
    if len(note) > 500:
        raise InvalidInput(_("Keep the note under 500 characters."))
    # The pair's lock first (as every write about the pair takes it, then the request's):
    # a forced connection being made right now finishes first (and closes this request),
    # or waits and then sees the decline and respects it.
    lock_pair_memberships(
        program_id=request.program_id, mentor_id=request.mentor_id, mentee_id=request.mentee_id
    )
    current = _lock_request(request)
    _refuse_unless_pending(current, _("declined"))
    current.status = Status.DECLINED
    current.decline_reason = reason
    current.decline_note = note
    current.responded_at = timezone.now()
    current.save(update_fields=["status", "decline_reason", "decline_note", "responded_at"])
    copy_fields(request, current, ["status", "decline_reason", "decline_note", "responded_at"])
    webhook_emit(event="connection_request.declined", instance=current)
    notify(
        kind="connection_request_declined",
        recipient=current.mentee,
        program=current.program,
        context={
            "mentor_name": current.mentor.name,
            # The label, in the mentee's language when the email is rendered.
            "reason": localized.text(ConnectionRequest.DeclineReason(reason).label),
            "note": note,
            "directory_path": reverse("portal:directory", args=[current.program.slug]),
            **email_paths(),
        },
        dedupe_key=f"conn-request-declined:{current.pk}",
    )
    return current


@transaction.atomic
def connection_request_withdraw(*, request: ConnectionRequest, actor: User) -> ConnectionRequest:
    if actor.pk != request.mentee_id:
        raise NotAllowed(_("Only the mentee who sent a request can withdraw it."))
    current = _lock_request(request)
    _refuse_unless_pending(current, _("withdrawn"))
    current.status = Status.WITHDRAWN
    current.responded_at = timezone.now()
    current.save(update_fields=["status", "responded_at"])
    copy_fields(request, current, ["status", "responded_at"])
    notify(
        kind="connection_request_withdrawn",
        recipient=current.mentor,
        program=current.program,
        context={"mentee_name": current.mentee.name, **email_paths()},
        dedupe_key=f"conn-request-withdrawn:{current.pk}",
    )
    return current


def connection_requests_expire(*, now: datetime | None = None) -> int:
    """Expire requests pending longer than their program's ``request_expiry_days`` and
    remind mentors once, halfway there. Idempotent; returns how many requests expired.
    Each request is handled in its own short transaction, skipping rows another
    transaction is answering right now (they are picked up on the next run if still
    pending)."""
    now = now or timezone.now()
    expired = 0
    for settings in MatchingSettings.objects.filter(request_expiry_days__isnull=False).only(
        "program_id", "request_expiry_days"
    ):
        days = settings.request_expiry_days
        base = ConnectionRequest.objects.filter(
            program_id=settings.program_id, status=Status.PENDING
        )
        for pk in base.filter(created_at__lte=now - timedelta(days=days)).values_list(
            "pk", flat=True
        ):
            expired += _expire_one(pk=pk, now=now, days=days)
        halfway = now - timedelta(days=days) / 2
        for pk in base.filter(created_at__lte=halfway, reminder_sent_at__isnull=True).values_list(
            "pk", flat=True
        ):
            _remind_one(pk=pk, now=now, days=days)
    return expired


@transaction.atomic
def _expire_one(*, pk: int, now: datetime, days: int) -> int:
    request = (
        ConnectionRequest.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("program", "mentor", "mentee")
        .filter(pk=pk, status=Status.PENDING, created_at__lte=now - timedelta(days=days))
        .first()
    )
    if request is None:
        return 0
    request.status = Status.EXPIRED
    request.responded_at = now
    request.save(update_fields=["status", "responded_at"])
    context = {
        "mentor_name": request.mentor.name,
        "mentee_name": request.mentee.name,
        "expiry_days": days,
        "directory_path": reverse("portal:directory", args=[request.program.slug]),
        **email_paths(),
    }
    notify(
        kind="connection_request_expired",
        recipient=request.mentee,
        program=request.program,
        context=context,
        dedupe_key=f"conn-request-expired:{request.pk}",
    )
    return 1


@transaction.atomic
def _remind_one(*, pk: int, now: datetime, days: int) -> None:
    request = (
        ConnectionRequest.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("program", "mentor", "mentee")
        .filter(pk=pk, status=Status.PENDING, reminder_sent_at__isnull=True)
        .first()
    )
    if request is None:
        return
    request.reminder_sent_at = now
    request.save(update_fields=["reminder_sent_at"])
    expires_at = request.created_at + timedelta(days=days)
    notify(
        kind="connection_request_reminder",
        recipient=request.mentor,
        program=request.program,
        context={
            "mentee_name": request.mentee.name,
            "message": request.message,
            "days_left": max((expires_at - now).days, 0),
            **email_paths(),
        },
        dedupe_key=f"conn-request-reminder:{request.pk}",
    )
