import pytest
from django.urls import reverse

from flash_meetings.services import follow_up_answer
from matching.models import ConnectionRequest
from tests.connections.factories import ConnectionRequestFactory
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
    assert "Flash-to-ongoing conversion rate" in html and "25&nbsp;%" in html


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
