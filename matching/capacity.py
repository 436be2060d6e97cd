"""Slot rules for ongoing mentoring (DESIGN.md, "Capacity").

A mentor's limit is ``Membership.max_ongoing_mentees`` or, when blank, the program's
``MatchingSettings.default_max_ongoing_mentees``; 0 means "takes no new ongoing
mentees". Slots used = active connections + pending connection requests addressed to
that mentor (a pending request holds its slot). Mentees are limited by
``max_ongoing_mentors_per_mentee`` (active connections) and
``max_pending_requests_per_mentee`` (pending requests). A mentor's no is respected: for
``MatchingSettings.decline_cooldown_days`` after a mentor declined a mentee's request,
that mentee can neither ask that mentor again nor be connected with them by the
post-meeting follow-up (0 turns the rule off). A mentor may pause: "not taking new
mentees until <date>" (``Membership.paused_until``) holds while today's date in UTC is
before that date, and from that date on they take new mentees again; a pause refuses new
requests and the follow-up's offer (``mentor_paused``, checked just before
``mentor_full``) and keeps every connection and pending request.

The decision functions take plain values and return a ``Decision`` with a reason code,
so the profile page (why there is no Connect button), the services (which re-count
under a row lock) and the admin ask the same question the same way. The query helpers
at the end count or annotate; services call them only after locking the mentor's
membership row.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

from django.db.models import DateTimeField, F, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.utils import timezone

from matching import modes, queries
from matching.models import Connection, ConnectionRequest, MatchingSettings
from mentoring.models import Membership, Program, User

# Reason codes, in the order the request checks run.
NOT_A_MENTEE = "not_a_mentee"
OWN_PROFILE = "own_profile"
ONGOING_OFF = "ongoing_off"
PREFERRED_MENTORING = "preferred_mentoring"
MENTOR_INACTIVE = "mentor_inactive"
MENTOR_NOT_ONGOING = "mentor_not_ongoing"
MENTOR_DECLINED = "mentor_declined"
MENTOR_PAUSED = "mentor_paused"
ALREADY_CONNECTED = "already_connected"
REQUEST_PENDING = "request_pending"
MENTOR_FULL = "mentor_full"
MENTEE_AT_LIMIT = "mentee_at_limit"
TOO_MANY_PENDING = "too_many_pending"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


@dataclass(frozen=True)
class Slots:
    used: int
    limit: int

    @property
    def free(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def has_free(self) -> bool:
        return self.used < self.limit


def mentor_limit(*, max_ongoing_mentees: int | None, default_max_ongoing_mentees: int) -> int:
    """The mentor's own limit, or the program default when the mentor has none."""
    if max_ongoing_mentees is None:
        return default_max_ongoing_mentees
    return max_ongoing_mentees


def mentor_paused(*, paused_until: date | None, now: datetime) -> bool:
    """Is the mentor "not taking new mentees until ``paused_until``" today? Paused while
    today's date in UTC is before that date; taking new mentees again from that date."""
    return paused_until is not None and now.astimezone(UTC).date() < paused_until


# The largest limit a mentor may choose when the program sets no cap (the columns' own
# bound is 32767; nobody mentors more than this at once).
LIMIT_CEILING = 999


def mentor_limit_ceilings(settings: MatchingSettings) -> dict[str, int]:
    """The highest ongoing limit and monthly flash-meeting limit a mentor may choose for
    themselves in this program (``MatchingSettings.mentor_max_*``; blank: no cap)."""
    caps = {
        "max_ongoing_mentees": settings.mentor_max_ongoing_mentees,
        "max_flash_meetings_per_month": settings.mentor_max_flash_meetings_per_month,
    }
    return {
        name: LIMIT_CEILING if cap is None else min(cap, LIMIT_CEILING)
        for name, cap in caps.items()
    }


def mentor_has_free_slot(*, slots_used: int, limit: int) -> Decision:
    """A new request or a direct connection needs a free slot."""
    return ALLOWED if slots_used < limit else Decision(False, MENTOR_FULL)


def mentor_may_accept(*, active_connections: int, limit: int) -> Decision:
    """Accepting turns the request's own held slot into a connection: the mentor's list of
    active mentees must stay within the limit (which an admin may have lowered)."""
    return ALLOWED if active_connections < limit else Decision(False, MENTOR_FULL)


def declined_within_cooldown(
    *, last_declined_at: datetime | None, cooldown_days: int, now: datetime
) -> bool:
    """Did the mentor decline this mentee's request less than ``cooldown_days`` ago? The
    mentor's no stands that long (0 days: the rule is off)."""
    if last_declined_at is None or cooldown_days <= 0:
        return False
    return last_declined_at > now - timedelta(days=cooldown_days)


def mentee_may_connect(*, active_connections: int, limit: int) -> Decision:
    return ALLOWED if active_connections < limit else Decision(False, MENTEE_AT_LIMIT)


