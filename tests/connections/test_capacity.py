"""The slot rules as plain functions: a decision and a reason."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from matching import capacity

FACTS = capacity.RequestFacts(
    is_mentee=True,
    own_profile=False,
    ongoing_enabled=True,
    preferred_mentoring_enabled=False,
    mentor_active=True,
    mentor_offers_ongoing=True,
    mentor_declined=False,
    already_connected=False,
    request_pending=False,
    mentor_paused=False,
    mentor_slots_used=1,
    mentor_limit=2,
    mentee_active_connections=0,
    mentee_connection_limit=1,
    mentee_pending_requests=0,
    mentee_pending_limit=3,
)


def test_mentor_limit_falls_back_to_the_program_default():
    assert capacity.mentor_limit(max_ongoing_mentees=None, default_max_ongoing_mentees=5) == 5
    assert capacity.mentor_limit(max_ongoing_mentees=0, default_max_ongoing_mentees=5) == 0
    assert capacity.mentor_limit(max_ongoing_mentees=2, default_max_ongoing_mentees=5) == 2


def test_free_slot_and_accept_rules():
    assert capacity.mentor_has_free_slot(slots_used=1, limit=2)
    assert capacity.mentor_has_free_slot(slots_used=2, limit=2).reason == "mentor_full"
    assert not capacity.mentor_has_free_slot(slots_used=0, limit=0)
    # Accepting converts the request's own held slot: only active connections count.
    assert capacity.mentor_may_accept(active_connections=1, limit=2)
    assert capacity.mentor_may_accept(active_connections=2, limit=2).reason == "mentor_full"


def test_the_request_decision_allows_when_everything_holds():
    decision = capacity.request_decision(FACTS)
    assert decision.allowed and decision.reason == ""


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"own_profile": True}, "own_profile"),
        ({"is_mentee": False}, "not_a_mentee"),
        ({"ongoing_enabled": False}, "ongoing_off"),
        ({"preferred_mentoring_enabled": True}, "preferred_mentoring"),
        ({"mentor_active": False}, "mentor_inactive"),
        ({"mentor_offers_ongoing": False}, "mentor_not_ongoing"),
        ({"mentor_declined": True}, "mentor_declined"),
        ({"already_connected": True}, "already_connected"),
        ({"request_pending": True}, "request_pending"),
        ({"mentor_paused": True}, "mentor_paused"),
        ({"mentor_slots_used": 2}, "mentor_full"),
        ({"mentee_active_connections": 1}, "mentee_at_limit"),
        ({"mentee_pending_requests": 3}, "too_many_pending"),
    ],
)
def test_each_rule_has_its_reason(change, reason):
    decision = capacity.request_decision(replace(FACTS, **change))
    assert not decision and decision.reason == reason


def test_the_first_failing_rule_wins():
    facts = replace(FACTS, already_connected=True, mentor_slots_used=9, is_mentee=False)
    assert capacity.request_decision(facts).reason == "not_a_mentee"


def test_a_decline_comes_right_after_the_mentor_not_offering_ongoing():
    declined = replace(FACTS, mentor_declined=True)
    assert capacity.request_decision(declined).reason == "mentor_declined"
    assert (
        capacity.request_decision(replace(declined, mentor_offers_ongoing=False)).reason
        == "mentor_not_ongoing"
    )
    for later in (
        {"already_connected": True},
        {"request_pending": True},
        {"mentor_slots_used": 2},
        {"mentee_active_connections": 1},
    ):
        assert capacity.request_decision(replace(declined, **later)).reason == "mentor_declined"


def test_a_decline_stands_for_the_cool_off_only():
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)

    def stands(ago: timedelta | None, days: int = 90) -> bool:
        return capacity.declined_within_cooldown(
            last_declined_at=None if ago is None else now - ago, cooldown_days=days, now=now
        )

    assert stands(timedelta(days=1))
    assert stands(timedelta(days=89, hours=23))
    assert not stands(timedelta(days=90))
    assert not stands(timedelta(days=200))
    assert not stands(None)
    assert not stands(timedelta(minutes=1), days=0)  # 0 turns the rule off


def test_slots_value():
    slots = capacity.Slots(used=3, limit=2)
    assert slots.free == 0 and not slots.has_free
