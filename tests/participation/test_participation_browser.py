"""My participation, clicked through in Chromium on the demo data (seed_demo: the demo
program lets mentors choose their modes).

mentor1 reaches their participation page from the dashboard and chooses one-time
meetings only; mentee1's follow-up of the ended meeting with mentor1 then offers no
connection and says why; mentor1 switches back to both and the offer is back. Then a
pause and a lower capacity, as the directory, the profile (Connect) and the follow-up
show them on the next request."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from flash_meetings.demo import OVER_TOPIC
from flash_meetings.models import FlashMeeting
from matching.models import MembershipChange
from mentoring.models import Membership
from mentoring.when import day
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YES = re.compile(r"^Yes, connect me with Amara Okafor")
SAVE = "Save my mentoring details"


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    meeting = FlashMeeting.objects.get(
        program__slug="demo", mentor__username="mentor1", topic=OVER_TOPIC
    )
    return meeting


def _as(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, username, password="demo")  # noqa: S106  (the demo's)


def _participation_from_dashboard(page, live_server) -> None:
    _as(page, live_server, "mentor1")
    page.get_by_role("link", name=re.compile("^Your participation")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your participation")


def _follow_up(page, live_server, meeting) -> None:
    _as(page, live_server, "mentee1")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/follow-up/")


def test_mentor1_offers_one_time_only_then_both_and_the_follow_up_follows(page, live_server, demo):
    _follow_up(page, live_server, demo)
    expect(page.get_by_role("button", name=YES)).to_be_visible()

    _participation_from_dashboard(page, live_server)
    page.get_by_label("One-time meetings only").check()
    page.get_by_role("button", name=SAVE).click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    expect(page.get_by_label("One-time meetings only")).to_be_checked()

    _follow_up(page, live_server, demo)
    expect(page.get_by_role("button", name=YES)).to_have_count(0)
    expect(page.get_by_text("Amara Okafor offers one-time meetings only.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^No thanks"))).to_be_visible()

    _participation_from_dashboard(page, live_server)
    page.get_by_label("Both: ongoing mentoring and one-time meetings").check()
    page.get_by_role("button", name=SAVE).click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()

    _follow_up(page, live_server, demo)
    expect(page.get_by_role("button", name=YES)).to_be_visible()
    history = MembershipChange.objects.filter(membership__user__username="mentor1")
    assert history.count() == 2 and {c.changed_by.username for c in history} == {"mentor1"}


def test_a_pause_and_a_lower_capacity_show_on_directory_profile_and_follow_up(
    page, live_server, demo
):
    mentor1 = Membership.objects.get(user__username="mentor1", program__slug="demo")
    directory = f"{live_server.url}/programs/demo/mentors/"
    profile = f"{live_server.url}/programs/demo/mentors/{mentor1.pk}/"
    until = timezone.now().astimezone(UTC).date() + timedelta(days=21)
    paused = f"Not taking new mentees until {day(until)}"

    _participation_from_dashboard(page, live_server)
    page.get_by_label("Not taking new mentees until (optional)").fill(until.isoformat())
    page.get_by_role("button", name=SAVE).click()
    expect(page.get_by_text(f"You are not taking new mentees until {day(until)}")).to_be_visible()

    _as(page, live_server, "mentee1")
    page.goto(directory)
    card = page.get_by_role("listitem").filter(has_text="Amara Okafor")
    expect(card.get_by_text(paused)).to_be_visible()
    page.goto(profile)
    expect(page.get_by_text(paused)).to_be_visible()
    expect(page.get_by_role("button", name="Connect")).to_have_count(0)
    expect(
        page.get_by_text("Amara Okafor is taking a break from new mentees until")
    ).to_be_visible()
    page.goto(f"{live_server.url}/meetings/{demo.pk}/follow-up/")
    expect(page.get_by_role("button", name=YES)).to_have_count(0)
    expect(
        page.get_by_text("Amara Okafor is taking a break from new mentees until")
    ).to_be_visible()

    # No pause, but room for one: mentee3's pending request (the demo's) fills it.
    _participation_from_dashboard(page, live_server)
    page.get_by_label("Not taking new mentees until (optional)").fill("")
    page.get_by_label("Most ongoing mentees at a time (optional)").fill("1")
    page.get_by_role("button", name=SAVE).click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()

    _as(page, live_server, "mentee1")
    page.goto(directory)
    card = page.get_by_role("listitem").filter(has_text="Amara Okafor")
    expect(card.get_by_text("Not taking new mentees right now")).to_be_visible()
    page.goto(profile)
    expect(page.get_by_role("button", name="Connect")).to_have_count(0)
    expect(page.get_by_text("isn't taking on new ongoing mentees right now")).to_be_visible()
    page.goto(f"{live_server.url}/meetings/{demo.pk}/follow-up/")
    expect(page.get_by_role("button", name=YES)).to_have_count(0)
    expect(page.get_by_text("isn't taking on new ongoing mentees right now")).to_be_visible()

    # Back to the program's default (3): Connect and the offer are back.
    _participation_from_dashboard(page, live_server)
    page.get_by_label("Most ongoing mentees at a time (optional)").fill("")
    page.get_by_role("button", name=SAVE).click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    _as(page, live_server, "mentee1")
    page.goto(profile)
    expect(page.get_by_role("button", name="Connect")).to_be_visible()
    page.goto(f"{live_server.url}/meetings/{demo.pk}/follow-up/")
    expect(page.get_by_role("button", name=YES)).to_be_visible()
