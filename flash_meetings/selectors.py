"""Reads for flash-meeting pages, the dashboard and the mentor profile."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings import queries
from flash_meetings.models import AvailabilitySlot, FlashMeeting, ProposedTime
from matching.capacity import MentorTerms, PairCounts
from matching.models import MatchingSettings
from matching.modes import mentor_modes_offered
from mentoring.models import Membership, User


def _meetings() -> QuerySet[FlashMeeting]:
    return FlashMeeting.objects.select_related("program", "mentor", "mentee", "slot")


def _with_proposals(meetings: QuerySet[FlashMeeting]) -> QuerySet[FlashMeeting]:
    return meetings.prefetch_related(
        Prefetch("proposed_times", queryset=ProposedTime.objects.order_by("starts_at", "pk"))
    )


def meeting_for_participant(*, meeting_id: int, user: User) -> FlashMeeting:
    """The meeting if ``user`` is its mentor or mentee; 404 for anyone else."""
    try:
        return _with_proposals(
            _meetings().filter(Q(mentor=user) | Q(mentee=user), pk=meeting_id)
        ).get()
    except FlashMeeting.DoesNotExist as error:
        raise Http404 from error


def meeting_for_mentee(*, meeting_id: int, user: User) -> FlashMeeting:
    try:
        return _meetings().get(pk=meeting_id, mentee=user)
    except FlashMeeting.DoesNotExist as error:
        raise Http404 from error


@dataclass(frozen=True)
class FollowUpRead:
    """A meeting as its follow-up reads it: with its program, the program's matching
    settings and the mentor (all but the password hash), and the mentor's terms and the
    pair's counts for ``eligibility.for_meeting(terms=...)``."""

    meeting: FlashMeeting
    mentor_terms: tuple[MentorTerms | None, PairCounts]
    # Whether the program had an active webhook endpoint when the meeting was read (for
    # ``webhook_emit(program_has_endpoints=...)``).
    program_has_endpoints: bool = True


def follow_up_meeting(
    *, meeting_id: int, mentee_id: int, for_update: bool = False
) -> FollowUpRead | None:
    """The meeting, if it is ``mentee_id``'s (see ``FollowUpRead``), in one statement
    (hand-written: see flash_meetings/queries.py). ``for_update`` locks the meeting's row
    (that row only) until the transaction ends, where the database can; the counts are
    then read in the same statement, as a query right after it would."""
    found = queries.follow_up_meeting(
        meeting_id=meeting_id, mentee_id=mentee_id, for_update=for_update
    )
    if found is None:
        return None
    meeting, terms, counts, has_endpoints = found
    mentor_terms = MentorTerms(*terms) if terms[0] is not None else None
    return FollowUpRead(
        meeting=meeting,
        mentor_terms=(mentor_terms, PairCounts(*counts)),
        program_has_endpoints=has_endpoints,
    )


def meeting_for_follow_up(*, meeting_id: int, mentee: User) -> FollowUpRead:
    """``follow_up_meeting`` for the page: 404 for anyone but the meeting's mentee."""
    read = follow_up_meeting(meeting_id=meeting_id, mentee_id=mentee.pk)
    if read is None:
        raise Http404
    return read


def open_slots(
    *, program_id: int, mentor_id: int, now: datetime | None = None, notice_hours: int = 0
) -> QuerySet[AvailabilitySlot]:
    """Slots a mentee can still request: far enough ahead, not booked, not overlapping
    one of the mentor's scheduled meetings."""
    now = now or timezone.now()
    booked = FlashMeeting.objects.filter(
        slot=OuterRef("pk"), status__in=FlashMeeting.ACTIVE_STATUSES
    )
    clashing = FlashMeeting.objects.filter(
        mentor_id=OuterRef("mentor_id"),
        status=FlashMeeting.Status.SCHEDULED,
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    )
    return (
        AvailabilitySlot.objects.filter(
            program_id=program_id,
            mentor_id=mentor_id,
            starts_at__gte=now + timedelta(hours=notice_hours),
        )
        .exclude(Exists(booked))
        .exclude(Exists(clashing))
        .order_by("starts_at", "pk")
    )


def mentor_slots(*, mentor: User, now: datetime | None = None) -> list[AvailabilitySlot]:
    """The mentor's future slots, each with ``booking`` (its active meeting or None)."""
    now = now or timezone.now()
    slots = list(
        AvailabilitySlot.objects.filter(mentor=mentor, ends_at__gt=now)
        .select_related("program")
        .prefetch_related(
            Prefetch(
                "meetings",
                queryset=FlashMeeting.objects.filter(
                    status__in=FlashMeeting.ACTIVE_STATUSES
                ).select_related("mentee"),
                to_attr="active_meetings",
            )
        )
        .order_by("starts_at", "pk")
    )
    for slot in slots:
        slot.booking = slot.active_meetings[0] if slot.active_meetings else None
    return slots


def dashboard_meetings(
    *, user: User, now: datetime | None = None
) -> tuple[list[FlashMeeting], list[FlashMeeting]]:
    """(meetings to follow up, upcoming meetings) for the dashboard, in one query
    (hand-written: see flash_meetings/queries.py): the mentee's ended meetings whose
    follow-up is unanswered, oldest first, and the person's scheduled meetings that have
    not ended, soonest first."""
    now = now or timezone.now()
    meetings = queries.dashboard_meetings(user_id=user.pk, now=now)
    # The statement returns, of the ended meetings, only those that need a follow-up
    # (``FlashMeeting.needs_follow_up``, in SQL); the time alone tells the two lists apart.
    follow_up = sorted((m for m in meetings if m.ends_at <= now), key=lambda m: (m.ends_at, m.pk))
    return follow_up, [m for m in meetings if m.ends_at > now]


