"""Reads for flash-meeting pages, the dashboard and the mentor profile."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings.models import AvailabilitySlot, FlashMeeting, ProposedTime
from matching.capacity import (
    MentorTerms,
    PairCounts,
    mentor_terms_from_row,
    mentor_terms_sql,
)
from matching.models import MatchingSettings
from matching.modes import mentor_modes_offered
from mentoring import rows
from mentoring.models import Membership, Program, User


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


# Raw SQL on purpose: the follow-up page and its answer, the busiest pages after a
# meeting. The ORM took ~1.5 ms to build this three-join select_related query, several
# times its run time (bench/), and the offer decision's terms and counts come in the
# same round trip. Indexes: the primary key, then capacity's (mentor_terms_sql).
_FOLLOW_UP_MEETING_SQL = """
SELECT {meeting_columns}, {program_columns}, {settings_columns}, {mentor_columns},
       {terms_columns}
FROM {meeting} m
JOIN {program} p ON p.id = m.program_id
JOIN {settings} s ON s.program_id = p.id
JOIN {user} u ON u.id = m.mentor_id
{terms_join}
WHERE m.id = %(meeting)s AND m.mentee_id = %(mentee)s
{lock}
"""


@dataclass(frozen=True)
class FollowUpRead:
    """A meeting as its follow-up reads it: with its program, the program's matching
    settings and the mentor (all but the password hash), and the mentor's terms and the
    pair's counts for ``eligibility.for_meeting(terms=...)``."""

    meeting: FlashMeeting
    mentor_terms: tuple[MentorTerms | None, PairCounts]


def follow_up_meeting(
    *, meeting_id: int, mentee_id: int, for_update: bool = False
) -> FollowUpRead | None:
    """The meeting, if it is ``mentee_id``'s (see ``FollowUpRead``). ``for_update`` locks
    the meeting's row (that row only) until the transaction ends, where the database
    can; the counts are then read in the same statement, as a query right after it
    would."""
    if not rows.storable_id(meeting_id):
        return None
    meeting_columns = rows.model_columns(FlashMeeting, "m")
    program_columns = rows.model_columns(Program, "p")
    settings_columns = rows.model_columns(MatchingSettings, "s")
    mentor_columns = rows.model_columns(User, "u", exclude=("password",))
    terms = mentor_terms_sql(
        program="m.program_id", mentor="m.mentor_id", mentee="m.mentee_id", alias="mm"
    )
    lock = for_update and connection.features.has_select_for_update_of
    sql = _FOLLOW_UP_MEETING_SQL.format(  # noqa: S608  # nosec B608  (our own names; values bound)
        meeting_columns=meeting_columns.sql,
        program_columns=program_columns.sql,
        settings_columns=settings_columns.sql,
        mentor_columns=mentor_columns.sql,
        meeting=FlashMeeting._meta.db_table,
        program=Program._meta.db_table,
        settings=MatchingSettings._meta.db_table,
        user=User._meta.db_table,
        terms_columns=terms.columns,
        terms_join=terms.join,
        lock="FOR UPDATE OF m" if lock else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"meeting": meeting_id, "mentee": mentee_id})
        row = cursor.fetchone()
    if row is None:
        return None
    meeting = meeting_columns.load(row)
    start = meeting_columns.width
    meeting.program = program_columns.load(row, start)
    start += program_columns.width
    meeting.program.matching_settings = settings_columns.load(row, start)
    start += settings_columns.width
    meeting.mentor = mentor_columns.load(row, start)
    start += mentor_columns.width
    return FollowUpRead(meeting=meeting, mentor_terms=mentor_terms_from_row(row[start:]))


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


# Raw SQL on purpose: on every dashboard, and the ORM took longer to build this query
# than PostgreSQL took to run it. Statuses are our own constants; values are bound.
# Indexes: the mentor_id and mentee_id foreign-key indexes (OR-ed by a bitmap scan).
# One plain OR on the two people, then CASE on the time: written as two OR-ed branches,
# PostgreSQL re-planned it on every execution (~0.5 ms, never a cached plan) and
# intersected the status index (5,000 rows) for a person with a handful of meetings.
_DASHBOARD_SQL = """
SELECT m.id, m.topic, m.status, m.starts_at, m.ends_at, {mentor_columns}, {mentee_columns}
FROM {meeting} m
JOIN {user} tr ON tr.id = m.mentor_id
JOIN {user} te ON te.id = m.mentee_id
WHERE (m.mentor_id = %(user)s OR m.mentee_id = %(user)s)
  AND m.status IN ({held})
  AND CASE WHEN m.ends_at <= %(now)s
      THEN m.mentee_id = %(user)s AND m.follow_up_choice = ''
      ELSE m.status = '{scheduled}' AND m.ends_at > %(now)s
  END
ORDER BY m.starts_at, m.id
"""


def dashboard_meetings(
    *, user: User, now: datetime | None = None
) -> tuple[list[FlashMeeting], list[FlashMeeting]]:
    """(meetings to follow up, upcoming meetings) for the dashboard, in one query: the
    mentee's ended meetings whose follow-up is unanswered, oldest first, and the person's
    scheduled meetings that have not ended, soonest first."""
    now = now or timezone.now()
    sql = _DASHBOARD_SQL.format(  # noqa: S608  # nosec B608
        meeting=FlashMeeting._meta.db_table,
        user=User._meta.db_table,
        held=", ".join(f"'{status.value}'" for status in FlashMeeting.HELD_STATUSES),
        scheduled=FlashMeeting.Status.SCHEDULED.value,
        mentor_columns=rows.person_columns("tr"),
        mentee_columns=rows.person_columns("te"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "now": connection.ops.adapt_datetimefield_value(now)})
        found = cursor.fetchall()
    meetings = []
    for row in found:
        meeting = rows.instance(
            FlashMeeting,
            id=row[0],
            topic=row[1],
            status=row[2],
            starts_at=rows.aware(row[3]),
            ends_at=rows.aware(row[4]),
        )
        meeting.mentor = rows.person(*row[5:10])
        meeting.mentee = rows.person(*row[10:15])
        meetings.append(meeting)
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
