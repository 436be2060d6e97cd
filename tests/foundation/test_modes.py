"""The availability / in-effect rules of DESIGN.md, over every combination of switches."""

import itertools
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching import modes

SWITCHES = list(itertools.product([False, True], repeat=5))


@pytest.mark.parametrize(
    ("ongoing", "one_time", "preferred", "choose", "enabled"),
    SWITCHES,
    ids=lambda v: "on" if v else "off",
)
def test_feature_available_only_with_both_modes_and_preferred_off(
    ongoing, one_time, preferred, choose, enabled
):
    settings = SimpleNamespace(
        ongoing_enabled=ongoing,
        one_time_enabled=one_time,
        preferred_mentoring_enabled=preferred,
        mentors_choose_modes=choose,
        flash_to_ongoing_enabled=enabled,
    )
    expected_available = ongoing and one_time and not preferred
    assert modes.flash_to_ongoing_available(settings) is expected_available
    assert modes.flash_to_ongoing_in_effect(settings) is (expected_available and enabled)
    reason = modes.flash_to_ongoing_unavailable_reason(settings)
    assert (reason == "") is expected_available
    if not ongoing:
        assert "turn on ongoing mentoring" in reason
    if not one_time:
        assert "turn on one-time mentoring" in reason
    if preferred:
        assert "turn off Preferred Mentoring" in reason


@given(
    ongoing=st.booleans(),
    one_time=st.booleans(),
    choose=st.booleans(),
    offers_ongoing=st.booleans(),
    offers_one_time=st.booleans(),
)
def test_mentor_offers_program_modes_narrowed_only_when_mentors_choose(
    ongoing, one_time, choose, offers_ongoing, offers_one_time
):
    settings = SimpleNamespace(
        ongoing_enabled=ongoing,
        one_time_enabled=one_time,
        preferred_mentoring_enabled=False,
        mentors_choose_modes=choose,
    )
    mentor = SimpleNamespace(offers_ongoing=offers_ongoing, offers_one_time=offers_one_time)
    offered = modes.mentor_modes_offered(settings=settings, mentor=mentor)
    if choose:
        assert offered.ongoing == (ongoing and offers_ongoing)
        assert offered.one_time == (one_time and offers_one_time)
    else:
        assert (offered.ongoing, offered.one_time) == (ongoing, one_time)
    # A mode the program has off is never offered, whatever the mentor says.
    assert not (offered.ongoing and not ongoing)
    assert not (offered.one_time and not one_time)
