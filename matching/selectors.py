"""Reads for ongoing mentoring: program access, the mentor directory and profiles, requests,
connections and preferred lists. Each list is one query (plus a count when paginated),
whatever its length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matching import capacity, modes, queries
from matching.models import Connection, ConnectionRequest, MatchingSettings, PreferredMentor
from mentoring import when
from mentoring.models import Membership, Program, User

RECENT_ANSWERS = 25


def memberships_for_user(*, user: User) -> list[Membership]:
    """All the user's memberships, active or not, by program name, with programs and
    their settings."""
    return queries.memberships_with_programs(user_id=user.pk)  # see matching/queries.py


@dataclass(frozen=True)
class ProgramAccess:
    """A program seen by one of its active members."""

    program: Program
    settings: MatchingSettings
    memberships: list[Membership]

    def membership(self, role: str) -> Membership | None:
        return next((m for m in self.memberships if m.role == role), None)

    @property
    def mentee_membership(self) -> Membership | None:
        return self.membership(Membership.Role.MENTEE)

    @property
    def preferred_mentoring(self) -> bool:
        return self.settings.ongoing_enabled and self.settings.preferred_mentoring_enabled


def program_access(*, slug: str, user: User) -> ProgramAccess:
    """The program and the viewer's active memberships in it, in one query; 404 for
    anyone who is not an active member of an active program."""
    memberships = queries.memberships_with_programs(user_id=user.pk, slug=slug)
    if not memberships or not Program.matching_settings.is_cached(memberships[0].program):
        raise Http404
    program = memberships[0].program
    return ProgramAccess(program, program.matching_settings, memberships)


def _listed_mentors(program: Program, settings: MatchingSettings) -> QuerySet[Membership]:
    # Index: membership_program_role_idx (program, role, active). The program and its
    # settings are the caller's: set ``mentor.program`` instead of joining them onto
    # every row.
    mentors = Membership.objects.filter(
        program=program, role=Membership.Role.MENTOR, active=True
    ).select_related("user")
    if settings.mentors_choose_modes:
        offered = Q()
        if settings.ongoing_enabled:
            offered |= Q(offers_ongoing=True)
        if settings.one_time_enabled:
            offered |= Q(offers_one_time=True)
        mentors = mentors.filter(offered) if offered else mentors.none()
    elif not (settings.ongoing_enabled or settings.one_time_enabled):
        mentors = mentors.none()
    return mentors


def mentor_directory(
    *, program: Program, settings: MatchingSettings, query: str = ""
) -> QuerySet[Membership]:
    """Active mentors who offer a mode the program runs, with their slot counts (never
    who their mentees are), searchable by name, headline and expertise."""
    mentors = _listed_mentors(program, settings)
    for word in query.split()[:5]:
        mentors = mentors.filter(
            Q(user__display_name__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(headline__icontains=word)
            | Q(expertise__icontains=word)
        )
    return mentors.order_by("user__display_name", "user__username", "pk")


class Availability(models.TextChoices):
    """What a directory card says about a mentor's ongoing mentoring."""

    TAKING_NEW = "taking_new", _("Taking new mentees")
    PAUSED = "paused", _("Not taking new mentees for a while")
    FULL = "full", _("Not taking new mentees right now")
    ONE_TIME_ONLY = "one_time_only", _("One-time meetings only")


def availability_label(availability: Availability, *, paused_until: date | None) -> str:
    """What a card or a profile says, in the language of the request: a pause with its
    date ("Not taking new mentees until 3 March 2027")."""
    if availability == Availability.PAUSED and paused_until is not None:
        return gettext("Not taking new mentees until %(date)s") % {"date": when.day(paused_until)}
    return str(availability.label)


