import pytest
from django.core.management import call_command

from flash_meetings.models import FlashMeeting
from matching import eligibility
from matching.eligibility import Reason

pytestmark = pytest.mark.django_db


def decision_for(mentor: str, program: str = "demo"):
    meeting = FlashMeeting.objects.get(
        program__slug=program, mentee__username="mentee1", mentor__username=mentor
    )
    return eligibility.for_meeting(meeting=meeting)


def test_seed_demo_shows_every_follow_up_case_for_mentee1():
    call_command("seed_demo")
    forced = decision_for("mentor1")
    assert forced.offered and forced.policy == "forced_connection"
    assert decision_for("mentor2").reason == Reason.MENTOR_FULL
    assert decision_for("mentor4").reason == Reason.MENTOR_ONE_TIME_ONLY
    by_request = decision_for("mentor3", program="demo-requests")
    assert by_request.offered and by_request.policy == "connection_request"


def test_seed_demo_twice_adds_no_meetings():
    call_command("seed_demo")
    before = sorted(FlashMeeting.objects.values_list("pk", "status", "follow_up_choice"))
    call_command("seed_demo")
    assert sorted(FlashMeeting.objects.values_list("pk", "status", "follow_up_choice")) == before


def test_the_offer_comes_back_after_mentee1_used_it(client):
    call_command("seed_demo")
    first = FlashMeeting.objects.get(
        program__slug="demo", mentee__username="mentee1", mentor__username="mentor1"
    )
    FlashMeeting.objects.filter(pk=first.pk).update(follow_up_choice="no_thanks")
    call_command("seed_demo")
    again = FlashMeeting.objects.filter(
        program__slug="demo", mentee__username="mentee1", mentor__username="mentor1"
    ).exclude(pk=first.pk)
    assert again.count() == 1
    assert eligibility.for_meeting(meeting=again.get()).offered
