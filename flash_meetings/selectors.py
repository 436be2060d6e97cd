"""Reads for flash-meeting pages, the dashboard and the mentor profile."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings.models import AvailabilitySlot, FlashMeeting, ProposedTime
from matching.capacity import COUNT_NAMES, MentorTerms, PairCounts, pair_count_expressions
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


_TERMS = {
    f"terms_{name}": F(f"mentor_membership__{name}")
    for name in ("pk", "active", "max_ongoing_mentees", "offers_ongoing", "offers_one_time")
}


def follow_up_meeting(
    *, meeting_id: int, mentee_id: int, for_update: bool = False
) -> FollowUpRead | None:
    """The meeting, if it is ``mentee_id``'s (see ``FollowUpRead``), in one statement:
    the meeting with its program, settings and mentor, the mentor's membership (a
    filtered join) and the six counts (capacity's subqueries). ``for_update`` locks the
    meeting's row (that row only) until the transaction ends, where the database can."""
    meetings = (
        FlashMeeting.objects.select_related("program__matching_settings", "mentor")
        .defer("mentor__password")
        .annotate(
            mentor_membership=FilteredRelation(
                "program__memberships",
                condition=Q(
                    program__memberships__user=F("mentor"),
                    program__memberships__role=Membership.Role.MENTOR,
                ),
            ),
            **_TERMS,
            **pair_count_expressions(
                program=OuterRef("program_id"),
                mentor=OuterRef("mentor_id"),
                mentee=OuterRef("mentee_id"),
            ),
        )
    )
    if for_update and connection.features.has_select_for_update_of:
        meetings = meetings.select_for_update(of=("self",))
    meeting = meetings.filter(pk=meeting_id, mentee_id=mentee_id).first()
    if meeting is None:
        return None
    terms = None
    if meeting.terms_pk is not None:
        terms = MentorTerms(*(getattr(meeting, name) for name in _TERMS))
    counts = PairCounts(*(getattr(meeting, name) for name in COUNT_NAMES))
    return FollowUpRead(meeting=meeting, mentor_terms=(terms, counts))


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
    """(meetings to follow up, upcoming meetings) for the dashboard, in one query: the
    mentee's ended meetings whose follow-up is unanswered, oldest first, and the person's
    scheduled meetings that have not ended, soonest first. Indexes: the mentor_id and
    mentee_id foreign-key indexes (OR-ed by a bitmap scan)."""
    now = now or timezone.now()
    to_follow_up = Q(ends_at__lte=now, mentee=user, follow_up_choice="")
    upcoming = Q(ends_at__gt=now, status=FlashMeeting.Status.SCHEDULED)
    meetings = list(
        FlashMeeting.objects.filter(
            Q(mentor=user) | Q(mentee=user),
            to_follow_up | upcoming,
            status__in=FlashMeeting.HELD_STATUSES,
        )
        .select_related("mentor", "mentee")
        .only(
            "topic",
            "status",
            "starts_at",
            "ends_at",
            *User.name_fields("mentor"),
            *User.name_fields("mentee"),
        )
        .order_by("starts_at", "pk")
    )
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
        elif meeting.is_over(now):
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
