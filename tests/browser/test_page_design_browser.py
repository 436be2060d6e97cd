"""The people-facing pages look like one product in Chromium: what a person sees at a
phone's width (390 px) and at a laptop's (1280 px), measured from the rendered page."""

import pytest
from playwright.sync_api import expect

from flash_meetings.models import FlashMeeting
from mentoring.models import Membership
from tests.conftest import sign_in
from tests.connections.factories import ConnectionRequestFactory
from tests.factories import MembershipFactory, MentorMembershipFactory
from tests.flash_meetings.factories import AvailabilitySlotFactory, FlashMeetingFactory, in_days
from tests.follow_up.conftest import REQUEST, make_setup
from tests.surveys import factories as survey_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not rendered"
    return box


def _font_size(locator) -> float:
    return float(locator.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))


def test_requests_sent_fits_a_phone(page, live_server, program):
    mentee = MembershipFactory(program=program, user__display_name="Elif Demir").user
    for name in ("Amara Okafor-Lindqvist", "Bruno Costa"):
        mentor = MentorMembershipFactory(program=program, user__display_name=name).user
        ConnectionRequestFactory(program=program, mentor=mentor, mentee=mentee)
    declined_by = MentorMembershipFactory(program=program, user__display_name="Chen Wei").user
    ConnectionRequestFactory(
        program=program,
        mentor=declined_by,
        mentee=mentee,
        status="declined",
        decline_reason="busy",
        decline_note="Try me again next term, when my team has settled.",
    )
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, mentee.username)
    page.goto(f"{live_server.url}/requests/sent/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your requests")
    expect(page.get_by_role("button", name="Withdraw request to Bruno Costa")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Each request says where it stands with a status badge.
    expect(page.locator("tbody tr .badge")).to_have_count(3)
    withdraw = page.get_by_role("button", name="Withdraw request to Bruno Costa")
    assert _box(withdraw)["height"] >= 44


def test_request_page_headings_are_smaller_than_its_title(page, live_server, program):
    membership = MentorMembershipFactory(program=program, user__display_name="Amara Okafor")
    AvailabilitySlotFactory(program=program, mentor=membership.user, starts_at=in_days(4, 15))
    mentee = MembershipFactory(program=program, role=Membership.Role.MENTEE).user
    sign_in(page, live_server, mentee.username)
    page.goto(f"{live_server.url}/meetings/request/{membership.pk}/")

    title = page.get_by_role("heading", level=1)
    expect(title).to_contain_text("Request a flash meeting with Amara Okafor")
    sections = page.locator("main h2")
    assert sections.count() >= 1
    for index in range(sections.count()):  # clearly smaller, not a near twin
        assert _font_size(sections.nth(index)) <= 0.85 * _font_size(title)
    # The slots are large options, the real radio inside each label.
    option = page.locator("label.option").first
    assert _box(option)["height"] >= 44


def test_meeting_details_are_a_styled_definition_list(page, live_server, program):
    mentor = MentorMembershipFactory(program=program, user__display_name="Amara Okafor").user
    mentee = MembershipFactory(program=program, user__display_name="Elif Demir").user
    meeting = FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        topic="Moving into engineering",
        location="Café Central, 2nd floor",
        video_url="https://meet.example.org/a-rather-long-video-link-for-a-narrow-screen",
    )
    sign_in(page, live_server, mentee.username)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")

    facts = page.locator("main dl").first
    expect(facts).to_be_visible()
    style = facts.evaluate(
        """el => { const s = getComputedStyle(el);
            return {display: s.display, border: parseFloat(s.borderTopWidth),
                    background: s.backgroundColor, radius: parseFloat(s.borderTopLeftRadius)}; }"""
    )
    assert style["display"] == "grid"
    assert style["border"] >= 1 and style["radius"] > 0
    assert style["background"] not in ("rgba(0, 0, 0, 0)", "transparent")
    term = facts.locator("dt").first
    assert int(term.evaluate("el => getComputedStyle(el).fontWeight")) >= 600
    # At a laptop's width a term and its value share a row; on a phone they stack.
    page.set_viewport_size(LAPTOP)
    value = facts.locator("dd").first
    assert abs(_box(term)["y"] - _box(value)["y"]) < 2
    page.set_viewport_size(PHONE)
    assert _box(value)["y"] >= _box(term)["y"] + _box(term)["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The status reads as a badge.
    expect(facts.locator(".badge")).to_have_count(1)


def test_favicon_is_linked_and_served(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    icon = page.locator('head link[rel="icon"]')
    expect(icon).to_have_count(1)
    href = icon.evaluate("el => el.href")
    response = page.request.get(href)
    assert response.status == 200
    assert "svg" in response.headers["content-type"]
    assert response.text().lstrip().startswith("<svg")


def test_survey_ratings_are_large_targets_and_questions_are_spaced(page, live_server, program):
    meeting = survey_factories.meeting(program=program, topic="Moving into data science")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, meeting.mentee.username)
    page.goto(f"{live_server.url}/surveys/meetings/{meeting.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Flash Meeting Feedback")

    radios = page.locator("form input[type=radio]")
    assert radios.count() >= 5
    for index in range(radios.count()):
        radio = radios.nth(index)
        target = radio.locator("xpath=ancestor::label[1]")
        box = _box(target)
        assert box["width"] >= 24 and box["height"] >= 24
        assert _box(radio)["width"] >= 18  # the real input stays visible, not a dot
    # The rating's five options sit on one row.
    rating = radios.first.locator("xpath=ancestor::fieldset[1]").locator("label")
    tops = {round(_box(rating.nth(i))["y"]) for i in range(rating.count())}
    assert len(tops) == 1

    # Each question stands apart from the next, with no fieldset's default frame.
    gaps = page.evaluate(
        """() => {
            const questions = [...document.querySelectorAll('form .field')];
            const rects = questions.map(q => q.getBoundingClientRect());
            return rects.slice(1).map((r, i) => r.top - rects[i].bottom);
        }"""
    )
    assert len(gaps) >= 2 and min(gaps) >= 12
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Sending without the rating: a summary at the top links to the question.
    page.get_by_role("button", name="Send my answers").click()
    summary = page.locator(".form-errors")
    expect(summary).to_be_visible()
    link = summary.get_by_role("link", name="How useful was this meeting?", exact=False)
    target_id = link.get_attribute("href").lstrip("#")
    assert page.locator(f"#{target_id}").evaluate("el => el.tagName") == "FIELDSET"


def test_follow_up_message_label_sits_above_its_box(page, live_server):
    setup = make_setup(REQUEST)
    assert setup.meeting.status == FlashMeeting.Status.SCHEDULED
    sign_in(page, live_server, setup.mentee.username)
    for viewport in (LAPTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/meetings/{setup.meeting.pk}/follow-up/")
        label = page.locator('label[for="id_message"]')
        box = page.locator("#id_message")
        expect(box).to_be_visible()
        assert _box(label)["y"] + _box(label)["height"] <= _box(box)["y"]
        assert _box(box)["height"] >= 80
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_buttons_are_large_and_distinct(page, live_server, program):
    mentee = MembershipFactory(program=program).user
    mentor = MentorMembershipFactory(program=program, user__display_name="Bruno Costa").user
    ConnectionRequestFactory(program=program, mentor=mentor, mentee=mentee)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in_button = page.get_by_role("button", name="Sign in")
    assert _box(sign_in_button)["height"] >= 44
    primary = sign_in_button.evaluate("el => getComputedStyle(el).backgroundColor")

    sign_in(page, live_server, mentee.username)
    page.goto(f"{live_server.url}/requests/sent/")
    secondary = page.get_by_role("button", name="Withdraw request to Bruno Costa")
    assert _box(secondary)["height"] >= 44
    assert secondary.evaluate("el => getComputedStyle(el).backgroundColor") != primary
