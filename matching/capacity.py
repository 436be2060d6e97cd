"""Slot rules for ongoing mentoring (DESIGN.md, "Capacity").

A mentor's limit is ``Membership.max_ongoing_mentees`` or, when blank, the program's
``MatchingSettings.default_max_ongoing_mentees``; 0 means "takes no new ongoing
mentees". Slots used = active connections + pending connection requests addressed to
that mentor (a pending request holds its slot). Mentees are limited by
``max_ongoing_mentors_per_mentee`` (active connections) and
``max_pending_requests_per_mentee`` (pending requests).

The decision functions take plain values and return a ``Decision`` with a reason code,
so the profile page (why there is no Connect button), the services (which re-count
under a row lock) and the admin ask the same question the same way. The query helpers
at the end count or annotate; services call them only after locking the mentor's
membership row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection as db_connection
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL

from matching import modes
from matching.models import Connection, ConnectionRequest, MatchingSettings
from mentoring.models import Membership, Program, User

# Reason codes, in the order the request checks run.
NOT_A_MENTEE = "not_a_mentee"
OWN_PROFILE = "own_profile"
ONGOING_OFF = "ongoing_off"
PREFERRED_MENTORING = "preferred_mentoring"
MENTOR_INACTIVE = "mentor_inactive"
MENTOR_NOT_ONGOING = "mentor_not_ongoing"
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


def mentor_has_free_slot(*, slots_used: int, limit: int) -> Decision:
    """A new request or a direct connection needs a free slot."""
    return ALLOWED if slots_used < limit else Decision(False, MENTOR_FULL)


def mentor_may_accept(*, active_connections: int, limit: int) -> Decision:
    """Accepting turns the request's own held slot into a connection: the mentor's list of
    active mentees must stay within the limit (which an admin may have lowered)."""
    return ALLOWED if active_connections < limit else Decision(False, MENTOR_FULL)


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
    already_connected: bool
    request_pending: bool
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
    if facts.already_connected:
        return Decision(False, ALREADY_CONNECTED)
    if facts.request_pending:
        return Decision(False, REQUEST_PENDING)
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
) -> RequestFacts:
    """The facts the Connect decision needs (used by services and by the profile page)."""
    return RequestFacts(
        is_mentee=mentee_membership is not None and mentee_membership.active,
        own_profile=mentor.pk == mentee.pk,
        ongoing_enabled=program.active and settings.ongoing_enabled,
        preferred_mentoring_enabled=settings.preferred_mentoring_enabled,
        mentor_active=mentor_membership is not None and mentor_membership.active,
        mentor_offers_ongoing=mentor_membership is not None
        and modes.mentor_modes_offered(settings=settings, mentor=mentor_membership).ongoing,
        already_connected=counts.pair_active > 0,
        request_pending=counts.pair_pending > 0,
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
    """Counts around one mentor–mentee pair in one program (two queries)."""

    mentor_active: int
    mentor_pending: int
    mentee_active: int
    mentee_pending: int
    pair_active: int
    pair_pending: int

    @property
    def mentor_slots_used(self) -> int:
        return self.mentor_active + self.mentor_pending


# One statement, six index-backed counts. Written as SQL on purpose: it runs on the
# hottest pages (follow-up, profile) and inside every capacity-checking service, and
# the ORM would need two aggregate queries (or seconds of compile time per thousand
# calls) for the same result. Indexes: connection_mentor_status_idx,
# connection_mentee_status_idx, conn_request_mentor_status_idx,
# conn_request_mentee_status_idx and
# the partial "one per pair" unique indexes. ``{p}``, ``{mentor}`` and ``{mentee}`` are
# bound parameters, or the columns of a row the statement already reads.
_PAIR_COUNT_COLUMNS = """
  (SELECT COUNT(*) FROM {conn} WHERE program_id = {p} AND mentor_id = {mentor}
     AND status = 'active') AS mentor_active,
  (SELECT COUNT(*) FROM {req} WHERE program_id = {p} AND mentor_id = {mentor}
     AND status = 'pending') AS mentor_pending,
  (SELECT COUNT(*) FROM {conn} WHERE program_id = {p} AND mentee_id = {mentee}
     AND status = 'active') AS mentee_active,
  (SELECT COUNT(*) FROM {req} WHERE program_id = {p} AND mentee_id = {mentee}
     AND status = 'pending') AS mentee_pending,
  (SELECT COUNT(*) FROM {conn} WHERE program_id = {p} AND mentor_id = {mentor}
     AND mentee_id = {mentee} AND status = 'active') AS pair_active,
  (SELECT COUNT(*) FROM {req} WHERE program_id = {p} AND mentor_id = {mentor}
     AND mentee_id = {mentee} AND status = 'pending') AS pair_pending
