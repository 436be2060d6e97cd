"""A real browser: the mentee books a slot, the mentor accepts with a video link, the
mentee sees the scheduled meeting and downloads the invite."""

import re
from datetime import UTC
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from flash_meetings.models import FlashMeeting
from flash_meetings.timezones import format_when, zone_of
from tests.conftest import sign_in
from tests.flash_meetings.factories import AvailabilitySlotFactory, in_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEO = "https://meet.example.org/flash-demo"


def test_mentee_books_mentor_accepts_mentee_downloads_the_invite(
    page, browser, live_server, mentor_membership, mentee, tmp_path
):
    mentor = mentor_membership.user
    mentor.time_zone = "Europe/London"
    mentor.save()
    mentee.time_zone = "America/New_York"
    mentee.save()
    slot = AvailabilitySlotFactory(
        program=mentor_membership.program, mentor=mentor, starts_at=in_days(4, 15)
    )
    slot_label_for_mentee = format_when(slot.starts_at, slot.ends_at, zone_of(mentee))

    # The mentee books the slot.
    sign_in(page, live_server, mentee.username)
    page.goto(f"{live_server.url}/meetings/request/{mentor_membership.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Request a flash meeting")
    page.get_by_label("Topic").fill("Moving into engineering")
    page.get_by_label(slot_label_for_mentee).check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Request sent to Mona Mentor")).to_be_visible()
    expect(page.get_by_text("Requested", exact=True)).to_be_visible()

    # The mentor accepts with a video link, in their own browser.
    mentor_context = browser.new_context()
    mentor_context.set_default_timeout(10_000)
    mentor_page = mentor_context.new_page()
    try:
        sign_in(mentor_page, live_server, mentor.username)
        mentor_page.get_by_role("link", name="My meetings", exact=True).click()
        requests = mentor_page.get_by_role("region", name="Requests to answer")
        requests.get_by_role("link", name="Moving into engineering").click()
        expect(mentor_page.get_by_text("(London time)").first).to_be_visible()
        accept = mentor_page.get_by_role("button", name="Accept the meeting")
        # The propose form beside it has a video link field too.
        mentor_page.locator("form", has=accept).get_by_label("Video link (optional)").fill(VIDEO)
        accept.click()
        expect(mentor_page.get_by_text("Meeting scheduled")).to_be_visible()
    finally:
        mentor_context.close()

    # The mentee sees the scheduled meeting and downloads the invite.
    page.get_by_role("link", name="My meetings").click()
    upcoming = page.get_by_role("region", name="Upcoming")
    expect(upcoming.get_by_text("Scheduled")).to_be_visible()
    expect(upcoming.get_by_text(slot_label_for_mentee)).to_be_visible()
    upcoming.get_by_role("link", name="Moving into engineering").click()
    expect(page.get_by_role("link", name=VIDEO)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download the calendar invite")).click()
    path = Path(tmp_path) / "invite.ics"
    download_info.value.save_as(path)

    meeting = FlashMeeting.objects.get()
    assert meeting.status == FlashMeeting.Status.SCHEDULED
    assert meeting.video_url == VIDEO
    [event] = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == f"flash-meeting-{meeting.pk}@testserver"
    assert event.decoded("DTSTART") == slot.starts_at.astimezone(UTC)
    assert VIDEO in str(event["LOCATION"])
