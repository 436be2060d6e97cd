"""A person answers both versions of the Flash Meeting Feedback survey in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from flash_meetings.models import FlashMeeting
from surveys.models import Answer, SurveyResponse
from tests.conftest import sign_in
from tests.factories import mentor
from tests.surveys import factories
from tests.surveys.conftest import TALKED, USEFUL, WHAT_HAPPENED, WHY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mentee_answers_the_completed_version_from_the_dashboard(page, live_server, program):
    meeting = factories.meeting(
        program=program,
        topic="Moving into data science",
        follow_up_choice=FlashMeeting.FollowUpChoice.NO_THANKS,
    )
    sign_in(page, live_server, meeting.mentee.username)

    waiting = page.get_by_role("region", name="Surveys waiting for you")
    waiting.get_by_role("link", name="Flash Meeting Feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flash Meeting Feedback")
    expect(page.get_by_text(WHY)).to_have_count(0)

    # Sending without the required rating: the message sits beside the question.
    page.get_by_label(TALKED).fill("Which courses to take first.")
    page.get_by_role("button", name="Send my answers").click()
    rating = page.get_by_role("group", name=re.compile(re.escape(USEFUL)))
    expect(rating.get_by_text("Please answer this question.")).to_be_visible()
    expect(page.get_by_label(TALKED)).to_have_value("Which courses to take first.")

    rating.get_by_role("radio", name="4").check()
    page.get_by_role("checkbox", name="Career direction").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()

    response = SurveyResponse.objects.get()
    assert response.version == "completed" and response.respondent == meeting.mentee
    assert {a.question_text: a.display_value for a in Answer.objects.all()} == {
        USEFUL: "4",
        TALKED: "Which courses to take first.",
        "What did the meeting help you with?": "Career direction",
    }

    # Coming back shows the first answers were kept; the dashboard no longer lists it.
    page.goto(f"{live_server.url}/surveys/meetings/{meeting.pk}/")
    expect(page.get_by_text("You answered this survey on")).to_be_visible()
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("region", name="Surveys waiting for you")).to_have_count(0)


def test_mentor_answers_the_cancelled_version(page, live_server, program):
    mentor_user = mentor(program)
    meeting = factories.meeting(
        program=program, mentor_user=mentor_user, status=FlashMeeting.Status.DID_NOT_HAPPEN
    )
    sign_in(page, live_server, mentor_user.username, next_url=f"/surveys/meetings/{meeting.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Flash Meeting Feedback — the meeting did not take place"
    )
    expect(page.get_by_text(USEFUL)).to_have_count(0)

    why = page.get_by_role("group", name=re.compile(re.escape(WHY)))
    why.get_by_role("radio", name="It was postponed").check()
    page.get_by_label(WHAT_HAPPENED).fill("We moved it to next month.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()

    response = SurveyResponse.objects.get()
    assert (response.version, response.survey.role) == ("cancelled", "mentor")
    assert {a.question_text: a.display_value for a in Answer.objects.all()} == {
        WHY: "It was postponed",
        WHAT_HAPPENED: "We moved it to next month.",
    }