def mentee_may_request(
    *, active_connections: int, connection_limit: int, pending_requests: int, pending_limit: int
) -> Decision:
    decision = mentee_may_connect(active_connections=active_connections, limit=connection_limit)
    if not decision:
        return decision
    if pending_requests >= pending_limit:
        return Decision(False, TOO_MANY_PENDING)
    return ALLOWED


@dataclass(frozen=True)
class RequestFacts:
    """Everything the Connect decision depends on, as plain values."""

    is_mentee: bool  # the asker holds an active mentee membership in the program
    own_profile: bool
    ongoing_enabled: bool
    preferred_mentoring_enabled: bool
    mentor_active: bool
    mentor_offers_ongoing: bool  # after the program's modes (matching.modes)
    mentor_declined: bool  # the mentor declined this mentee within the cool-off
    already_connected: bool
    request_pending: bool
    mentor_paused: bool  # "not taking new mentees until <date>", that date still to come
    mentor_slots_used: int
    mentor_limit: int
    mentee_active_connections: int
    mentee_connection_limit: int
    mentee_pending_requests: int
    mentee_pending_limit: int


def request_decision(facts: RequestFacts) -> Decision:
    """May this mentee send this mentor a connection request? First failing rule wins."""
    if facts.own_profile:
        return Decision(False, OWN_PROFILE)
    if not facts.is_mentee:
        return Decision(False, NOT_A_MENTEE)
    if not facts.ongoing_enabled:
        return Decision(False, ONGOING_OFF)
    if facts.preferred_mentoring_enabled:
        return Decision(False, PREFERRED_MENTORING)
    if not facts.mentor_active:
        return Decision(False, MENTOR_INACTIVE)
    if not facts.mentor_offers_ongoing:
        return Decision(False, MENTOR_NOT_ONGOING)
    if facts.mentor_declined:
        return Decision(False, MENTOR_DECLINED)
    if facts.already_connected:
        return Decision(False, ALREADY_CONNECTED)
    if facts.request_pending:
        return Decision(False, REQUEST_PENDING)
    if facts.mentor_paused:  # beside the free-slot rule: both say "no new mentees now"
        return Decision(False, MENTOR_PAUSED)
    decision = mentor_has_free_slot(slots_used=facts.mentor_slots_used, limit=facts.mentor_limit)
    if not decision:
        return decision
    return mentee_may_request(
        active_connections=facts.mentee_active_connections,
        connection_limit=facts.mentee_connection_limit,
        pending_requests=facts.mentee_pending_requests,
        pending_limit=facts.mentee_pending_limit,
    )


def request_facts(
    *,
    program: Program,
    settings: MatchingSettings,
    mentor: User,
    mentee: User,
    mentor_membership: Membership | None,
    mentee_membership: Membership | None,
    counts: PairCounts,
    now: datetime | None = None,
) -> RequestFacts:
    """The facts the Connect decision needs (used by services and by the profile page)."""
    now = now or timezone.now()
    return RequestFacts(
        is_mentee=mentee_membership is not None and mentee_membership.active,
        own_profile=mentor.pk == mentee.pk,
        ongoing_enabled=program.active and settings.ongoing_enabled,
        preferred_mentoring_enabled=settings.preferred_mentoring_enabled,
        mentor_active=mentor_membership is not None and mentor_membership.active,
        mentor_offers_ongoing=mentor_membership is not None
        and modes.mentor_modes_offered(settings=settings, mentor=mentor_membership).ongoing,
        mentor_declined=declined_within_cooldown(
            last_declined_at=counts.pair_last_declined_at,
            cooldown_days=settings.decline_cooldown_days,
            now=now,
        ),
        already_connected=counts.pair_active > 0,
        request_pending=counts.pair_pending > 0,
        mentor_paused=mentor_membership is not None
        and mentor_paused(paused_until=mentor_membership.paused_until, now=now),
        mentor_slots_used=counts.mentor_slots_used,
        mentor_limit=mentor_limit(
            max_ongoing_mentees=mentor_membership.max_ongoing_mentees if mentor_membership else 0,
            default_max_ongoing_mentees=settings.default_max_ongoing_mentees,
        ),
        mentee_active_connections=counts.mentee_active,
        mentee_connection_limit=settings.max_ongoing_mentors_per_mentee,
        mentee_pending_requests=counts.mentee_pending,
        mentee_pending_limit=settings.max_pending_requests_per_mentee,
    )


# --- Counting ------------------------------------------------------------------------


@dataclass(frozen=True)
class PairCounts:
    """Counts around one mentor–mentee pair in one program, and when the mentor last
    declined this mentee's request there (None: never)."""

    mentor_active: int
    mentor_pending: int
    mentee_active: int
    mentee_pending: int
    pair_active: int
    pair_pending: int
    pair_last_declined_at: datetime | None

    @property
    def mentor_slots_used(self) -> int:
        return self.mentor_active + self.mentor_pending


@dataclass(frozen=True)
class MentorTerms:
    """The mentor-membership fields the capacity and eligibility rules read."""

    pk: int
    active: bool
    max_ongoing_mentees: int | None
    offers_ongoing: bool
    offers_one_time: bool
    paused_until: date | None = None


