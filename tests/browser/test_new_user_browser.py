"""What a new user tripped over (issue 14), each point clicked through in Chromium.

Each test here failed on the code before the fix: answered meetings still listed "to
follow up", "Over" on one page and "Completed" on another, "did not happen" recorded in
one click and followed by a "cancelled meeting" survey, mentor pages in a mentee's
navigation (and the other way round), staff landing on an empty participant dashboard,
raw zone names and a double full stop after "p.m.".
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from flash_meetings.models import FlashMeeting
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.flash_meetings.factories import FlashMeetingFactory
from tests.follow_up.conftest import make_setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def nav(page):
    return page.get_by_role("navigation", name="Main")


def test_an_answered_meeting_leaves_follow_up_and_reads_completed_everywhere(page, live_server):
    setup = make_setup("forced_connection")
    ended = timezone.now() - timedelta(days=2)
    answered = FlashMeetingFactory(
        program=setup.program,
        mentor=setup.mentor,
        mentee=setup.mentee,
        topic="Salary negotiation",
        starts_at=ended - timedelta(minutes=30),
        ends_at=ended,
        status=FlashMeeting.Status.COMPLETED,
        follow_up_choice=FlashMeeting.FollowUpChoice.NO_THANKS,
        follow_up_answered_at=ended,
    )
    sign_in(page, live_server, setup.mentee.username)
    nav(page).get_by_role("link", name="My meetings").click()

    to_follow_up = page.get_by_role("region", name="Meetings to follow up")
    expect(to_follow_up.get_by_role("link", name=setup.meeting.topic, exact=True)).to_be_visible()
    expect(to_follow_up.get_by_text("Salary negotiation")).to_have_count(0)
    past = page.get_by_role("region", name="Past")
    expect(past.get_by_role("link", name="Salary negotiation")).to_be_visible()

    # One word for a held meeting, whether or not its outcome is recorded yet.
    expect(page.get_by_text("Over", exact=True)).to_have_count(0)
    expect(to_follow_up.get_by_text("Completed", exact=True)).to_be_visible()
    past.get_by_role("link", name="Salary negotiation").click()
    # The answered meeting's own page says the same word, and offers no follow-up.
    expect(page).to_have_url(re.compile(rf"/meetings/{answered.pk}/$"))
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Follow up on this meeting")).to_have_count(0)

    # The dashboard agrees with "My meetings".
    nav(page).get_by_role("link", name="Dashboard").click()
    dashboard_follow_up = page.get_by_role("region", name="Flash meetings")
    expect(dashboard_follow_up.get_by_text(setup.meeting.topic)).to_be_visible()
    expect(dashboard_follow_up.get_by_text("Salary negotiation")).to_have_count(0)


def test_did_not_happen_asks_once_and_the_survey_says_it_did_not_take_place(page, live_server):
    setup = make_setup("forced_connection")
    sign_in(page, live_server, setup.mentee.username)
    page.goto(f"{live_server.url}/meetings/{setup.meeting.pk}/follow-up/")
    page.get_by_role("button", name="The meeting did not happen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Did the meeting not take place?")
    setup.meeting.refresh_from_db()
    assert setup.meeting.status == FlashMeeting.Status.SCHEDULED  # nothing recorded yet
    page.get_by_role("link", name="No, go back").click()
    expect(page.get_by_role("button", name=re.compile("^Yes, connect me"))).to_be_visible()

    page.get_by_role("button", name="The meeting did not happen").click()
    page.get_by_role("button", name="Yes, it did not take place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Flash Meeting Feedback — the meeting did not take place"
    )
    expect(page.get_by_text("cancelled", exact=False)).to_have_count(0)
    setup.meeting.refresh_from_db()
    assert setup.meeting.status == FlashMeeting.Status.DID_NOT_HAPPEN


def test_navigation_and_dashboard_follow_the_roles_held(page, live_server):
    setup = make_setup("forced_connection")
    sign_in(page, live_server, setup.mentee.username)
    links = nav(page)
    expect(links.get_by_role("link", name="My meetings")).to_be_visible()
    expect(links.get_by_role("link", name="Your requests")).to_be_visible()
    for mentor_only in ("Requests for you", "Availability", "Meetings as mentor"):
        expect(links.get_by_role("link", name=mentor_only)).to_have_count(0)
    expect(page.get_by_role("heading", name="Your mentees")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, live_server, setup.mentor.username)
    links = nav(page)
    expect(links.get_by_role("link", name="Requests for you")).to_be_visible()
    expect(links.get_by_role("link", name="Availability")).to_be_visible()
    expect(links.get_by_role("link", name="Your requests")).to_have_count(0)
    expect(page.get_by_role("heading", name="Your mentors")).to_have_count(0)
    expect(page.get_by_role("heading", name="Meetings to follow up")).to_have_count(0)
    links.get_by_role("link", name="My meetings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings with your mentees")


def test_staff_outside_any_program_are_led_to_the_administration(page, live_server):
    UserFactory(username="programlead", is_staff=True, is_superuser=True)
    sign_in(page, live_server, "programlead")
    expect(page.get_by_text("You are not in any program yet")).to_have_count(0)
    page.get_by_role("link", name="Open the program administration").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_times_read_the_same_everywhere_with_the_zone_people_know(page, live_server):
    setup = make_setup("forced_connection")
    setup.mentee.time_zone = "America/New_York"
    setup.mentee.save(update_fields=["time_zone"])
    sign_in(page, live_server, setup.mentee.username)
    page.goto(f"{live_server.url}/meetings/{setup.meeting.pk}/follow-up/")
    page.get_by_role("button", name="No thanks, go on to the feedback survey").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Flash Meeting Feedback")

    intro = page.locator("main p").first.inner_text()
    assert "(New York time)" in intro
    assert "America/New_York" not in page.content()
    assert ".." not in intro and "p.m." not in intro

    page.goto(f"{live_server.url}/meetings/{setup.meeting.pk}/")
    when = page.get_by_text("(New York time)").first.inner_text()
    assert re.search(r"\w+day \d{1,2} \w+ \d{4}, \d\d:\d\d–\d\d:\d\d \(New York time\)", when)
    assert "America/New_York" not in page.content()