class DirectoryCard(TypedDict):
    """One mentor as a directory page lists them: plain values, in a dict. Building
    twenty Membership and User instances per page cost more than the page's query, and
    the template language renders twenty dict cards in about half the time of objects
    (it tries ``card[key]`` first, and an object fails that lookup before ``getattr``)."""

    membership_id: int
    name: str
    headline: str
    expertise: str
    availability: Availability
    availability_label: str  # in the language of the request
    taking_new: bool
    offers_ongoing: bool  # the modes this mentor offers in the program (its modes and
    offers_one_time: bool  # the mentor's own choice): the API shows them


def mentor_availability(
    *,
    settings: MatchingSettings,
    mentor: modes.MentorModes,
    max_ongoing_mentees: int | None,
    slots_used: int,
    paused_until: date | None = None,
    now: datetime | None = None,
) -> Availability:
    """What the directory and the profile say about a mentor's ongoing mentoring: the
    program's modes and the mentor's choice, then the mentor's pause, then capacity's
    free-slot rule (the order of the Connect button's checks)."""
    if not modes.mentor_modes_offered(settings=settings, mentor=mentor).ongoing:
        return Availability.ONE_TIME_ONLY
    if capacity.mentor_paused(paused_until=paused_until, now=now or timezone.now()):
        return Availability.PAUSED
    limit = capacity.mentor_limit(
        max_ongoing_mentees=max_ongoing_mentees,
        default_max_ongoing_mentees=settings.default_max_ongoing_mentees,
    )
    if capacity.mentor_has_free_slot(slots_used=slots_used, limit=limit):
        return Availability.TAKING_NEW
    return Availability.FULL


@dataclass(frozen=True)
class _MentorChoice:
    """A mentor's own mode choice read from a row (``modes.MentorModes``)."""

    offers_ongoing: bool
    offers_one_time: bool


def directory_cards(*, ids: list[int], settings: MatchingSettings) -> list[DirectoryCard]:
    """The mentors of one directory page, in the given order, with live availability.

    The ids may come from a cached order (``portal.directory_cache``, per process): each
    row is read fresh and checked again here, so a mentor deactivated, paused, full or
    switched to modes the program does not run shows that state on the next request on
    every process (a mentor no longer listed is left out of the page)."""
    if not ids:
        return []
    # Hand-written: see matching/queries.py. Active mentors of the program only.
    found = queries.directory_card_rows(ids=ids, program_id=settings.program_id)
    now = timezone.now()
    cards = {}
    for row in found:
        pk, headline, expertise, max_ongoing, offers_ongoing, offers_one_time = row[:6]
        paused_until, names, (active, pending) = row[6], row[7:11], row[11:]
        choice = _MentorChoice(
            offers_ongoing=bool(offers_ongoing), offers_one_time=bool(offers_one_time)
        )
        offered = modes.mentor_modes_offered(settings=settings, mentor=choice)
        if not (offered.ongoing or offered.one_time):
            continue  # no longer offers a mode the program runs: not listed
        availability = mentor_availability(
            settings=settings,
            mentor=choice,
            max_ongoing_mentees=max_ongoing,
            slots_used=active + pending,
            paused_until=paused_until,
            now=now,
        )
        cards[pk] = DirectoryCard(
            membership_id=pk,
            name=User.name_from(*names),
            headline=headline,
            expertise=", ".join(Membership.split_expertise(expertise)),
            availability=availability,
            availability_label=availability_label(availability, paused_until=paused_until),
            taking_new=availability == Availability.TAKING_NEW,
            offers_ongoing=offered.ongoing,
            offers_one_time=offered.one_time,
        )
    return [cards[pk] for pk in ids if pk in cards]


def mentor_profile(
    *, program: Program, settings: MatchingSettings, membership_id: int, with_slots: bool = True
) -> Membership:
    """A mentor the directory lists, with their slot counts (``capacity.mentor_slots``)
    unless ``with_slots`` is off: the Connect POST leaves them to the service, which
    counts under its lock."""
    mentors = _listed_mentors(program, settings).filter(pk=membership_id)
    mentor = (capacity.with_slots(mentors) if with_slots else mentors).first()
    if mentor is None:
        raise Http404
    mentor.program = program
    return mentor


