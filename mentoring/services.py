"""Writes for ongoing mentoring: connection requests, connections, preferred mentors.

Every write that uses a mentor's slot locks the mentor's (and the mentee's) membership
rows with ``select_for_update`` in one statement ordered by primary key (no deadlock
between two writers), then counts in new statements (which see everything the previous
lock holders committed), then writes. The database constraints (one pending request and
one active connection per pair) are the last line of defence. All functions work when
nested in a caller's ``transaction.atomic`` block: they lock and re-check themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import capacity, modes
from matching.models import MatchingSettings
from mentoring import refusals
from mentoring.errors import (
    AlreadyConnected,
    IllegalTransition,
    InvalidInput,
    NotAllowed,
    RequestAlreadyPending,
)
from mentoring.models import (
    Connection,
    ConnectionRequest,
    Membership,
    PreferredMentor,
    Program,
    ProgramAdministrator,
    User,
)
from notifications.services import notify

Status = ConnectionRequest.Status


# --- Helpers ---------------------------------------------------------------------------


@dataclass
class _Locked:
    settings: MatchingSettings
    mentor_membership: Membership | None
    mentee_membership: Membership | None


def _lock_pair(*, program: Program, mentor: User, mentee: User) -> _Locked:
    """Lock the mentor's and the mentee's memberships (ordered by pk: no deadlocks)."""
    rows = list(
        Membership.objects.select_for_update(of=("self",))
        .select_related("program__matching_settings")
        .filter(
            Q(user=mentor, role=Membership.Role.MENTOR)
            | Q(user=mentee, role=Membership.Role.MENTEE),
            program=program,
        )
        .order_by("pk")
    )
    mentor_membership = next(
        (m for m in rows if m.user_id == mentor.pk and m.role == Membership.Role.MENTOR), None
    )
    mentee_membership = next(
        (m for m in rows if m.user_id == mentee.pk and m.role == Membership.Role.MENTEE), None
    )
    settings = (
        rows[0].program.matching_settings if rows else MatchingSettings.objects.get(program=program)
    )
    return _Locked(settings, mentor_membership, mentee_membership)


def _mentor_limit(locked: _Locked) -> int:
    membership = locked.mentor_membership
    return capacity.mentor_limit(
        max_ongoing_mentees=membership.max_ongoing_mentees if membership else 0,
        default_max_ongoing_mentees=locked.settings.default_max_ongoing_mentees,
    )


def _offers_ongoing(locked: _Locked) -> bool:
    membership = locked.mentor_membership
    if membership is None:
        return False
    return modes.mentor_modes_offered(settings=locked.settings, mentor=membership).ongoing


def _active(membership: Membership | None) -> bool:
    return membership is not None and membership.active


def _paths() -> dict[str, str]:
    return {
        "requests_received_path": reverse("mentoring:requests_received"),
        "requests_sent_path": reverse("mentoring:requests_sent"),
        "dashboard_path": reverse("mentoring:dashboard"),
    }


def _close_other_requests_if_mentee_full(
    *,
    program: Program,
    mentee: User,
    settings: MatchingSettings,
    now: datetime,
    active_after: int,
    others_pending: int,
) -> int:
    """When the mentee has reached their limit (``active_after`` active connections, counted
    under the lock), their other pending requests in the program close and those mentors
    are told."""
    if active_after < settings.max_ongoing_mentors_per_mentee or others_pending <= 0:
        return 0
    others = list(
        ConnectionRequest.objects.select_for_update(of=("self",))
        .select_related("mentor", "mentee", "program")
        .filter(program=program, mentee=mentee, status=Status.PENDING)
        .order_by("pk")
    )
    for other in others:
        other.status = Status.CLOSED
        other.close_reason = ConnectionRequest.CloseReason.MENTEE_AT_LIMIT
        other.responded_at = now
        other.save(update_fields=["status", "close_reason", "responded_at"])
        _notify_closed(other)
    return len(others)


def _notify_closed(request: ConnectionRequest) -> None:
    notify(
        kind="connection_request_closed",
        recipient=request.mentor,
        program=request.program,
        context={
            "mentee_name": request.mentee.name,
            "reason": str(request.get_close_reason_display()),
            **_paths(),
        },
        dedupe_key=f"conn-request-closed:{request.pk}",
    )


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


def _refuse_unless_meeting_of_pair(
    *, from_meeting: bool, flash_meeting, program: Program, mentor: User, mentee: User
) -> None:
    """What comes from a flash meeting points at a meeting of that very pair (and only
    that origin cites a meeting), whatever the caller passes."""
    if flash_meeting is None and not from_meeting:
        return
    if (
        not from_meeting
        or flash_meeting is None
        or (flash_meeting.program_id, flash_meeting.mentor_id, flash_meeting.mentee_id)
        != (program.pk, mentor.pk, mentee.pk)
    ):
        raise InvalidInput(_("That flash meeting was not between this mentor and this mentee."))


def _sync(target: object, source: object, fields: list[str]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


# --- Connection requests -----------------------------------------------------------------


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
    _refuse_unless_meeting_of_pair(
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
    locked = _lock_pair(program=program, mentor=mentor, mentee=mentee)
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
        )
    try:
        with transaction.atomic():  # a savepoint: the constraint is the last defence
            request = ConnectionRequest.objects.create(
                program=program,
                mentor=mentor,
                mentee=mentee,
                message=message,
                origin=origin,
                flash_meeting=flash_meeting,
            )
    except IntegrityError as error:
        raise RequestAlreadyPending(
            _("Your request to %(mentor)s is waiting for an answer.") % {"mentor": mentor.name}
        ) from error
    expiry_days = locked.settings.request_expiry_days
    notify(
        kind="connection_request_received",
        recipient=mentor,
        program=program,
        context={
            "mentee_name": mentee.name,
            "message": message,
            "expiry_days": expiry_days or 0,
            **_paths(),
        },
        dedupe_key=f"conn-request-received:{request.pk}",
    )
    return request


@transaction.atomic
def connection_request_accept(*, request: ConnectionRequest, actor: User) -> Connection:
    """The mentor accepts: the request's held slot becomes an active connection."""
    if actor.pk != request.mentor_id:
        raise NotAllowed(_("Only the mentor a request is addressed to can accept it."))
    locked = _lock_pair(program=request.program, mentor=request.mentor, mentee=request.mentee)
    current = _lock_request(request)
    _refuse_unless_pending(current, _("accepted"))
    program, mentor, mentee = current.program, current.mentor, current.mentee
    if not _active(locked.mentor_membership):
        raise refusals.for_pair(
            capacity.MENTOR_INACTIVE, mentor_name=mentor.name, mentee_name=mentee.name
        )
    if not _active(locked.mentee_membership):
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
            active_connections=counts.mentor_active, limit=_mentor_limit(locked)
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
    _sync(request, current, ["status", "responded_at"])
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
    )
    notify(
        kind="connection_request_accepted",
        recipient=mentee,
        program=program,
        context={
            "mentor_name": mentor.name,
            "connection_path": reverse("mentoring:connection_detail", args=[connection.pk]),
            **_paths(),
        },
        dedupe_key=f"conn-request-accepted:{current.pk}",
    )
    _close_other_requests_if_mentee_full(
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
    current = _lock_request(request)
    _refuse_unless_pending(current, _("declined"))
    current.status = Status.DECLINED
    current.decline_reason = reason
    current.decline_note = note
    current.responded_at = timezone.now()
    current.save(update_fields=["status", "decline_reason", "decline_note", "responded_at"])
    _sync(request, current, ["status", "decline_reason", "decline_note", "responded_at"])
    notify(
        kind="connection_request_declined",
        recipient=current.mentee,
        program=current.program,
        context={
            "mentor_name": current.mentor.name,
            "reason": str(current.get_decline_reason_display()),
            "note": note,
            "directory_path": reverse("mentoring:directory", args=[current.program.slug]),
            **_paths(),
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
    _sync(request, current, ["status", "responded_at"])
    notify(
        kind="connection_request_withdrawn",
        recipient=current.mentor,
        program=current.program,
        context={"mentee_name": current.mentee.name, **_paths()},
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
        "directory_path": reverse("mentoring:directory", args=[request.program.slug]),
        **_paths(),
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
            **_paths(),
        },
        dedupe_key=f"conn-request-reminder:{request.pk}",
    )


# --- Connections -------------------------------------------------------------------------


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
    slot becomes the connection); capacity and mentee limits hold as for requests."""
    names = {"mentor_name": mentor.name, "mentee_name": mentee.name}
    if mentor.pk == mentee.pk:
        raise refusals.for_pair(capacity.OWN_PROFILE, **names)
    _refuse_unless_meeting_of_pair(
        from_meeting=origin == Connection.Origin.FLASH_MEETING,
        flash_meeting=flash_meeting,
        program=program,
        mentor=mentor,
        mentee=mentee,
    )
    locked = _lock_pair(program=program, mentor=mentor, mentee=mentee)
    if not (program.active and locked.settings.ongoing_enabled):
        raise refusals.for_pair(capacity.ONGOING_OFF, **names)
    if not _active(locked.mentor_membership):
        raise refusals.for_pair(capacity.MENTOR_INACTIVE, **names)
    if not _active(locked.mentee_membership):
        raise refusals.for_pair(capacity.NOT_A_MENTEE, **names)
    if not _offers_ongoing(locked):
        raise refusals.for_pair(capacity.MENTOR_NOT_ONGOING, **names)
    counts = capacity.pair_counts(program_id=program.pk, mentor_id=mentor.pk, mentee_id=mentee.pk)
    if counts.pair_active:
        raise refusals.for_pair(capacity.ALREADY_CONNECTED, **names)
    for decision in (
        # The pair's own pending request (if any) already holds a slot for them.
        capacity.mentor_has_free_slot(
            slots_used=counts.mentor_slots_used - counts.pair_pending, limit=_mentor_limit(locked)
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
    try:
        with transaction.atomic():
            connection = Connection.objects.create(
                program=program,
                mentor=mentor,
                mentee=mentee,
                origin=origin,
                flash_meeting=flash_meeting,
                started_at=now,
            )
    except IntegrityError as error:
        raise AlreadyConnected(
            _("%(mentor)s and %(mentee)s are already connected.") % names
        ) from error
    if send_emails:
        path = reverse("mentoring:connection_detail", args=[connection.pk])
        for recipient, other, role in ((mentor, mentee, "mentor"), (mentee, mentor, "mentee")):
            notify(
                kind="connection_created",
                recipient=recipient,
                program=program,
                context={
                    "other_name": other.name,
                    "role": role,
                    "connection_path": path,
                    **_paths(),
                },
                dedupe_key=f"conn-created:{connection.pk}:{role}",
            )
    _close_other_requests_if_mentee_full(
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
    current.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    _sync(connection, current, ["status", "ended_at", "ended_by_id", "end_reason"])
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
                **_paths(),
            },
            dedupe_key=f"conn-ended:{current.pk}:{recipient.pk}",
        )
    return current


# --- Preferred mentors --------------------------------------------------------------------


def _preferred_program_check(*, program: Program, mentee: User) -> None:
    settings = MatchingSettings.objects.get(program=program)
    if not (program.active and settings.ongoing_enabled and settings.preferred_mentoring_enabled):
        raise NotAllowed(_("This program doesn't use Preferred Mentoring."))
    if not Membership.objects.filter(
        program=program, user=mentee, role=Membership.Role.MENTEE, active=True
    ).exists():
        raise NotAllowed(_("Only mentees of this program keep a list of preferred mentors."))


def _lock_list(*, program: Program, mentee: User) -> list[PreferredMentor]:
    Membership.objects.select_for_update(of=("self",)).filter(
        program=program, user=mentee, role=Membership.Role.MENTEE
    ).first()  # serialises edits of one mentee's list
    return list(
        PreferredMentor.objects.filter(program=program, mentee=mentee).order_by("rank", "pk")
    )


def _renumber(entries: list[PreferredMentor]) -> None:
    for rank, entry in enumerate(entries, start=1):
        if entry.rank != rank:
            entry.rank = rank
            entry.save(update_fields=["rank"])


@transaction.atomic
def preferred_mentor_add(*, program: Program, mentee: User, mentor: User) -> PreferredMentor:
    _preferred_program_check(program=program, mentee=mentee)
    if mentor.pk == mentee.pk:
        raise NotAllowed(_("You can't add yourself to your own list."))
    if not Membership.objects.filter(
        program=program, user=mentor, role=Membership.Role.MENTOR, active=True
    ).exists():
        raise NotAllowed(
            _("%(mentor)s isn't an active mentor in this program.") % {"mentor": mentor.name}
        )
    entries = _lock_list(program=program, mentee=mentee)
    if any(entry.mentor_id == mentor.pk for entry in entries):
        raise IllegalTransition(_("%(mentor)s is already on your list.") % {"mentor": mentor.name})
    if len(entries) >= PreferredMentor.MAX_PER_MENTEE:
        raise InvalidInput(
            _("Your list already has %(count)d mentors; remove one before adding another.")
            % {"count": PreferredMentor.MAX_PER_MENTEE}
        )
    top = max((entry.rank for entry in entries), default=0)
    return PreferredMentor.objects.create(
        program=program, mentee=mentee, mentor=mentor, rank=top + 1
    )


@transaction.atomic
def preferred_mentor_remove(*, entry: PreferredMentor, actor: User) -> None:
    if actor.pk != entry.mentee_id:
        raise NotAllowed(_("Only the mentee can change their list."))
    entries = _lock_list(program=entry.program, mentee=entry.mentee)
    PreferredMentor.objects.filter(pk=entry.pk).delete()
    _renumber([item for item in entries if item.pk != entry.pk])


@transaction.atomic
def preferred_mentor_move(*, entry: PreferredMentor, actor: User, direction: str) -> None:
    """Move one place ``up`` (towards rank 1) or ``down``."""
    if actor.pk != entry.mentee_id:
        raise NotAllowed(_("Only the mentee can change their list."))
    if direction not in ("up", "down"):
        raise InvalidInput(_("Choose whether to move the mentor up or down."))
    entries = _lock_list(program=entry.program, mentee=entry.mentee)
    index = next((i for i, item in enumerate(entries) if item.pk == entry.pk), None)
    if index is None:
        raise IllegalTransition(_("This mentor is no longer on your list."))
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(entries):
        entries[index], entries[target] = entries[target], entries[index]
    _renumber(entries)


# --- Program admins -----------------------------------------------------------------------

PROGRAM_ADMINS_GROUP = "Program admins"
# What a program admin may do in Django admin, as "app_label.codename". The rows they may
# do it to are limited to their programs by mentoring/admin_scoping.py.
PROGRAM_ADMIN_PERMISSIONS = (
    "mentoring.view_program",
    "mentoring.change_program",
    "mentoring.view_membership",
    "mentoring.add_membership",
    "mentoring.change_membership",
    "mentoring.view_user",  # read-only: people may belong to other programs too
    "mentoring.view_connection",
    "mentoring.add_connection",
    "mentoring.change_connection",
    "mentoring.view_connectionrequest",
    "mentoring.view_preferredmentor",
    "matching.view_matchingsettings",
    "matching.change_matchingsettings",
    "matching.view_matchingsettingschange",
    "flash_meetings.view_flashmeeting",
    "flash_meetings.add_flashmeeting",
    "flash_meetings.change_flashmeeting",
    "flash_meetings.view_proposedtime",
    "flash_meetings.add_proposedtime",
    "flash_meetings.change_proposedtime",
    "flash_meetings.delete_proposedtime",
    "flash_meetings.view_availabilityslot",
    "flash_meetings.add_availabilityslot",
    "flash_meetings.change_availabilityslot",
    "flash_meetings.delete_availabilityslot",
    "surveys.view_survey",
    "surveys.add_survey",
    "surveys.change_survey",
    "surveys.view_question",
    "surveys.add_question",
    "surveys.change_question",
    "surveys.delete_question",
    "surveys.view_surveyresponse",
    "surveys.view_answer",
    "notifications.view_notification",
    "notifications.change_notification",  # "Send again"
)


def program_admins_group() -> Group:
    """The "Program admins" group with exactly ``PROGRAM_ADMIN_PERMISSIONS`` (idempotent)."""
    group, _created = Group.objects.get_or_create(name=PROGRAM_ADMINS_GROUP)
    wanted = Q()
    for name in PROGRAM_ADMIN_PERMISSIONS:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


@transaction.atomic
def program_administrator_add(*, program: Program, user: User) -> ProgramAdministrator:
    """Make ``user`` an admin of ``program``: staff, in the "Program admins" group, and
    able to see and change that program (and their other ones) in Django admin."""
    administrator, _created = ProgramAdministrator.objects.get_or_create(program=program, user=user)
    user.groups.add(program_admins_group())
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return administrator


@transaction.atomic
def program_administrator_remove(*, administrator: ProgramAdministrator) -> None:
    """Remove one program from a program admin; the last one also takes them out of the
    group (they stay staff, seeing nothing, until a superuser changes that)."""
    user = administrator.user
    administrator.delete()
    if not ProgramAdministrator.objects.filter(user=user).exists():
        user.groups.remove(*Group.objects.filter(name=PROGRAM_ADMINS_GROUP))


__all__ = [
    "connection_create",
    "connection_end",
    "connection_request_accept",
    "connection_request_create",
    "connection_request_decline",
    "connection_request_withdraw",
    "connection_requests_expire",
    "preferred_mentor_add",
    "preferred_mentor_move",
    "preferred_mentor_remove",
    "program_administrator_add",
    "program_administrator_remove",
]
