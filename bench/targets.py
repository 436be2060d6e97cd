"""What each page of the benchmark hits, sampled from the dataset, and signed-in sessions.

Every page gets a bounded sample, whatever the scale: the reads cycle through theirs,
each write target is used once. The write targets are chosen so that the write is
accepted (the same rules as ``matching.capacity`` and ``matching.eligibility``, with
every slot a chosen target takes counted against the mentor):

- ``connect``: "Yes, connect me" on a follow-up (forced connection). An ended,
  unanswered meeting whose mentor offers ongoing mentoring and has a free slot, whose
  pair is neither connected nor has a pending request, and whose mentee is under their
  connection limit (and their pending limit under the request policy). One per mentee.
- ``connect_post``: the Connect button on a mentor's profile. A mentee under both
  limits (those with the fewest pending requests and connections first), paired with a
  mentor who offers ongoing mentoring, has a free slot and has neither a connection nor
  a pending request with them. One per mentee, none of them a ``connect`` mentee.
- ``no_thanks``: "No thanks" on other ended, unanswered meetings.
- ``get``: the follow-up page of yet other ended, unanswered meetings (never answered
  during the run, so every GET shows the three choices or the reason not).
- ``mentees``: the first mentees by id, for the baseline, directory and dashboard. They
  are left out of every write, so their pages stay the same from run to run.

Sessions are written in batches (users read ``batch_size`` at a time, sessions
bulk-created as many at a time): one statement never carries more than a batch of
values, whatever the number of users (PostgreSQL takes at most 65,535 parameters).
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from bench.schema import (
    Connection,
    ConnectionRequest,
    FlashMeeting,
    FlashToOngoingPolicy,
    MatchingSettings,
    Membership,
    Session,
    User,
    capacity,
    modes,
)

SLUG = "bench"
SIGN_IN_BATCH = 2000
WRITES = ("no_thanks", "connect", "connect_post")


@dataclass(frozen=True)
class Budget:
    """How many targets each page gets."""

    get: int = 2000
    no_thanks: int = 4000
    connect: int = 4000
    connect_post: int = 4000
    mentees: int = 1000


@dataclass
class Sample:
    """Ids only: meetings as (meeting id, mentee id), Connect as (mentor membership id,
    mentor id, mentee id), mentees as user ids."""

    get: list[tuple[int, int]] = field(default_factory=list)
    no_thanks: list[tuple[int, int]] = field(default_factory=list)
    connect: list[tuple[int, int]] = field(default_factory=list)
    connect_post: list[tuple[int, int, int]] = field(default_factory=list)
    mentees: list[int] = field(default_factory=list)

    def short_of(self, budget: Budget) -> dict[str, tuple[int, int]]:
        """Pages with fewer targets than the budget asks: {page: (found, wanted)}."""
        return {
            name: (len(getattr(self, name)), getattr(budget, name))
            for name in ("get", *WRITES, "mentees")
            if len(getattr(self, name)) < getattr(budget, name)
        }

    def user_ids(self) -> list[int]:
        ids = {mentee for _, mentee in self.get + self.no_thanks + self.connect}
        ids.update(mentee for _, _, mentee in self.connect_post)
        ids.update(self.mentees)
        return sorted(ids)


@dataclass
class Targets:
    """What the load client sends: sessions instead of user ids."""

    get: list[tuple[int, str]]
    no_thanks: list[tuple[int, str]]
    connect: list[tuple[int, str]]
    connect_post: list[tuple[int, str]]  # (mentor membership id, mentee session)
    mentees: list[str]


def sample(budget: Budget, *, seed: int = 1, now=None) -> Sample:
    """Choose each page's targets from the current state of the ``bench`` program."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311  (reproducible choice, not a secret)
    now = now or timezone.now()
    settings = MatchingSettings.objects.select_related("program").get(program__slug=SLUG)
    program = settings.program
    found = Sample()

    mentees = list(
        Membership.objects.filter(program=program, role=Membership.Role.MENTEE, active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    found.mentees = mentees[: budget.mentees]
    kept_stable = set(found.mentees)

    # Slots and limits as the rules count them: active connections and pending requests.
    active = list(
        Connection.objects.filter(program=program, status=Connection.Status.ACTIVE).values_list(
            "mentor_id", "mentee_id"
        )
    )
    pending = list(
        ConnectionRequest.objects.filter(
            program=program, status=ConnectionRequest.Status.PENDING
        ).values_list("mentor_id", "mentee_id")
    )
    # A pair whose request the mentor declined within the cool-off cannot be connected
    # (eligibility's mentor_declined): never a target of a connecting write.
    declined = (
        ConnectionRequest.objects.filter(
            program=program,
            status=ConnectionRequest.Status.DECLINED,
            responded_at__gte=now - timedelta(days=settings.decline_cooldown_days),
        ).values_list("mentor_id", "mentee_id")
        if settings.decline_cooldown_days
        else []
    )
    taken_pairs = set(active) | set(pending) | set(declined)
    mentee_active = Counter(mentee for _, mentee in active)
    mentee_pending = Counter(mentee for _, mentee in pending)
    used_slots = Counter(mentor for mentor, _ in active) + Counter(mentor for mentor, _ in pending)
    free: dict[int, int] = {}
    membership_of: dict[int, int] = {}
    for pk, user_id, is_active, max_mentees, ongoing, one_time in Membership.objects.filter(
        program=program, role=Membership.Role.MENTOR
    ).values_list(
        "pk", "user_id", "active", "max_ongoing_mentees", "offers_ongoing", "offers_one_time"
    ):
        terms = capacity.MentorTerms(pk, is_active, max_mentees, ongoing, one_time)
        if not terms.active:
            continue
        if not modes.mentor_modes_offered(settings=settings, mentor=terms).ongoing:
            continue
        limit = capacity.mentor_limit(
            max_ongoing_mentees=max_mentees,
            default_max_ongoing_mentees=settings.default_max_ongoing_mentees,
        )
        if capacity.mentor_has_free_slot(slots_used=used_slots[user_id], limit=limit):
            free[user_id] = limit - used_slots[user_id]
            membership_of[user_id] = pk

    def may_connect(mentee: int) -> bool:
        if settings.flash_to_ongoing_policy == FlashToOngoingPolicy.FORCED_CONNECTION:
            return bool(
                capacity.mentee_may_connect(
                    active_connections=mentee_active[mentee],
                    limit=settings.max_ongoing_mentors_per_mentee,
                )
            )
        return bool(may_request(mentee))

    def may_request(mentee: int) -> bool:
        return bool(
            capacity.mentee_may_request(
                active_connections=mentee_active[mentee],
                connection_limit=settings.max_ongoing_mentors_per_mentee,
                pending_requests=mentee_pending[mentee],
                pending_limit=settings.max_pending_requests_per_mentee,
            )
        )

    def take_slot(mentor: int, mentee: int) -> None:
        free[mentor] -= 1
        if not free[mentor]:
            del free[mentor]
        taken_pairs.add((mentor, mentee))

    open_meetings = list(
        FlashMeeting.objects.filter(
            program=program,
            status=FlashMeeting.Status.SCHEDULED,
            ends_at__lte=now,
            follow_up_choice="",
        )
        .order_by("pk")
        .values_list("pk", "mentor_id", "mentee_id")
    )
    rng.shuffle(open_meetings)
    unused = []
    writers: set[int] = set(kept_stable)  # mentees already given a write (or kept out)
    offer_in_effect = program.active and modes.flash_to_ongoing_in_effect(settings)
    for pk, mentor, mentee in open_meetings:
        if (
            offer_in_effect
            and len(found.connect) < budget.connect
            and mentee not in writers
            and mentor in free
            and (mentor, mentee) not in taken_pairs
            and may_connect(mentee)
        ):
            found.connect.append((pk, mentee))
            writers.add(mentee)
            take_slot(mentor, mentee)
            mentee_active[mentee] += 1
        else:
            unused.append((pk, mentor, mentee))
    for pk, _mentor, mentee in unused:
        if len(found.no_thanks) < budget.no_thanks and mentee not in kept_stable:
            found.no_thanks.append((pk, mentee))
        elif len(found.get) < budget.get:
            found.get.append((pk, mentee))

    # Connect buttons: the mentees with the fewest requests and connections first, each
    # with the next mentor (in a shuffled round) who has a free slot and no tie with them.
    if program.active and settings.ongoing_enabled and not settings.preferred_mentoring_enabled:
        candidates = [m for m in mentees if m not in writers and may_request(m)]
        rng.shuffle(candidates)
        candidates.sort(key=lambda m: mentee_active[m] + mentee_pending[m])
        mentors = sorted(free)
        rng.shuffle(mentors)
        turn = 0
        for mentee in candidates:
            if len(found.connect_post) >= budget.connect_post or not free:
                break
            for _ in range(len(mentors)):
                mentor = mentors[turn % len(mentors)]
                turn += 1
                if mentor in free and (mentor, mentee) not in taken_pairs:
                    found.connect_post.append((membership_of[mentor], mentor, mentee))
                    take_slot(mentor, mentee)
                    break
    return found


def sessions_for(user_ids: list[int], *, batch_size: int = SIGN_IN_BATCH) -> dict[int, str]:
    """Signed-in sessions for many users, exactly as Django's login writes them, in
    batches of ``batch_size`` users."""
    store = SessionStore()
    expire = timezone.now() + timezone.timedelta(days=1)
    keys: dict[int, str] = {}
    for start in range(0, len(user_ids), batch_size):
        batch = user_ids[start : start + batch_size]
        users = User.objects.in_bulk(batch)
        rows = []
        for user_id in batch:
            key = secrets.token_hex(16)
            keys[user_id] = key
            data = {
                SESSION_KEY: str(user_id),
                BACKEND_SESSION_KEY: django_settings.AUTHENTICATION_BACKENDS[-1],
                HASH_SESSION_KEY: users[user_id].get_session_auth_hash(),
            }
            rows.append(
                Session(session_key=key, session_data=store.encode(data), expire_date=expire)
            )
        Session.objects.bulk_create(rows, batch_size=batch_size)
    return keys


def sign_in(found: Sample, *, batch_size: int = SIGN_IN_BATCH) -> Targets:
    sessions = sessions_for(found.user_ids(), batch_size=batch_size)
    return Targets(
        get=[(pk, sessions[mentee]) for pk, mentee in found.get],
        no_thanks=[(pk, sessions[mentee]) for pk, mentee in found.no_thanks],
        connect=[(pk, sessions[mentee]) for pk, mentee in found.connect],
        connect_post=[
            (membership, sessions[mentee]) for membership, _, mentee in found.connect_post
        ],
        mentees=[sessions[m] for m in found.mentees],
    )