@dataclass
class MenteeMeetings:
    requested: list[FlashMeeting] = field(default_factory=list)
    upcoming: list[FlashMeeting] = field(default_factory=list)
    to_follow_up: list[FlashMeeting] = field(default_factory=list)
    past: list[FlashMeeting] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.requested or self.upcoming or self.to_follow_up or self.past)


@dataclass
class MentorMeetings:
    requests: list[FlashMeeting] = field(default_factory=list)
    upcoming: list[FlashMeeting] = field(default_factory=list)
    past: list[FlashMeeting] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.requests or self.upcoming or self.past)


def _sort_key(meeting: FlashMeeting):
    return (meeting.starts_at or meeting.created_at, meeting.pk)


def mentee_meetings(*, mentee: User, now: datetime | None = None) -> MenteeMeetings:
    """Everything on the mentee's "My meetings" page, in two queries."""
    now = now or timezone.now()
    groups = MenteeMeetings()
    for meeting in _with_proposals(_meetings().filter(mentee=mentee)):
        if meeting.status == FlashMeeting.Status.REQUESTED:
            groups.requested.append(meeting)
        elif meeting.needs_follow_up(now):
            groups.to_follow_up.append(meeting)
        elif meeting.is_upcoming(now):
            groups.upcoming.append(meeting)
        else:
            groups.past.append(meeting)
    groups.requested.sort(key=lambda m: (m.created_at, m.pk))
    groups.upcoming.sort(key=_sort_key)
    groups.to_follow_up.sort(key=lambda m: (m.ends_at, m.pk))
    groups.past.sort(key=_sort_key, reverse=True)
    return groups


def mentor_meetings(*, mentor: User, now: datetime | None = None) -> MentorMeetings:
    """Everything on the mentor's "Meetings" page, in two queries."""
    now = now or timezone.now()
    groups = MentorMeetings()
    for meeting in _with_proposals(_meetings().filter(mentor=mentor)):
        if meeting.status == FlashMeeting.Status.REQUESTED:
            groups.requests.append(meeting)
        elif meeting.is_upcoming(now):
            groups.upcoming.append(meeting)
        else:
            groups.past.append(meeting)
    groups.requests.sort(key=lambda m: (m.created_at, m.pk))
    groups.upcoming.sort(key=_sort_key)
    groups.past.sort(key=_sort_key, reverse=True)
    return groups


@dataclass(frozen=True)
class ProfileSection:
    """What the mentor profile shows about flash meetings."""

    can_request: bool
    reason: str
    slots: list[AvailabilitySlot]
    open_slot_count: int
    mentor_membership: Membership


PROFILE_SLOTS_SHOWN = 3


def profile_section(
    *,
    mentor_membership: Membership,
    viewer: User,
    settings: MatchingSettings,
    viewer_is_mentee: bool,
) -> ProfileSection:
    """Whether ``viewer`` can request a flash meeting with this mentor, and if not, one
    sentence why; plus a summary of the open slots. The profile page passes what it has
    already read: the program's settings (with the program) and whether the viewer is
    an active mentee of the program."""
    offered = (
        settings.program.active
        and settings.one_time_enabled
        and mentor_modes_offered(settings=settings, mentor=mentor_membership).one_time
        and mentor_membership.active
    )
    slots: list[AvailabilitySlot] = []
    count = 0
    reason = ""
    if not offered:
        reason = _("%(name)s does not offer one-time meetings in this program.") % {
            "name": mentor_membership.user.name
        }
    elif viewer.pk == mentor_membership.user_id:
        reason = _("This is you: mentees see a link here to request a flash meeting.")
    elif not viewer_is_mentee:
        reason = _("Only active mentees of this program can request flash meetings.")
    if offered:
        open_qs = open_slots(
            program_id=mentor_membership.program_id,
            mentor_id=mentor_membership.user_id,
            notice_hours=settings.min_booking_notice_hours,
        )
        slots = list(open_qs[: PROFILE_SLOTS_SHOWN + 1])
        count = len(slots) if len(slots) <= PROFILE_SLOTS_SHOWN else open_qs.count()
        slots = slots[:PROFILE_SLOTS_SHOWN]
    return ProfileSection(
        can_request=offered and not reason,
        reason=reason,
        slots=slots,
        open_slot_count=count,
        mentor_membership=mentor_membership,
    )


CONNECTION_MEETINGS_SHOWN = 5


@dataclass
class ConnectionMeetings:
    """The meetings within one connection, as its page lists them."""

    upcoming: list[FlashMeeting]
    past: list[FlashMeeting]
    more_past: bool


def connection_meetings(
    *, connection_id: int, now: datetime | None = None, limit: int = CONNECTION_MEETINGS_SHOWN
) -> ConnectionMeetings:
    """The connection's requested and scheduled meetings still ahead (soonest first),
    and its others (newest first), at most ``limit`` of each: two queries, however many
    there are."""
    now = now or timezone.now()
    meetings = FlashMeeting.objects.filter(connection_id=connection_id).only(
        "topic", "status", "starts_at", "ends_at", "counter_proposed_at"
    )
    ahead = Q(status=FlashMeeting.Status.REQUESTED) | Q(
        status=FlashMeeting.Status.SCHEDULED, ends_at__gt=now
    )
    upcoming = list(
        meetings.filter(ahead).order_by(F("starts_at").asc(nulls_last=True), "pk")[:limit]
    )
    past = list(
        meetings.exclude(ahead).order_by(F("starts_at").desc(nulls_last=True), "-pk")[: limit + 1]
    )
    return ConnectionMeetings(upcoming=upcoming, past=past[:limit], more_past=len(past) > limit)
