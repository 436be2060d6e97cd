"""A program admin configures the policy in Django admin; a mentee then follows up a
flash meeting in a real browser (Playwright driving Debian's Chromium)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from flash_meetings.models import FlashMeeting
from matching.models import Connection, ConnectionRequest
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.follow_up.conftest import make_setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_chooses_policy(page, live_server, setup, label: re.Pattern) -> None:
    admin = UserFactory(username="programadmin", is_staff=True, is_superuser=True)
    sign_in(page, live_server, admin.username, next_url="/admin/")
    page.goto(f"{live_server.url}/admin/matching/matchingsettings/{setup.settings.pk}/change/")
    page.get_by_label("offer ongoing mentoring after a one-time meeting").check()
    page.get_by_label(label).check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    expect(page.get_by_label(label)).to_be_checked()
    page.context.clear_cookies()


def mentee_opens_follow_up(page, live_server, setup) -> None:
    sign_in(page, live_server, setup.mentee.username)
    # From the dashboard's "Meetings to follow up", the way a mentee finds it.
    page.get_by_role("link", name=re.compile("follow up", re.I)).first.click()
    expect(page).to_have_url(re.compile(rf"/meetings/{setup.meeting.pk}/follow-up/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amara Okafor")


def test_forced_connection_from_admin_to_survey(page, live_server):
    setup = make_setup("connection_request", flash_to_ongoing_enabled=False)
    admin_chooses_policy(page, live_server, setup, re.compile("Connect them if mentee wants"))

    mentee_opens_follow_up(page, live_server, setup)
    page.get_by_role("button", name=re.compile("^Yes, connect me with Amara Okafor")).click()

    expect(page.get_by_text("You and Amara Okafor are now connected")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Flash Meeting Feedback")
    page.get_by_role("group", name=re.compile("How useful was this meeting")).get_by_label(
        "5"
    ).check()
    page.get_by_label("What did you talk about?").fill("Roadmaps and interviews.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()

    connection = Connection.objects.get()
    assert connection.origin == "flash_meeting" and connection.flash_meeting_id == setup.meeting.pk
    to_mentor = [m for m in mail.outbox if m.to == [setup.mentor.email]]
    assert any("is now your ongoing mentee" in m.subject for m in to_mentor)


def test_connection_request_from_admin_to_mentor_accepting(page, live_server):
    setup = make_setup("forced_connection", flash_to_ongoing_enabled=False)
    admin_chooses_policy(page, live_server, setup, re.compile("Send a mentoring request to mentor"))

    mentee_opens_follow_up(page, live_server, setup)
    page.get_by_label("Your message to Amara Okafor").fill("Thanks! Shall we keep going?")
    page.get_by_role("button", name=re.compile("^Yes, send Amara Okafor a request")).click()
    expect(page.get_by_text("Your request was sent to Amara Okafor")).to_be_visible()
    page.get_by_role("group", name=re.compile("How useful was this meeting")).get_by_label(
        "4"
    ).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    request = ConnectionRequest.objects.get()
    assert request.status == "pending" and request.origin == "flash_meeting"
    assert any(m.to == [setup.mentor.email] for m in mail.outbox)
    page.context.clear_cookies()

    sign_in(page, live_server, setup.mentor.username)
    page.goto(f"{live_server.url}/requests/received/")
    expect(page.get_by_text("Thanks! Shall we keep going?")).to_be_visible()
    page.get_by_role("button", name="Accept Elif Demir").click()
    expect(page.get_by_text(re.compile("Elif Demir", re.I)).first).to_be_visible()
    request.refresh_from_db()
    assert request.status == "accepted"
    connection = Connection.objects.get()
    assert connection.flash_meeting_id == setup.meeting.pk


def test_meeting_did_not_happen_ends_on_the_cancelled_meeting_survey(page, live_server):
    setup = make_setup("forced_connection", flash_to_ongoing_enabled=False)
    admin_chooses_policy(page, live_server, setup, re.compile("Connect them if mentee wants"))

    mentee_opens_follow_up(page, live_server, setup)
    page.get_by_role("button", name=re.compile("^The meeting did not happen")).click()
    # One confirmation first: nothing is recorded until the mentee says yes.
    expect(page.get_by_role("heading", level=1)).to_have_text("Did the meeting not take place?")
    setup.meeting.refresh_from_db()
    assert setup.meeting.follow_up_choice == ""
    page.get_by_role("button", name="Yes, it did not take place").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("the meeting did not take place")
    expect(page.get_by_text("How useful was this meeting?")).to_have_count(0)
    page.get_by_role("group", name=re.compile("Why did the meeting not take place")).get_by_label(
        "The other person did not attend"
    ).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    setup.meeting.refresh_from_db()
    assert setup.meeting.status == FlashMeeting.Status.DID_NOT_HAPPEN
    assert not Connection.objects.exists()
