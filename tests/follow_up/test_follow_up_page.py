"""The follow-up page and its three choices, end to end through the test client."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching.models import Connection, ConnectionRequest, FlashToOngoingPolicy
from notifications.models import Notification
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.factories import MembershipFactory
from tests.follow_up.conftest import FORCED, REQUEST, make_setup

pytestmark = pytest.mark.django_db

YES_CONNECT = re.compile(r"<button[^>]*>\s*Yes, connect me with Amara Okafor")
YES_REQUEST = re.compile(r"<button[^>]*>\s*Yes, send Amara Okafor a request")
NO_THANKS = re.compile(r"<button[^>]*>\s*No thanks")
DID_NOT_HAPPEN = re.compile(r"<button[^>]*>\s*The meeting did not happen")


def url(meeting) -> str:
    return reverse("flash_meetings:follow_up", args=[meeting.pk])


def survey_url(meeting) -> str:
    return reverse("surveys:meeting", args=[meeting.pk])


def page(client, setup) -> str:
    client.force_login(setup.mentee)
    response = client.get(url(setup.meeting))
    assert response.status_code == 200
    return response.content.decode()


def answer(client, setup, choice, **extra):
    client.force_login(setup.mentee)
    return client.post(url(setup.meeting), {"choice": choice, **extra})


# --- What the page shows ---------------------------------------------------------------


def test_forced_policy_shows_exactly_three_choices(client, forced):
    html = page(client, forced)
    assert YES_CONNECT.search(html) and NO_THANKS.search(html) and DID_NOT_HAPPEN.search(html)
    # The header holds the sign-out button, the footer the language form.
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count('<button type="submit"') == 3
    assert html.count("<h1>") == 1


def test_request_policy_shows_the_request_choice_with_an_editable_message(client, request_policy):
    html = page(client, request_policy)
    assert YES_REQUEST.search(html) and not YES_CONNECT.search(html)
    assert '<label for="id_message">' in html
    assert "Moving into product management" in html  # message prefilled from the topic


def test_not_eligible_shows_only_no_thanks_and_did_not_happen_with_the_reason(client):
    setup = make_setup(FORCED, mentor_limit=0)
    html = page(client, setup)
    assert not YES_CONNECT.search(html)
    assert NO_THANKS.search(html) and DID_NOT_HAPPEN.search(html)
    assert "Amara Okafor isn&#x27;t taking on new ongoing mentees right now." in html


def test_feature_off_shows_two_choices_and_no_reason(client):
    setup = make_setup(FORCED, flash_to_ongoing_enabled=False)
    html = page(client, setup)
    assert not YES_CONNECT.search(html) and NO_THANKS.search(html)
    assert 'id="no-offer-reason"' not in html


def test_before_the_end_time_there_is_no_choice_and_a_time_to_come_back(client, forced):
    forced.meeting.starts_at = timezone.now() + timedelta(hours=2)
    forced.meeting.ends_at = forced.meeting.starts_at + timedelta(minutes=30)
    forced.meeting.save()
    html = page(client, forced)
    assert '<button type="submit"' not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Come back after it ends" in html


def test_the_answer_records_what_was_offered(client):
    setup = make_setup(FORCED, mentor_limit=0)
    page(client, setup)
    setup.meeting.refresh_from_db()
    assert setup.meeting.follow_up_offer_recorded_at is None  # viewing changes nothing
    answer(client, setup, "no_thanks")
    setup.meeting.refresh_from_db()
    assert setup.meeting.follow_up_offer_shown is False
    assert setup.meeting.follow_up_offer_reason == "mentor_full"
    assert setup.meeting.follow_up_offer_recorded_at is not None


# --- Who may see it ---------------------------------------------------------------------


def test_only_the_meetings_mentee_sees_it(client, forced):
    other_mentee = MembershipFactory(program=forced.program).user
    for intruder in (other_mentee, forced.mentor):
        client.force_login(intruder)
        assert client.get(url(forced.meeting)).status_code == 404
        assert client.post(url(forced.meeting), {"choice": "connect"}).status_code == 404
    assert not Connection.objects.exists()
    client.logout()
    response = client.get(url(forced.meeting))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- The three choices ------------------------------------------------------------------


def test_yes_with_forced_policy_connects_at_once_and_emails_both(
    client, forced, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(client, forced, "connect", policy=FORCED)
    assert response.status_code == 302 and response["Location"] == survey_url(forced.meeting)
    connection = Connection.objects.get()
    assert connection.origin == Connection.Origin.FLASH_MEETING
    assert connection.flash_meeting == forced.meeting
    assert (connection.mentor, connection.mentee) == (forced.mentor, forced.mentee)
    forced.meeting.refresh_from_db()
    assert forced.meeting.status == FlashMeeting.Status.COMPLETED
    assert forced.meeting.follow_up_choice == "connect"
    assert forced.meeting.follow_up_offer_shown is True
    assert forced.meeting.follow_up_answered_at is not None

    to_mentor = next(m for m in mailoutbox if m.to == [forced.mentor.email])
    assert "Elif Demir is now your ongoing mentee" in to_mentor.subject
    assert "After your flash meeting" in to_mentor.body
    assert "Moving into product management" in to_mentor.body
    html, mimetype = to_mentor.alternatives[0]
    assert mimetype == "text/html"
    assert "You are now in an ongoing mentoring connection with Elif Demir" in html
    assert f"http://testserver/connections/{connection.pk}/" in html
    to_mentee = next(m for m in mailoutbox if m.to == [forced.mentee.email])
    assert "You are now connected with Amara Okafor" in to_mentee.subject
    assert "Amara Okafor has been told" in to_mentee.alternatives[0][0]


def test_yes_with_request_policy_sends_the_same_request_as_the_connect_button(
    client, request_policy, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(
            client, request_policy, "connect", policy=REQUEST, message="Let's keep going!"
        )
    assert response["Location"] == survey_url(request_policy.meeting)
    request = ConnectionRequest.objects.get()
    assert request.status == ConnectionRequest.Status.PENDING
    assert request.origin == ConnectionRequest.Origin.FLASH_MEETING
    assert request.flash_meeting == request_policy.meeting
    assert request.message == "Let's keep going!"
    assert not Connection.objects.exists()
    [email] = mailoutbox
    assert email.to == [request_policy.mentor.email]
    assert "Let's keep going!" in email.body
    assert "Let&#x27;s keep going!" in email.alternatives[0][0]


def test_no_thanks_leads_to_the_feedback_survey(client, forced):
    response = answer(client, forced, "no_thanks")
    assert response["Location"] == survey_url(forced.meeting)
    forced.meeting.refresh_from_db()
    assert forced.meeting.status == FlashMeeting.Status.COMPLETED
    assert not Connection.objects.exists() and not ConnectionRequest.objects.exists()
    survey = client.get(response["Location"]).content.decode()
    assert "How useful was this meeting?" in survey


def test_did_not_happen_leads_to_the_cancelled_meeting_survey(client, forced):
    response = answer(client, forced, "did_not_happen")
    assert response["Location"] == survey_url(forced.meeting)
    forced.meeting.refresh_from_db()
    assert forced.meeting.status == FlashMeeting.Status.DID_NOT_HAPPEN
    survey = client.get(response["Location"]).content.decode()
    assert "Why did the meeting not take place?" in survey
    assert "How useful was this meeting?" not in survey


def test_not_eligible_choices_still_work(client):
    setup = make_setup(FORCED, mentor_limit=0)
    response = answer(client, setup, "no_thanks")
    assert response["Location"] == survey_url(setup.meeting)


def test_a_repeated_post_changes_nothing_and_sends_no_second_email(
    client, forced, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        first = answer(client, forced, "connect", policy=FORCED)
        second = answer(client, forced, "connect", policy=FORCED)
    assert first["Location"] == second["Location"] == survey_url(forced.meeting)
    assert Connection.objects.count() == 1
    assert len(mailoutbox) == 2  # mentor and mentee, once each
    assert Notification.objects.count() == 2


def test_another_choice_after_answering_is_refused_with_a_message(client, forced):
    answer(client, forced, "no_thanks")
    response = answer(client, forced, "did_not_happen")
    assert response.status_code == 302
    followed = client.get(response["Location"], follow=True).content.decode()
    assert "You already answered this follow-up: No thanks." in followed
    forced.meeting.refresh_from_db()
    assert forced.meeting.follow_up_choice == "no_thanks"
    assert forced.meeting.status == FlashMeeting.Status.COMPLETED


def test_answered_follow_up_goes_straight_to_the_survey_then_thanks(client, forced):
    answer(client, forced, "no_thanks")
    response = client.get(url(forced.meeting))
    assert response.status_code == 302 and response["Location"] == survey_url(forced.meeting)
    from surveys.models import Survey, SurveyResponse

    survey = Survey.objects.get(
        program=forced.program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role=Survey.Role.MENTEE
    )
    SurveyResponse.objects.create(
        survey=survey, flash_meeting=forced.meeting, respondent=forced.mentee, version="completed"
    )
    # Once both are answered the follow-up still leads to the survey, which thanks them.
    response = client.get(url(forced.meeting), follow=True)
    assert response.redirect_chain == [(survey_url(forced.meeting), 302)]
    assert "You answered this survey on" in response.content.decode()


def test_unknown_choice_is_a_400_with_a_readable_message(client, forced):
    response = answer(client, forced, "marry_them")
    assert response.status_code == 400
    assert "Please pick one of the choices" in response.content.decode()


def test_posting_before_the_end_is_refused_without_a_500(client, forced):
    forced.meeting.starts_at = timezone.now() + timedelta(hours=2)
    forced.meeting.ends_at = forced.meeting.starts_at + timedelta(minutes=30)
    forced.meeting.save()
    response = answer(client, forced, "connect", policy=FORCED)
    assert response.status_code == 302
    assert not Connection.objects.exists()
    forced.meeting.refresh_from_db()
    assert forced.meeting.follow_up_choice == ""


# --- Things changed between page load and click ----------------------------------------


def test_last_slot_taken_meanwhile_shows_what_happened_and_the_current_options(client, forced):
    page(client, forced)
    forced.mentor_membership.max_ongoing_mentees = 1
    forced.mentor_membership.save()
    ConnectionFactory(program=forced.program, mentor=forced.mentor)  # someone else got it
    response = answer(client, forced, "connect", policy=FORCED)
    assert response.status_code == 302 and response["Location"] == url(forced.meeting)
    assert not Connection.objects.filter(mentee=forced.mentee).exists()
    html = client.get(response["Location"]).content.decode()
    assert "isn&#x27;t taking on new ongoing mentees right now" in html
    assert not YES_CONNECT.search(html) and NO_THANKS.search(html)
    forced.meeting.refresh_from_db()
    assert forced.meeting.follow_up_choice == ""


def test_policy_switched_meanwhile_is_explained_not_applied(client, forced):
    page(client, forced)  # shows "Yes, connect me"
    forced.settings.flash_to_ongoing_policy = FlashToOngoingPolicy.CONNECTION_REQUEST
    forced.settings.save()
    response = answer(client, forced, "connect", policy=FORCED)
    assert response["Location"] == url(forced.meeting)
    assert not Connection.objects.exists() and not ConnectionRequest.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "changed what happens when you say yes" in html
    assert YES_REQUEST.search(html)


def test_feature_switched_off_meanwhile(client, forced):
    page(client, forced)
    forced.settings.flash_to_ongoing_enabled = False
    forced.settings.save()
    response = answer(client, forced, "connect", policy=FORCED)
    assert response["Location"] == url(forced.meeting)
    assert not Connection.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "not offered any more" in html
    assert not YES_CONNECT.search(html) and NO_THANKS.search(html)


# --- Budgets ----------------------------------------------------------------------------


def _crowd(setup, n: int) -> None:
    """n other meetings, connections and requests in the program."""
    from tests.factories import UserFactory
    from tests.flash_meetings.factories import FlashMeetingFactory

    mentees = UserFactory.create_batch(n)
    FlashMeetingFactory.create_batch(
        n, program=setup.program, mentor=setup.mentor, mentee=mentees[0]
    )
    Connection.objects.bulk_create(
        Connection(
            program=setup.program,
            mentor=UserFactory(),
            mentee=mentee,
            origin=Connection.Origin.ADMIN,
            started_at=timezone.now(),
        )
        for mentee in mentees
    )
    for mentee in mentees[: n // 2]:
        ConnectionRequestFactory(program=setup.program, mentor=UserFactory(), mentee=mentee)


# session, user, the meeting with its program, settings, mentor, the mentor's terms,
# the pair's counts and whether the program has a webhook endpoint (one statement)
GET_QUERIES = 3
# + the meeting again under its lock, the answer's UPDATE (and, in a test, a savepoint
# and its release around them); follow_up.answered reads no endpoints of its own: the
# locked read said the program has none
ANSWER_QUERIES = 6
# + the service's savepoint and its release, the memberships locked, the counts under
# the lock, the row written (one INSERT that gives way to the constraint), the webhook
# endpoints read for connection.created or connection_request.created, the emails
# written to the outbox: two for a forced connection, one for a request
CONNECT_QUERIES = {FORCED: 14, REQUEST: 13}


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
@pytest.mark.parametrize("crowd", [1, 500])
@pytest.mark.parametrize("choice", ["connect", "no_thanks", "did_not_happen"])
def test_get_and_post_query_counts_are_pinned_whatever_the_data(
    client, django_assert_num_queries, policy, crowd, choice
):
    setup = make_setup(policy)
    _crowd(setup, crowd)
    client.force_login(setup.mentee)
    with django_assert_num_queries(GET_QUERIES):
        assert client.get(url(setup.meeting)).status_code == 200
    expected = CONNECT_QUERIES[policy] if choice == "connect" else ANSWER_QUERIES
    with django_assert_num_queries(expected):
        response = client.post(url(setup.meeting), {"choice": choice, "policy": policy})
    assert response.status_code == 302 and response["Location"] == survey_url(setup.meeting)
