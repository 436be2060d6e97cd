"""The two change histories (a program's matching settings, a person's membership) record
a change in one format (``matching.history``): the same words for the same kind of value,
in the language of the person who made the change, shown as "label: old → new; …"."""

from datetime import date

import pytest
from django.utils import translation

from matching import history, services
from matching.models import FlashToOngoingPolicy
from tests.factories import MentorMembershipFactory

pytestmark = pytest.mark.django_db


def test_a_switch_reads_the_same_in_both_histories_in_the_changers_language(
    matching_settings,
):
    mentor = MentorMembershipFactory(program=matching_settings.program, offers_ongoing=True)
    with translation.override("es"):
        settings_change = services.matching_settings_update(
            matching_settings=matching_settings,
            actor=None,
            changes={"one_time_enabled": not matching_settings.one_time_enabled},
        )
        membership_change = services.membership_update(
            membership=mentor, actor=None, changes={"offers_ongoing": False}, by_admin=True
        )
    switched = settings_change.changes["one_time_enabled"]
    assert {switched["old"], switched["new"]} == {"sí", "no"}
    assert membership_change.changes["offers_ongoing"]["new"] == "no"


def test_values_are_recorded_as_an_admin_reads_them(matching_settings):
    mentor = MentorMembershipFactory(program=matching_settings.program, headline="")
    shown = [
        history.shown(mentor, "headline", ""),
        history.shown(mentor, "headline", "x" * 200),
        history.shown(mentor, "paused_until", date(2027, 3, 30)),
        history.shown(mentor, "role", mentor.role),
        history.shown(mentor, "program", mentor.program),
        history.shown(
            matching_settings, "flash_to_ongoing_policy", FlashToOngoingPolicy.FORCED_CONNECTION
        ),
        history.shown(matching_settings, "default_max_ongoing_mentees", 3),
    ]
    assert shown == [
        "—",
        "x" * 79 + "…",
        "30 March 2027",
        "Mentor",
        str(mentor.program),
        str(FlashToOngoingPolicy.FORCED_CONNECTION.label),
        "3",
    ]


def test_only_what_changed_is_applied_and_recorded(matching_settings):
    limit = matching_settings.default_max_ongoing_mentees
    recorded = history.apply_changes(
        matching_settings,
        {"default_max_ongoing_mentees": limit, "ongoing_enabled": False},
    )
    assert list(recorded) == ["ongoing_enabled"]
    assert matching_settings.ongoing_enabled is False
    assert history.summary(recorded) == f"{recorded['ongoing_enabled']['label']}: on → off"
    assert history.summary({}) == ""
