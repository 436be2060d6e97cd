"""Invariants under random use: a Hypothesis state machine over the services.

Over 400 lines on purpose: one state machine, its rules and the invariants it checks
after every step belong together.

Each example sets up one program (3 mentors with small limits, 4 mentees) and runs a
random sequence of what people and program admins do, through the services only:
connection requests (send, accept, decline, withdraw, expire), direct connections
(admin, Preferred Mentoring), ending connections, flash meetings (slot, request,
accept; time passing; ended meetings written directly to save time), the post-meeting
follow-up with each choice under each policy, and admin moves (a mentor's or the
program's limit lowered or raised, the policy, the feature switch and Preferred
Mentoring switched through ``matching_settings_update``).

A refusal (``mentoring.errors.DomainError`` and its subclasses) is an expected outcome;
any other exception fails the test. After every step the machine checks:

* no mentor gained a slot (an active connection or a pending request of a new mentee)
  while at or above their limit — slots above a lowered limit are kept, never taken;
* at most one active connection and one pending request per pair (and never both);
* mentees stay within their program's active and pending limits;
* every connection or request that comes from a flash meeting points at a meeting of
  that very pair in that program, and a "yes" answer left one behind;
* every notification dedupe key exists once.

Each example runs inside a savepoint that is rolled back at its end (fast, and the same
on PostgreSQL and SQLite); the constraints and row locks are the real ones.
"""

from __future__ import annotations

import collections
import dataclasses
import os
from datetime import time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from flash_meetings import services as flash_services
from flash_meetings.models import FlashMeeting
from matching import services
from matching.capacity import mentor_limit
from matching.models import Connection, ConnectionRequest, FlashToOngoingPolicy, MatchingSettings
from matching.services import matching_settings_update
from mentoring.errors import DomainError
from mentoring.models import Membership
from notifications.models import Notification
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

MENTORS = 3
MENTEES = 4
EXPIRY_DAYS = 10
POLICIES = FlashToOngoingPolicy.values
CHOICES = FlashMeeting.FollowUpChoice.values

Active = Connection.Status.ACTIVE
Pending = ConnectionRequest.Status.PENDING

# Outcomes over the whole run (printed by the test): what the services did and refused.
OUTCOMES: collections.Counter[str] = collections.Counter()

pick = st.integers(min_value=0, max_value=63)  # an index into the current rows
mentor_index = st.integers(min_value=0, max_value=MENTORS - 1)
mentee_index = st.integers(min_value=0, max_value=MENTEES - 1)
limit_value = st.one_of(st.none(), st.integers(min_value=0, max_value=3))
mostly = st.sampled_from([True, True, True, False])  # mostly the rows that can still move
SETTINGS_CHANGES = [
    *({"flash_to_ongoing_policy": policy} for policy in FlashToOngoingPolicy.values),
    {"flash_to_ongoing_enabled": True},
    {"flash_to_ongoing_enabled": False},
    {"preferred_mentoring_enabled": True},
    {"preferred_mentoring_enabled": False},
    *({"default_max_ongoing_mentees": n} for n in range(4)),
]


class ServicesMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.future_slots = 0
        self.past_meetings = 0
        self.program = ProgramFactory()
        self.settings = self.program.matching_settings
        matching_settings_update(
            matching_settings=self.settings,
            actor=None,
            changes={
                "flash_to_ongoing_enabled": True,
                "default_max_ongoing_mentees": 2,
                "max_ongoing_mentors_per_mentee": 2,
                "max_pending_requests_per_mentee": 2,
                "request_expiry_days": EXPIRY_DAYS,
            },
        )
        self.admin = UserFactory(is_staff=True)
        self.mentor_memberships = [
            MentorMembershipFactory(
                program=self.program,
                max_ongoing_mentees=limit,
                max_flash_meetings_per_month=500,
            )
            for limit in (1, 2, None)
        ]
        self.mentors = [membership.user for membership in self.mentor_memberships]
        self.mentees = [
            MembershipFactory(program=self.program, role=Membership.Role.MENTEE).user
            for _ in range(MENTEES)
        ]
        # Over meetings from the start, so the follow-up has something to answer at once.
        for number, mentee in enumerate(self.mentees):
            for offset, status in (
                (0, FlashMeeting.Status.SCHEDULED),
                (1, FlashMeeting.Status.COMPLETED),
            ):
                self._ended_meeting(self.mentors[(number + offset) % MENTORS], mentee, status)
        self.slots_before = self._slot_state()
        OUTCOMES["examples"] += 1

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------

    def _call(self, name: str, function, **kwargs):
        """Run a service: a domain error is an outcome, anything else fails the test."""
        try:
            result = function(**kwargs)
        except DomainError as error:
            OUTCOMES[f"{name}: refused ({type(error).__name__})"] += 1
            return None
        OUTCOMES[f"{name}: done"] += 1
        return result

    def _request(self, index: int, pending_only: bool):
        requests = ConnectionRequest.objects.filter(program=self.program)
        if pending_only:
            requests = requests.filter(status=Pending)
        return self._nth(requests, index)

    @staticmethod
    def _nth(queryset, index: int):
        rows = list(queryset.order_by("pk"))
        return rows[index % len(rows)] if rows else None

    def _settings_now(self):
        self.settings.refresh_from_db()
        return self.settings

    def _past_times(self):
        self.past_meetings += 1
        ends_at = timezone.now() - timedelta(hours=self.past_meetings, minutes=5)
        return ends_at - timedelta(minutes=30), ends_at

    @initialize(policy=st.sampled_from(POLICIES))
    def start_with_a_policy(self, policy):
        """Each example starts under one policy (admins may switch it later)."""
        matching_settings_update(
            matching_settings=self._settings_now(),
            actor=None,
            changes={"flash_to_ongoing_policy": policy},
        )

    # --- connection requests -----------------------------------------------------------

    @rule(
        mentor=mentor_index, mentee=mentee_index, message=st.sampled_from(["Hi", "Hi", "Hi", " "])
    )
    def send_request(self, mentor, mentee, message):
        self._call(
            "connection_request_create",
            services.connection_request_create,
            program=self.program,
            mentor=self.mentors[mentor],
            mentee=self.mentees[mentee],
            message=message,
        )

    @rule(index=pick, pending_only=mostly, as_mentor=mostly)
    def accept_request(self, index, pending_only, as_mentor):
        request = self._request(index, pending_only)
        if request is None:
            return
        actor = request.mentor if as_mentor else request.mentee
        self._call(
            "connection_request_accept",
            services.connection_request_accept,
            request=request,
            actor=actor,
        )

    @rule(
        index=pick,
        pending_only=mostly,
        reason=st.sampled_from([*ConnectionRequest.DeclineReason.values, "bogus"]),
    )
    def decline_request(self, index, pending_only, reason):
        request = self._request(index, pending_only)
        if request is None:
            return
        self._call(
            "connection_request_decline",
            services.connection_request_decline,
            request=request,
            actor=request.mentor,
            reason=reason,
            note="Sorry.",
        )

    @rule(index=pick, pending_only=mostly, as_mentee=mostly)
    def withdraw_request(self, index, pending_only, as_mentee):
        request = self._request(index, pending_only)
        if request is None:
            return
        self._call(
            "connection_request_withdraw",
            services.connection_request_withdraw,
            request=request,
            actor=request.mentee if as_mentee else request.mentor,
        )

    @rule(days=st.sampled_from([0, EXPIRY_DAYS // 2 + 1, EXPIRY_DAYS + 1]))
    def expire_requests(self, days):
        self._call(
            "connection_requests_expire",
            services.connection_requests_expire,
            now=timezone.now() + timedelta(days=days),
        )

    # --- connections -------------------------------------------------------------------

    @rule(
        mentor=mentor_index,
        mentee=mentee_index,
        origin=st.sampled_from([Connection.Origin.ADMIN, Connection.Origin.PREFERRED_MENTORING]),
    )
    def create_connection(self, mentor, mentee, origin):
        self._call(
            "connection_create",
            services.connection_create,
            program=self.program,
            mentor=self.mentors[mentor],
            mentee=self.mentees[mentee],
            origin=origin,
            actor=self.admin,
        )

    @rule(mentor=mentor_index, mentee=mentee_index, index=pick, as_request=st.booleans())
    def a_caller_cites_a_meeting(self, mentor, mentee, index, as_request):
        """A caller passes a flash meeting (maybe another pair's) as the origin: the
        service itself must keep "what comes from a meeting points at that meeting"."""
        meeting = self._nth(FlashMeeting.objects.all(), index)
        pair = {
            "program": self.program,
            "mentor": self.mentors[mentor],
            "mentee": self.mentees[mentee],
        }
        if as_request:
            self._call(
                "connection_request_create (citing a meeting)",
                services.connection_request_create,
                **pair,
                message="Hi",
                origin=ConnectionRequest.Origin.FLASH_MEETING,
                flash_meeting=meeting,
            )
        else:
            self._call(
                "connection_create (citing a meeting)",
                services.connection_create,
                **pair,
                origin=Connection.Origin.FLASH_MEETING,
                flash_meeting=meeting,
                actor=self.admin,
            )

    @rule(index=pick, by=st.sampled_from(["mentor", "mentee", "admin"]))
    def end_connection(self, index, by):
        connection = self._nth(Connection.objects.filter(program=self.program), index)
        if connection is None:
            return
        actor = {"mentor": connection.mentor, "mentee": connection.mentee, "admin": self.admin}
        self._call(
            "connection_end",
            services.connection_end,
            connection=connection,
            actor=actor[by],
            reason="We are done.",
        )

    # --- flash meetings ----------------------------------------------------------------

    @rule(mentor=mentor_index, mentee=mentee_index, accept=st.booleans())
    def book_meeting(self, mentor, mentee, accept):
        """Slot → request → (accept): a scheduled meeting in the future."""
        self.future_slots += 1
        day = (timezone.now() + timedelta(days=2 + self.future_slots // 8)).date()
        at = time(hour=8 + self.future_slots % 8)
        slots = self._call(
            "availability_slots_create",
            flash_services.availability_slots_create,
            membership=self.mentor_memberships[mentor],
            day=day,
            at=at,
        )
        if not slots:
            return
        meeting = self._call(
            "flash_meeting_request",
            flash_services.flash_meeting_request,
            mentor_membership=self.mentor_memberships[mentor],
            mentee=self.mentees[mentee],
            topic="Careers",
            slot=slots[0],
        )
        if meeting is not None and accept:
            self._call(
                "flash_meeting_accept",
                flash_services.flash_meeting_accept,
                meeting=meeting,
                actor=self.mentors[mentor],
            )

    @rule(index=pick)
    def time_passes_for_a_meeting(self, index):
        """The end of a scheduled future meeting passes (the clock moves, not the data)."""
        meeting = self._nth(
            FlashMeeting.objects.filter(
                program=self.program,
                status=FlashMeeting.Status.SCHEDULED,
                ends_at__gt=timezone.now(),
            ),
            index,
        )
        if meeting is None:
            return
        starts_at, ends_at = self._past_times()
        FlashMeeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, ends_at=ends_at)

    @rule(
        mentor=mentor_index,
        mentee=mentee_index,
        status=st.sampled_from([FlashMeeting.Status.SCHEDULED, FlashMeeting.Status.COMPLETED]),
    )
    def an_ended_meeting(self, mentor, mentee, status):
        """An over meeting, written directly (booking one in the past is not possible)."""
        self._ended_meeting(self.mentors[mentor], self.mentees[mentee], status)

    def _ended_meeting(self, mentor, mentee, status) -> FlashMeeting:
        starts_at, ends_at = self._past_times()
        return FlashMeeting.objects.create(
            program=self.program,
            mentor=mentor,
            mentee=mentee,
            topic="Past meeting",
            status=status,
            starts_at=starts_at,
            ends_at=ends_at,
            counts_in_month=starts_at.date().replace(day=1),
        )

    @rule(
        index=pick,
        over_only=mostly,
        choice=st.sampled_from([*CHOICES, *CHOICES, FlashMeeting.FollowUpChoice.CONNECT, "bogus"]),
        expected_policy=st.sampled_from(["", *POLICIES]),
        as_mentee=st.integers(min_value=0, max_value=9),
    )
    def follow_up(self, index, over_only, choice, expected_policy, as_mentee):
        meetings = FlashMeeting.objects.filter(program=self.program)
        if over_only:
            meetings = meetings.filter(ends_at__lte=timezone.now())
        meeting = self._nth(meetings, index)
        if meeting is None:
            return
        actor = meeting.mentee if as_mentee else meeting.mentor
        self._answer(meeting, choice, expected_policy, actor)

    @rule(index=pick, expected_policy=st.sampled_from(["", *POLICIES]))
    def mentee_says_yes(self, index, expected_policy):
        """The core path, on its own so that every run takes it often: an unanswered
        over meeting's mentee chooses "yes"."""
        meeting = self._nth(
            FlashMeeting.objects.filter(
                program=self.program, ends_at__lte=timezone.now(), follow_up_choice=""
            ),
            index,
        )
        if meeting is None:
            return
        self._answer(meeting, FlashMeeting.FollowUpChoice.CONNECT, expected_policy, meeting.mentee)

    def _answer(self, meeting, choice, expected_policy, actor) -> None:
        before = self._counts()
        settings_now = self._settings_now()
        policy = (
            settings_now.flash_to_ongoing_policy
            if settings_now.flash_to_ongoing_enabled
            and not settings_now.preferred_mentoring_enabled
            else "feature off"
        )
        result = self._call(
            f"follow_up_answer {choice} ({policy})",
            flash_services.follow_up_answer,
            meeting=meeting,
            actor=actor,
            choice=choice,
            expected_policy=expected_policy,
        )
        if result is not None and result.repeated:
            assert self._counts() == before, "a repeated follow-up answer changed something"

    # --- admin moves -------------------------------------------------------------------

    @rule(mentor=mentor_index, limit=limit_value)
    def admin_sets_a_mentor_limit(self, mentor, limit):
        active = set(Connection.objects.filter(status=Active).values_list("pk", flat=True))
        Membership.objects.filter(pk=self.mentor_memberships[mentor].pk).update(
            max_ongoing_mentees=limit
        )
        still = set(Connection.objects.filter(status=Active).values_list("pk", flat=True))
        assert still == active, "changing a limit ended connections"

    @rule(change=st.sampled_from(SETTINGS_CHANGES))
    def admin_changes_settings(self, change):
        active = set(Connection.objects.filter(status=Active).values_list("pk", flat=True))
        matching_settings_update(
            matching_settings=self._settings_now(), actor=self.admin, changes=change
        )
        OUTCOMES[f"settings: {next(iter(change))}"] += 1
        still = set(Connection.objects.filter(status=Active).values_list("pk", flat=True))
        assert still == active, "changing a setting ended connections"

    # --- invariants --------------------------------------------------------------------

    def _counts(self) -> tuple[int, ...]:
        return (
            Connection.objects.count(),
            Connection.objects.filter(status=Active).count(),
            ConnectionRequest.objects.count(),
            ConnectionRequest.objects.filter(status=Pending).count(),
            Notification.objects.count(),
        )

    def _slot_state(
        self, snapshot: Snapshot | None = None
    ) -> dict[int, tuple[int, int, frozenset]]:
        """Per mentor: (limit, slots used, mentees holding a slot)."""
        snapshot = snapshot or Snapshot.take(self.program)
        holders = collections.defaultdict(list)
        for row in snapshot.connections:
            if row.status == Active:
                holders[row.mentor_id].append(row.mentee_id)
        for row in snapshot.requests:
            if row.status == Pending:
                holders[row.mentor_id].append(row.mentee_id)
        return {
            mentor_id: (
                mentor_limit(
                    max_ongoing_mentees=own_limit,
                    default_max_ongoing_mentees=snapshot.default_max_ongoing_mentees,
                ),
                len(holders[mentor_id]),
                frozenset(holders[mentor_id]),
            )
            for mentor_id, own_limit in snapshot.mentor_limits.items()
        }

    @invariant()
    def invariants_hold(self):
        # One snapshot (six queries) per step; every check reads from it.
        snapshot = Snapshot.take(self.program)
        OUTCOMES["steps checked"] += 1
        self._no_new_slot_beyond_the_limit(snapshot)
        self._one_active_connection_and_one_pending_request_per_pair(snapshot)
        self._mentees_within_their_limits(snapshot)
        self._what_comes_from_a_meeting_points_at_that_meeting(snapshot)
        keys = snapshot.dedupe_keys
        doubled = [key for key, n in collections.Counter(keys).items() if n > 1]
        assert not doubled, f"dedupe keys written more than once: {doubled}"

    def _no_new_slot_beyond_the_limit(self, snapshot: Snapshot) -> None:
        after = self._slot_state(snapshot)
        for mentor_id, (_limit, used, holders) in after.items():
            limit_before, used_before, holders_before = self.slots_before[mentor_id]
            new = holders - holders_before
            assert used_before + len(new) <= max(limit_before, used_before), (
                f"mentor {mentor_id} took {len(new)} new slot(s) with {used_before} of "
                f"{limit_before} used"
            )
            assert used <= max(limit_before, used_before), (
                f"mentor {mentor_id} went from {used_before} to {used} slots (limit {limit_before})"
            )
        self.slots_before = after

    @staticmethod
    def _one_active_connection_and_one_pending_request_per_pair(snapshot: Snapshot) -> None:
        connected = collections.Counter(r.pair for r in snapshot.connections if r.status == Active)
        waiting = collections.Counter(r.pair for r in snapshot.requests if r.status == Pending)
        assert max(connected.values(), default=0) <= 1, f"two active connections: {connected}"
        assert max(waiting.values(), default=0) <= 1, f"two pending requests: {waiting}"
        both = set(connected) & set(waiting)
        assert not both, f"connected pairs with a pending request: {both}"

    @staticmethod
    def _mentees_within_their_limits(snapshot: Snapshot) -> None:
        active = collections.Counter(
            r.mentee_id for r in snapshot.connections if r.status == Active
        )
        pending = collections.Counter(r.mentee_id for r in snapshot.requests if r.status == Pending)
        assert max(active.values(), default=0) <= snapshot.max_ongoing_mentors_per_mentee
        assert max(pending.values(), default=0) <= snapshot.max_pending_requests_per_mentee

    @staticmethod
    def _what_comes_from_a_meeting_points_at_that_meeting(snapshot: Snapshot) -> None:
        meetings = {meeting.pk: meeting for meeting in snapshot.meetings}
        for kind, rows in (("connection", snapshot.connections), ("request", snapshot.requests)):
            for row in rows:
                from_meeting = row.origin == FROM_MEETING
                assert from_meeting == (row.flash_meeting_id is not None), (
                    f"{kind} {row.pk}: origin {row.origin} with meeting {row.flash_meeting_id}"
                )
                if from_meeting:
                    assert meetings[row.flash_meeting_id].pair == row.pair, (
                        f"{kind} {row.pk} points at another pair's meeting {row.flash_meeting_id}"
                    )
        answered_yes = {
            m.pk
            for m in snapshot.meetings
            if m.follow_up_choice == FlashMeeting.FollowUpChoice.CONNECT
        }
        came_of_it = {row.flash_meeting_id for row in (*snapshot.connections, *snapshot.requests)}
        assert answered_yes <= came_of_it, (
            f"meetings answered yes with nothing to show: {answered_yes - came_of_it}"
        )


FROM_MEETING = "flash_meeting"  # the same value on Connection.Origin and ConnectionRequest.Origin
Row = collections.namedtuple(
    "Row", "pk program_id mentor_id mentee_id status origin flash_meeting_id"
)
MeetingRow = collections.namedtuple(
    "MeetingRow", "pk program_id mentor_id mentee_id follow_up_choice"
)
Row.pair = property(lambda row: (row.program_id, row.mentor_id, row.mentee_id))
MeetingRow.pair = property(lambda row: (row.program_id, row.mentor_id, row.mentee_id))


@dataclasses.dataclass(frozen=True)
class Snapshot:
    connections: list[Row]
    requests: list[Row]
    meetings: list[MeetingRow]
    mentor_limits: dict[int, int | None]
    default_max_ongoing_mentees: int
    max_ongoing_mentors_per_mentee: int
    max_pending_requests_per_mentee: int
    dedupe_keys: list[str]

    @classmethod
    def take(cls, program) -> Snapshot:
        fields = Row._fields
        settings_row = MatchingSettings.objects.filter(program=program).values(
            "default_max_ongoing_mentees",
            "max_ongoing_mentors_per_mentee",
            "max_pending_requests_per_mentee",
        )[0]
        return cls(
            connections=[Row(*values) for values in Connection.objects.values_list(*fields)],
            requests=[Row(*values) for values in ConnectionRequest.objects.values_list(*fields)],
            meetings=[
                MeetingRow(*values)
                for values in FlashMeeting.objects.values_list(*MeetingRow._fields)
            ],
            mentor_limits=dict(
                Membership.objects.filter(program=program, role=Membership.Role.MENTOR).values_list(
                    "user_id", "max_ongoing_mentees"
                )
            ),
            dedupe_keys=list(Notification.objects.values_list("dedupe_key", flat=True)),
            **settings_row,
        )


# Bounded for CI (about 30 s on PostgreSQL on a 2-core machine); raise it for a longer
# hunt: INVARIANT_EXAMPLES=500 pytest tests/hardening/test_invariants.py
EXAMPLES = int(os.environ.get("INVARIANT_EXAMPLES", "30"))
STEPS = 30


def test_services_keep_their_invariants_under_random_use(capsys):
    OUTCOMES.clear()
    run_state_machine_as_test(
        ServicesMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    with capsys.disabled():
        done = sum(n for key, n in OUTCOMES.items() if key.endswith(": done"))
        refused = sum(n for key, n in OUTCOMES.items() if "refused" in key)
        print(f"\n[invariants] service calls: {done} done, {refused} refused")
        for key, n in sorted(OUTCOMES.items()):
            print(f"  {n:5d}  {key}")
