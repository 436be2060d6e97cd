"""IDOR: only the meeting's own mentee and mentor reach its survey; anyone else gets 404."""

import pytest
from django.urls import reverse

from flash_meetings.models import FlashMeeting
from surveys import selectors
from surveys.models import SurveyResponse
from tests.factories import MembershipFactory, UserFactory
from tests.surveys import factories
from tests.surveys.conftest import USEFUL, field

pytestmark = pytest.mark.django_db

NAMES = ["meeting", "submit", "thanks"]


def _request(client, name, meeting_id, data=None):
    url = reverse(f"surveys:{name}", args=[meeting_id])
    if name == "submit":
        return client.post(url, data or {})
    return client.get(url)


@pytest.mark.parametrize("name", NAMES)
def test_strangers_get_404(client, ended_meeting, name):
    stranger = UserFactory()
    MembershipFactory(user=stranger, program=ended_meeting.program)  # same program
    client.force_login(stranger)
    assert _request(client, name, ended_meeting.pk).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_staff_who_are_not_in_the_meeting_get_404(client, ended_meeting, name):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert _request(client, name, ended_meeting.pk).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_people_of_another_meeting_get_404(client, ended_meeting, name):
    other = factories.meeting(program=ended_meeting.program)
    for user in (other.mentee, other.mentor):
        client.force_login(user)
        assert _request(client, name, ended_meeting.pk).status_code == 404


def test_a_guessed_id_gets_404(client, ended_meeting):
    client.force_login(ended_meeting.mentee)
    for name in NAMES:
        assert _request(client, name, ended_meeting.pk + 1000).status_code == 404


@pytest.mark.parametrize(
    "status",
    [
        FlashMeeting.Status.REQUESTED,
        FlashMeeting.Status.DECLINED,
        FlashMeeting.Status.WITHDRAWN,
        FlashMeeting.Status.EXPIRED,
        FlashMeeting.Status.CANCELLED,
    ],
)
def test_meetings_that_never_took_place_have_no_survey(client, program, status):
    meeting = factories.meeting(program=program, status=status)
    client.force_login(meeting.mentee)
    for name in NAMES:
        assert _request(client, name, meeting.pk).status_code == 404


def test_a_stranger_cannot_answer_with_a_valid_form(client, ended_meeting):
    page = selectors.survey_page(meeting=ended_meeting, respondent=ended_meeting.mentee)
    client.force_login(UserFactory())
    response = _request(client, "submit", ended_meeting.pk, {field(page, USEFUL): "5"})
    assert response.status_code == 404
    assert not SurveyResponse.objects.exists()


def test_the_mentor_cannot_answer_the_mentee_survey(client, ended_meeting):
    """The mentor posting the mentee's question ids is refused: each role its own survey."""
    mentee_page = selectors.survey_page(meeting=ended_meeting, respondent=ended_meeting.mentee)
    client.force_login(ended_meeting.mentor)
    response = _request(client, "submit", ended_meeting.pk, {field(mentee_page, USEFUL): "5"})
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_people_are_sent_to_sign_in(client, ended_meeting, name):
    response = _request(client, name, ended_meeting.pk)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
