import pytest
from django.urls import reverse

from flash_meetings.models import FlashMeeting
from flash_meetings.services import follow_up_answer
from matching.models import ConnectionRequest
from mentoring.services import program_administrator_add
from tests.connections.factories import ConnectionRequestFactory
from tests.factories import ProgramFactory, UserFactory
from tests.flash_meetings.factories import FlashMeetingFactory
from tests.follow_up.conftest import FORCED, REQUEST, make_setup

pytestmark = pytest.mark.django_db


def change_url(meeting) -> str:
    return reverse("admin:flash_meetings_flashmeeting_change", args=[meeting.pk])


def test_meeting_page_explains_why_no_offer_is_shown(admin_client):
    setup = make_setup(FORCED, mentor_limit=1)
    ConnectionRequestFactory(program=setup.program, mentor=setup.mentor)
    html = admin_client.get(change_url(setup.meeting)).content.decode()
    assert "Why was no offer shown?" in html
    assert "The mentor has no free slot (mentor_full)" in html
    assert "1 of 1 slots used" in html
    assert "isn&#x27;t taking on new ongoing mentees right now" in html


def test_meeting_page_says_when_the_offer_is_shown(admin_client):
    setup = make_setup(REQUEST)
    html = admin_client.get(change_url(setup.meeting)).content.decode()
    assert "Offer shown: Send a mentoring request to mentor" in html


def test_feature_off_readout_says_what_to_switch(admin_client):
    setup = make_setup(FORCED, preferred_mentoring_enabled=True)
    html = admin_client.get(change_url(setup.meeting)).content.decode()
    assert "feature_off" in html and "turn off Preferred Mentoring" in html


def test_report_counts_the_flash_to_ongoing_funnel(admin_client):
    setup = make_setup(REQUEST, mentor_limit=5)
    follow_up_answer(meeting=setup.meeting, actor=setup.mentee, choice="connect")
    second = setup.another_mentee_meeting()
    follow_up_answer(meeting=second, actor=second.mentee, choice="no_thanks")
    third = setup.another_mentee_meeting()
    follow_up_answer(meeting=third, actor=third.mentee, choice="did_not_happen")
    setup.another_mentee_meeting()  # over, not answered
    request = ConnectionRequest.objects.get()
    from matching.services import connection_request_accept

    connection_request_accept(request=request, actor=setup.mentor)
    url = reverse("admin:flash_meetings_follow_up_report")
    response = admin_client.get(url, {"program": setup.program.pk})
    report = response.context["report"]
    assert report.meetings_over == 4
    assert report.follow_ups_answered == 3
    assert report.offers_shown == 3
    assert report.requests_sent == 1 and report.requests_accepted == 1
    assert report.forced_connections == 0
    assert report.conversion_rate == pytest.approx(0.25)
    html = response.content.decode()
    assert "Flash-to-ongoing conversion rate" in html and "25%" in html


def test_report_is_linked_from_the_meetings_list(admin_client, program):
    html = admin_client.get(reverse("admin:flash_meetings_flashmeeting_changelist")).content
    assert reverse("admin:flash_meetings_follow_up_report").encode() in html


def test_admin_cannot_move_a_meeting_around_its_state_machine(admin_client):
    setup = make_setup(FORCED)
    url = change_url(setup.meeting)
    html = admin_client.get(url).content.decode()
    assert 'name="status"' not in html  # shown, not editable
    admin_client.post(url, {"status": "cancelled", "topic": "Changed"})
    setup.meeting.refresh_from_db()
    assert setup.meeting.status == "scheduled"


# --- An answered follow-up: what was offered then and what was chosen ----------------------

FORCED_LABEL = (
    "Connect them if mentee wants to connect again with mentor for ongoing mentoring connection"
)
REQUEST_LABEL = (
    "Send a mentoring request to mentor if mentee looks to connect again for an ongoing "
    "mentoring connection"
)


def readout(admin_client, meeting) -> str:
    html = admin_client.get(change_url(meeting)).content.decode()
    assert "Why was no offer shown?" in html
    return html