"""
_TERMS_COLUMNS = (
    "{m}.id, {m}.active, {m}.max_ongoing_mentees, {m}.offers_ongoing, {m}.offers_one_time"
)
_TERMS_JOIN = (
    "LEFT JOIN {membership} {m} "
    "ON {m}.program_id = {p} AND {m}.user_id = {mentor} AND {m}.role = 'mentor'"
)
_PARAMETERS = {"p": "%(p)s", "mentor": "%(mentor)s", "mentee": "%(mentee)s"}


def _pair_count_columns(*, p: str, mentor: str, mentee: str) -> str:
    # Only our own table and column names are formatted in; values are bound.
    return _PAIR_COUNT_COLUMNS.format(
        conn=Connection._meta.db_table,
        req=ConnectionRequest._meta.db_table,
        p=p,
        mentor=mentor,
        mentee=mentee,
    )


@dataclass(frozen=True)
class MentorTermsSQL:
    """The mentor's terms and the pair's counts as parts of a caller's statement:
    ``columns`` for its select list (``MENTOR_TERMS_WIDTH`` values, read back with
    ``mentor_terms_from_row``) and ``join`` for its FROM clause."""

    columns: str
    join: str


MENTOR_TERMS_WIDTH = 11


def mentor_terms_sql(*, program: str, mentor: str, mentee: str, alias: str) -> MentorTermsSQL:
    """``program``, ``mentor`` and ``mentee`` are column references of a row the
    statement reads (``m.program_id``…); ``alias`` names the joined mentor membership."""
    return MentorTermsSQL(
        columns=_TERMS_COLUMNS.format(m=alias)
        + ","
        + _pair_count_columns(p=program, mentor=mentor, mentee=mentee),
        join=_TERMS_JOIN.format(
            membership=Membership._meta.db_table, m=alias, p=program, mentor=mentor
        ),
    )


@dataclass(frozen=True)
class MentorTerms:
    """The mentor-membership fields the capacity and eligibility rules read."""

    pk: int
    active: bool
    max_ongoing_mentees: int | None
    offers_ongoing: bool
    offers_one_time: bool


def mentor_terms_from_row(values) -> tuple[MentorTerms | None, PairCounts]:
    """The mentor's terms (None when not a mentor in the program) and the pair's counts
    from the ``MENTOR_TERMS_WIDTH`` values of ``mentor_terms_sql``'s columns."""
    terms = None
    if values[0] is not None:
        terms = MentorTerms(
            pk=values[0],
            active=bool(values[1]),
            max_ongoing_mentees=values[2],
            offers_ongoing=bool(values[3]),
            offers_one_time=bool(values[4]),
        )
    return terms, PairCounts(*values[5:MENTOR_TERMS_WIDTH])


def mentor_terms_and_pair_counts(
    *, program_id: int, mentor_id: int, mentee_id: int
) -> tuple[MentorTerms | None, PairCounts]:
    """The mentor's membership terms (None when not a mentor in the program) and the
    pair's counts, in one statement — what the follow-up decision needs."""
    parts = mentor_terms_sql(
        program=_PARAMETERS["p"],
        mentor=_PARAMETERS["mentor"],
        mentee=_PARAMETERS["mentee"],
        alias="m",
    )
    sql = f"SELECT {parts.columns} FROM (SELECT 1) AS one {parts.join}"  # noqa: S608  # nosec B608
    with db_connection.cursor() as cursor:
        cursor.execute(sql, {"p": program_id, "mentor": mentor_id, "mentee": mentee_id})
        return mentor_terms_from_row(cursor.fetchone())


def pair_counts(*, program_id: int, mentor_id: int, mentee_id: int) -> PairCounts:
    """Run after locking the memberships: the statement then sees every committed write
    of the transactions that held the lock before us."""
    sql = "SELECT " + _pair_count_columns(**_PARAMETERS)  # nosec B608  (no values in it)
    with db_connection.cursor() as cursor:
        cursor.execute(sql, {"p": program_id, "mentor": mentor_id, "mentee": mentee_id})
        row = cursor.fetchone()
    return PairCounts(*row)


# Correlated counts written as SQL: the ORM's Subquery/OuterRef version cost more to
# build than to run, on every directory page and admin list. They name the membership
# table itself (no alias): queries that use them select FROM it unaliased.
MENTOR_ACTIVE_SQL = (
    "SELECT COUNT(*) FROM matching_connection c WHERE c.program_id = "
    "mentoring_membership.program_id AND c.mentor_id = mentoring_membership.user_id "
    "AND c.status = 'active'"
)
MENTOR_PENDING_SQL = (
    "SELECT COUNT(*) FROM matching_connectionrequest r WHERE r.program_id = "
    "mentoring_membership.program_id AND r.mentor_id = mentoring_membership.user_id "
    "AND r.status = 'pending'"
)


def with_slots(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Annotate mentor memberships with ``active_connections`` and ``pending_requests``
    in the same query (no query per row); ``mentor_slots`` reads them. Each subquery
    runs only for the rows shown (indexes: connection_one_active_per_pair,
    connection_request_one_pending_per_pair)."""
    # Constant SQL with no parameters: nothing from a request reaches it.
    active = RawSQL(MENTOR_ACTIVE_SQL, (), output_field=IntegerField())  # noqa: S611  # nosec B611
    pending = RawSQL(MENTOR_PENDING_SQL, (), output_field=IntegerField())  # noqa: S611  # nosec B611
    return memberships.annotate(active_connections=active, pending_requests=pending)


def mentor_slots(*, membership: Membership, settings: MatchingSettings) -> Slots:
    """The slots used and the limit of a mentor membership annotated by ``with_slots``."""
    return Slots(
        used=membership.active_connections + membership.pending_requests,
        limit=mentor_limit(
            max_ongoing_mentees=membership.max_ongoing_mentees,
            default_max_ongoing_mentees=settings.default_max_ongoing_mentees,
        ),
    )