TERMS_FIELDS = (
    "pk",
    "active",
    "max_ongoing_mentees",
    "offers_ongoing",
    "offers_one_time",
    "paused_until",
)
COUNT_NAMES = tuple(field.name for field in fields(PairCounts))


def _count(queryset: QuerySet) -> Func:
    """``(SELECT COUNT(*) FROM … WHERE …)`` as an expression: one scalar subquery."""
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def _latest(queryset: QuerySet, field: str) -> Func:
    """``(SELECT MAX(field) FROM … WHERE …)`` as an expression: one scalar subquery."""
    return Subquery(
        queryset.order_by().annotate(latest=Func(F(field), function="MAX")).values("latest"),
        output_field=DateTimeField(),
    )


def _active_connections(program) -> QuerySet[Connection]:
    return Connection.objects.filter(program_id=program, status=Connection.Status.ACTIVE)


def _pending_requests(program) -> QuerySet[ConnectionRequest]:
    return ConnectionRequest.objects.filter(
        program_id=program, status=ConnectionRequest.Status.PENDING
    )


def pair_count_expressions(*, program, mentor, mentee) -> dict[str, Func]:
    """The six counts of ``PairCounts`` and the pair's last decline as subquery
    expressions. ``program``, ``mentor`` and ``mentee`` are ids or ``OuterRef``s to the row
    the statement reads. Each is backed by an index: connection_mentor_status_idx,
    connection_mentee_status_idx, conn_request_mentor_status_idx,
    conn_request_mentee_status_idx (the last decline too), and the partial "one per pair"
    unique indexes."""
    active, pending = _active_connections(program), _pending_requests(program)
    declined = ConnectionRequest.objects.filter(
        program_id=program, status=ConnectionRequest.Status.DECLINED
    )
    return {
        "mentor_active": _count(active.filter(mentor_id=mentor)),
        "mentor_pending": _count(pending.filter(mentor_id=mentor)),
        "mentee_active": _count(active.filter(mentee_id=mentee)),
        "mentee_pending": _count(pending.filter(mentee_id=mentee)),
        "pair_active": _count(active.filter(mentor_id=mentor, mentee_id=mentee)),
        "pair_pending": _count(pending.filter(mentor_id=mentor, mentee_id=mentee)),
        "pair_last_declined_at": _latest(
            declined.filter(mentor_id=mentor, mentee_id=mentee), "responded_at"
        ),
    }


def pair_counts(*, program_id: int, mentor_id: int, mentee_id: int) -> PairCounts:
    """The six counts and the last decline in one statement. Services run it after
    locking the memberships: it then sees every committed write of the transactions that
    held the lock before.
    Hand-written (``matching.queries``): the ORM's version of this statement cost a
    third more of the Connect POST's CPU."""
    return PairCounts(
        *queries.pair_counts(program_id=program_id, mentor_id=mentor_id, mentee_id=mentee_id)
    )


def mentor_terms_and_pair_counts(
    *, program_id: int, mentor_id: int, mentee_id: int
) -> tuple[MentorTerms | None, PairCounts]:
    """The mentor's membership terms (None when not a mentor in the program) and the
    pair's counts, in one statement — what the follow-up decision needs when its caller
    has not read them with the meeting (the admin's "Why was no offer shown?")."""
    found = (
        Membership.objects.filter(
            program_id=program_id, user_id=mentor_id, role=Membership.Role.MENTOR
        )
        .annotate(**pair_count_expressions(program=program_id, mentor=mentor_id, mentee=mentee_id))
        .values_list(*TERMS_FIELDS, *COUNT_NAMES)
        .first()
    )
    if found is None:  # not a mentor of the program: no terms, and the counts alone
        return None, pair_counts(program_id=program_id, mentor_id=mentor_id, mentee_id=mentee_id)
    width = len(TERMS_FIELDS)
    return MentorTerms(*found[:width]), PairCounts(*found[width:])


def with_slots(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Annotate mentor memberships with ``active_connections`` and ``pending_requests``
    in the same query (no query per row); ``mentor_slots`` reads them. Each subquery
    runs only for the rows returned (indexes: connection_mentor_status_idx,
    conn_request_mentor_status_idx)."""
    program, mentor = OuterRef("program_id"), OuterRef("user_id")
    return memberships.annotate(
        active_connections=_count(_active_connections(program).filter(mentor_id=mentor)),
        pending_requests=_count(_pending_requests(program).filter(mentor_id=mentor)),
    )


def mentor_slots(*, membership: Membership, settings: MatchingSettings) -> Slots:
    """The slots used and the limit of a mentor membership annotated by ``with_slots``."""
    return Slots(
        used=membership.active_connections + membership.pending_requests,
        limit=mentor_limit(
            max_ongoing_mentees=membership.max_ongoing_mentees,
            default_max_ongoing_mentees=settings.default_max_ongoing_mentees,
        ),
    )
