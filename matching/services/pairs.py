"""What every write about one mentor–mentee pair shares: the lock on both memberships,
the mentor's limit as locked, and the links the emails carry.

Every write that uses a mentor's slot locks the mentor's (and the mentee's) membership
rows with ``select_for_update`` in one statement ordered by primary key (no deadlock
between two writers), then counts in new statements (which see everything the previous
lock holders committed), then writes. The database constraints (one pending request and
one active connection per pair) are the last line of defence. The services work when
nested in a caller's ``transaction.atomic`` block: they lock and re-check themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from matching import capacity, modes
from matching.models import ConnectionRequest, MatchingSettings
from mentoring import when
from mentoring.errors import InvalidInput
from mentoring.models import Membership, Program, User
from notifications import localized
from notifications.services import notify

Status = ConnectionRequest.Status


@dataclass
class LockedPair:
    settings: MatchingSettings
    mentor_membership: Membership | None
    mentee_membership: Membership | None


def lock_pair(*, program: Program, mentor: User, mentee: User) -> LockedPair:
    """Lock the mentor's and the mentee's memberships (ordered by pk: no deadlocks).

    The program's settings are not locked (nothing here changes them): they come from
    ``program.matching_settings``, which the callers' own reads of the program already
    hold (program access, the follow-up's meeting), else one query."""
    rows = lock_pair_memberships(program_id=program.pk, mentor_id=mentor.pk, mentee_id=mentee.pk)
    mentor_membership = next(
        (m for m in rows if m.user_id == mentor.pk and m.role == Membership.Role.MENTOR), None
    )
    mentee_membership = next(
        (m for m in rows if m.user_id == mentee.pk and m.role == Membership.Role.MENTEE), None
    )
    return LockedPair(program.matching_settings, mentor_membership, mentee_membership)


def lock_pair_memberships(*, program_id: int, mentor_id: int, mentee_id: int) -> list[Membership]:
    """The lock of ``lock_pair`` alone, by ids: for a write that needs no counts but must
    wait for (and be waited for by) every other write about the pair, such as a decline
    (so that a forced connection never slips in after it)."""
    return list(
        Membership.objects.select_for_update()
        .filter(
            Q(user_id=mentor_id, role=Membership.Role.MENTOR)
            | Q(user_id=mentee_id, role=Membership.Role.MENTEE),
            program_id=program_id,
        )
        .order_by("pk")
    )


def mentor_limit_of(locked: LockedPair) -> int:
    membership = locked.mentor_membership
    return capacity.mentor_limit(
        max_ongoing_mentees=membership.max_ongoing_mentees if membership else 0,
        default_max_ongoing_mentees=locked.settings.default_max_ongoing_mentees,
    )


def offers_ongoing(locked: LockedPair) -> bool:
    membership = locked.mentor_membership
    if membership is None:
        return False
    return modes.mentor_modes_offered(settings=locked.settings, mentor=membership).ongoing


def is_active(membership: Membership | None) -> bool:
    return membership is not None and membership.active


def email_paths() -> dict[str, str]:
    return {
        "requests_received_path": reverse("portal:requests_received"),
        "requests_sent_path": reverse("portal:requests_sent"),
        "dashboard_path": reverse("portal:dashboard"),
    }


def close_other_requests_if_mentee_full(
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
        notify_closed(other)
    return len(others)


def notify_closed(request: ConnectionRequest) -> None:
    notify(
        kind="connection_request_closed",
        recipient=request.mentor,
        program=request.program,
        context={
            "mentee_name": request.mentee.name,
            # The label, in the mentor's language when the email is rendered.
            "reason": localized.text(ConnectionRequest.CloseReason(request.close_reason).label),
            **email_paths(),
        },
        dedupe_key=f"conn-request-closed:{request.pk}",
    )


def refuse_unless_meeting_of_pair(
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


def copy_fields(target: object, source: object, fields: list[str]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


def connection_ends_on(*, settings: MatchingSettings, started_at: datetime) -> date | None:
    """The end date of a connection made now: the program's duration from the day it
    starts (in the site's time zone); None when the program's connections are open-ended."""
    if not settings.connection_duration_days:
        return None
    return when.program_date(started_at) + timedelta(days=settings.connection_duration_days)


def connection_check_in_on(*, started_at: datetime, ends_on: date | None) -> date | None:
    """The mid-point of a connection's term (the check-in survey opens that day); None for
    an open-ended connection."""
    if ends_on is None:
        return None
    start = when.program_date(started_at)
    return start + timedelta(days=(ends_on - start).days // 2)