def test_answered_yes_under_forced_connection_shows_the_offer_and_the_connection(admin_client):
    setup = make_setup(FORCED)
    follow_up_answer(meeting=setup.meeting, actor=setup.mentee, choice="connect")
    html = readout(admin_client, setup.meeting)
    assert (
        f"Offered: “Yes, connect me with Amara Okafor” ({FORCED_LABEL}) — chosen: Yes, "
        "continue in ongoing mentoring (connection made)." in html
    )
    assert "As recorded when the mentee answered the follow-up." in html
    assert "already_answered" not in html and "already answered" not in html
    assert "forced_connection" not in html  # policies by their labels, never their codes


def test_answered_yes_under_connection_request_shows_the_request(admin_client):
    setup = make_setup(REQUEST)
    follow_up_answer(meeting=setup.meeting, actor=setup.mentee, choice="connect")
    html = readout(admin_client, setup.meeting)
    assert (
        f"Offered: “Yes, send Amara Okafor a request” ({REQUEST_LABEL}) — chosen: Yes, "
        "continue in ongoing mentoring (request sent)." in html
    )
    assert "connection_request" not in html


def test_answered_no_thanks_after_an_offer(admin_client):
    setup = make_setup(FORCED)
    follow_up_answer(meeting=setup.meeting, actor=setup.mentee, choice="no_thanks")
    html = readout(admin_client, setup.meeting)
    assert (
        f"Offered: “Yes, connect me with Amara Okafor” ({FORCED_LABEL}) — chosen: No thanks."
        in (html)
    )


def test_answered_without_an_offer_names_the_reason_then(admin_client):
    setup = make_setup(FORCED, mentor_limit=0)
    follow_up_answer(meeting=setup.meeting, actor=setup.mentee, choice="did_not_happen")
    setup.mentor_membership.max_ongoing_mentees = 5  # the mentor has room now: not live
    setup.mentor_membership.save()
    html = readout(admin_client, setup.meeting)
    assert (
        "No offer: The mentor has no free slot (mentor_full) — chosen: The meeting did not "
        "happen (meeting recorded as not held)." in html
    )


def test_an_answer_recorded_before_offers_were_recorded_says_so(admin_client):
    setup = make_setup(FORCED)
    FlashMeeting.objects.filter(pk=setup.meeting.pk).update(follow_up_choice="no_thanks")
    html = readout(admin_client, setup.meeting)
    assert "What was offered was not recorded — chosen: No thanks." in html


def test_an_unanswered_follow_up_shows_the_live_decision(admin_client):
    setup = make_setup(FORCED)
    html = readout(admin_client, setup.meeting)
    assert f"Offer shown: {FORCED_LABEL}." in html
    assert "As it stands now (the follow-up is not answered yet)." in html


def test_the_recorded_policy_and_reason_show_as_labels(admin_client):
    setup = make_setup(REQUEST, mentor_limit=0)
    follow_up_answer(meeting=setup.meeting, actor=setup.mentee, choice="no_thanks")
    html = readout(admin_client, setup.meeting)
    assert REQUEST_LABEL in html and "connection_request" not in html
    assert "The mentor has no free slot (mentor_full)" in html


def test_the_meetings_list_filters_by_reason_in_words(admin_client, program):
    """The filter names each recorded reason as the meeting's page does, lists none for
    meetings without one (no empty link), and keeps to the reason chosen."""
    off = FlashMeetingFactory(
        program=program, topic="Switched off", follow_up_offer_reason="feature_off"
    )
    FlashMeetingFactory(program=program, topic="Offered", follow_up_offer_reason="")
    FlashMeetingFactory(
        program=ProgramFactory(slug="elsewhere"),
        topic="Elsewhere",
        follow_up_offer_reason="meeting_not_over",
    )
    changelist = reverse("admin:flash_meetings_flashmeeting_changelist")
    page = admin_client.get(changelist).content.decode()
    assert "The program has the feature off (feature_off)" in page
    assert 'href="?follow_up_offer_reason="' not in page
    chosen = admin_client.get(changelist, {"follow_up_offer_reason": "feature_off"})
    assert [row.pk for row in chosen.context["cl"].result_list] == [off.pk]
    # A program admin's filter lists only their meetings' reasons.
    runner = UserFactory(username="runner")
    program_administrator_add(program=program, user=runner)
    admin_client.force_login(runner)
    theirs = admin_client.get(changelist).content.decode()
    assert "(feature_off)" in theirs and "(meeting_not_over)" not in theirs