def connect_decision(
    *, access: ProgramAccess, mentor_membership: Membership, viewer: User
) -> tuple[capacity.Decision, capacity.RequestFacts | None]:
    """May ``viewer`` press Connect on this profile, and if not, why (same rules as the
    service, counted without a lock: the service re-checks under one)."""
    mentee_membership = access.mentee_membership
    if mentee_membership is None or viewer.pk == mentor_membership.user_id:
        counts = capacity.PairCounts(0, 0, 0, 0, 0, 0, None)
    else:
        counts = capacity.pair_counts(
            program_id=access.program.pk, mentor_id=mentor_membership.user_id, mentee_id=viewer.pk
        )
        # The annotated slot count is fresher information than nothing; keep the pair's.
    facts = capacity.request_facts(
        program=access.program,
        settings=access.settings,
        mentor=mentor_membership.user,
        mentee=viewer,
        mentor_membership=mentor_membership,
        mentee_membership=mentee_membership,
        counts=counts,
    )
    return capacity.request_decision(facts), facts


def preferred_entry(*, program: Program, mentee: User, mentor: User) -> PreferredMentor | None:
    return PreferredMentor.objects.filter(program=program, mentee=mentee, mentor=mentor).first()


def pending_requests_received(*, user: User) -> QuerySet[ConnectionRequest]:
    """The requests waiting for the mentor, each with ``mentee_goals``: what the mentee
    hopes to get from the program (their membership's ``goals``), in the same query."""
    goals = Membership.objects.filter(
        program=OuterRef("program_id"), user=OuterRef("mentee_id"), role=Membership.Role.MENTEE
    ).values("goals")[:1]
    return (
        ConnectionRequest.objects.filter(mentor=user, status=ConnectionRequest.Status.PENDING)
        .select_related("mentee", "program__matching_settings")
        .annotate(mentee_goals=Subquery(goals))
        .order_by("created_at", "pk")
    )


def answered_requests_received(*, user: User) -> QuerySet[ConnectionRequest]:
    return (
        ConnectionRequest.objects.filter(mentor=user)
        .exclude(status=ConnectionRequest.Status.PENDING)
        .select_related("mentee", "program")
        .order_by("-responded_at", "-pk")[:RECENT_ANSWERS]
    )


def requests_sent(*, user: User) -> QuerySet[ConnectionRequest]:
    return (
        ConnectionRequest.objects.filter(mentee=user)
        .select_related("mentor", "program")
        .order_by("-created_at", "-pk")[: RECENT_ANSWERS * 2]
    )


def dashboard_connections(*, user: User) -> list[Connection]:
    """The person's active connections (either side), ordered by program name then
    newest first, with the people and the program's name, in one query (hand-written:
    see matching/queries.py)."""
    return queries.dashboard_connections(user_id=user.pk)


def pending_received_count(*, user: User) -> int:
    return ConnectionRequest.objects.filter(
        mentor=user, status=ConnectionRequest.Status.PENDING
    ).count()


def connection_for_party(*, user: User, connection_id: int) -> Connection:
    connection = (
        Connection.objects.filter(Q(mentor=user) | Q(mentee=user), pk=connection_id)
        .select_related("mentor", "mentee", "program__matching_settings", "ended_by")
        .first()
    )
    if connection is None:
        raise Http404
    return connection


def preferred_list(*, program: Program, mentee: User) -> list[PreferredMentor]:
    """The mentee's ranked list with each mentor's directory membership (one query)."""
    mentor_membership = Membership.objects.filter(
        program=program, user=OuterRef("mentor_id"), role=Membership.Role.MENTOR, active=True
    ).values("pk")[:1]
    return list(
        PreferredMentor.objects.filter(program=program, mentee=mentee)
        .select_related("mentor")
        .annotate(mentor_membership_id=Subquery(mentor_membership))
        .order_by("rank", "pk")
    )
