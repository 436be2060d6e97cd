"""Query counts of the pages that read surveys: the same for 5 and 50 rows."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from flash_meetings.models import FlashMeeting
from surveys import selectors
from tests.surveys import factories
from tests.surveys.conftest import USEFUL

pytestmark = pytest.mark.django_db


def crowd(meeting, count):
    """Other meetings of the same people, half of them answered."""
    for n in range(count):
        other = factories.meeting(
            program=meeting.program,
            mentor_user=meeting.mentor,
            mentee_user=meeting.mentee,
            status=FlashMeeting.Status.COMPLETED,
            ended_ago=timedelta(days=n + 1),
            follow_up_choice=FlashMeeting.FollowUpChoice.NO_THANKS,
        )
        if n % 2:
            factories.answer(other, meeting.mentee, {USEFUL: 4})


@pytest.mark.parametrize("count", [5, 50])
def test_survey_page_query_count(client, ended_meeting, django_assert_num_queries, count):
    crowd(ended_meeting, count)
    client.force_login(ended_meeting.mentee)
    # session, user, meeting+program+people, survey, questions, own response
    with django_assert_num_queries(6):
        response = client.get(reverse("surveys:meeting", args=[ended_meeting.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_survey_submit_query_count(client, ended_meeting, django_assert_num_queries, count):
    crowd(ended_meeting, count)
    page = selectors.survey_page(meeting=ended_meeting, respondent=ended_meeting.mentee)
    client.force_login(ended_meeting.mentee)
    useful = next(q for q in page.questions if q.text == USEFUL)
    # session, user, meeting, survey, questions, own response; then the service:
    # savepoint, exists check, savepoint + response insert + release, one bulk insert
    # of the answers, release
    with django_assert_num_queries(13):
        response = client.post(
            reverse("surveys:submit", args=[ended_meeting.pk]), {f"q_{useful.pk}": "5"}
        )
    assert response.status_code == 302


@pytest.mark.parametrize("count", [5, 50])
def test_waiting_surveys_are_one_query(ended_meeting, django_assert_num_queries, count):
    ended_meeting.follow_up_choice = FlashMeeting.FollowUpChoice.NO_THANKS
    ended_meeting.save(update_fields=["follow_up_choice"])
    crowd(ended_meeting, count)
    with django_assert_num_queries(1):
        waiting = selectors.surveys_waiting_for(user=ended_meeting.mentee)
    html = render_to_string("surveys/_waiting.html", {"waiting": waiting})
    assert "Surveys waiting for you" in html
    assert html.count("<li>") == min(10, 1 + count - count // 2)


def test_waiting_lists_the_mentor_side_too(ended_meeting, program):
    upcoming = factories.meeting(
        program=program, mentor_user=ended_meeting.mentor, starts_in=timedelta(days=2)
    )
    waiting = selectors.surveys_waiting_for(user=ended_meeting.mentor)
    assert [(w.meeting, w.role, w.url) for w in waiting] == [
        (ended_meeting, "mentor", f"/surveys/meetings/{ended_meeting.pk}/")
    ]
    assert upcoming not in [w.meeting for w in waiting]
    factories.answer(ended_meeting, ended_meeting.mentor, {USEFUL: 3})
    assert selectors.surveys_waiting_for(user=ended_meeting.mentor) == []
    # The mentee's way to the survey is the follow-up until they answer it.
    assert selectors.surveys_waiting_for(user=ended_meeting.mentee) == []
    ended_meeting.follow_up_choice = FlashMeeting.FollowUpChoice.NO_THANKS
    ended_meeting.save(update_fields=["follow_up_choice"])
    assert len(selectors.surveys_waiting_for(user=ended_meeting.mentee)) == 1


def test_a_mentee_finds_a_meeting_in_one_list_only(client, ended_meeting):
    """Before the follow-up is answered the meeting is under "Meetings to follow up"
    (which leads on to the survey); after, under "Surveys waiting for you"."""
    client.force_login(ended_meeting.mentee)
    survey_link = f'href="/surveys/meetings/{ended_meeting.pk}/"'
    follow_up_link = f'href="/meetings/{ended_meeting.pk}/follow-up/"'
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert follow_up_link in html and survey_link not in html
    ended_meeting.follow_up_choice = FlashMeeting.FollowUpChoice.NO_THANKS
    ended_meeting.save(update_fields=["follow_up_choice"])
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert follow_up_link not in html and survey_link in html


def test_dashboard_shows_the_mentor_their_waiting_survey(client, ended_meeting):
    client.force_login(ended_meeting.mentor)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Surveys waiting for you" in html
    assert f'href="/surveys/meetings/{ended_meeting.pk}/"' in html
    assert f"with your mentee {ended_meeting.mentee.name}" in html
