"""Every email of ongoing mentoring arrives once, with a text and an HTML part, names the
program, links with SITE_URL and says why the person got it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matching import services
from matching.models import ConnectionRequest
from notifications.models import Notification
from tests.connections.conftest import configure
from tests.factories import MentorMembershipFactory

pytestmark = pytest.mark.django_db


def only_email(mailoutbox, subject_part):
    found = [message for message in mailoutbox if subject_part in message.subject]
    assert len(found) == 1, [m.subject for m in mailoutbox]
    message = found[0]
    html = {mime: body for body, mime in message.alternatives}["text/html"]
    return message, message.body, html


def assert_well_formed(text, html, program_name, link_path, reason):
    assert program_name in text and program_name in html
    assert f"http://testserver{link_path}" in text
    assert f'href="http://testserver{link_path}"' in html
    assert reason in text and reason in html
    assert "<html" in html and "{{" not in text and "{%" not in html


@pytest.fixture
def flow(ongoing_program, mentor, mentee, django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def request_for(program, mentor, mentee, message="I'd like help with leadership & hiring."):
    return services.connection_request_create(
        program=program, mentor=mentor, mentee=mentee, message=message
    )


def test_request_received_and_accepted(flow, ongoing_program, mentor, mentee, mailoutbox):
    request = flow(lambda: request_for(ongoing_program, mentor, mentee))
    message, text, html = only_email(mailoutbox, "Elif Demir asks you for ongoing mentoring")
    assert message.to == [mentor.email]
    assert "leadership & hiring" in text  # plain text is not HTML-escaped
    assert "leadership &amp; hiring" in html
    assert "within 14 days" in text
    assert_well_formed(
        text, html, "Ongoing Program", "/requests/received/", "because you mentor in"
    )

    connection = flow(lambda: services.connection_request_accept(request=request, actor=mentor))
    message, text, html = only_email(mailoutbox, "Amara Okafor accepted your mentoring request")
    assert message.to == [mentee.email]
    assert_well_formed(
        text,
        html,
        "Ongoing Program",
        f"/connections/{connection.pk}/",
        "because you are a mentee in",
    )


def test_declined_with_reason_and_note(flow, ongoing_program, mentor, mentee, mailoutbox):
    request = flow(lambda: request_for(ongoing_program, mentor, mentee))
    flow(
        lambda: services.connection_request_decline(
            request=request, actor=mentor, reason="reached_limit", note="Ask Bruno!"
        )
    )
    message, text, html = only_email(mailoutbox, "can't take on your mentoring request")
    assert message.to == [mentee.email]
    assert "Reason: Reached my limit." in text and "Ask Bruno!" in text
    assert "Reached my limit" in html and "Ask Bruno!" in html
    assert_well_formed(
        text, html, "Ongoing Program", "/programs/ongoing/mentors/", "because you are a mentee in"
    )


def test_withdrawn(flow, ongoing_program, mentor, mentee, mailoutbox):
    request = flow(lambda: request_for(ongoing_program, mentor, mentee))
    flow(lambda: services.connection_request_withdraw(request=request, actor=mentee))
    message, text, html = only_email(mailoutbox, "Elif Demir withdrew their mentoring request")
    assert message.to == [mentor.email]
    assert_well_formed(
        text, html, "Ongoing Program", "/requests/received/", "because you mentor in"
    )


def test_reminder_then_expired(flow, ongoing_program, mentor, mentee, mailoutbox):
    request = flow(lambda: request_for(ongoing_program, mentor, mentee))
    start = request.created_at
    flow(lambda: services.connection_requests_expire(now=start + timedelta(days=8)))
    flow(lambda: services.connection_requests_expire(now=start + timedelta(days=9)))
    message, text, html = only_email(mailoutbox, "Reminder: Elif Demir is waiting for your answer")
    assert message.to == [mentor.email] and "expires in 6 days" in text
    assert_well_formed(
        text, html, "Ongoing Program", "/requests/received/", "because you mentor in"
    )
    flow(lambda: services.connection_requests_expire(now=start + timedelta(days=15)))
    flow(lambda: services.connection_requests_expire(now=start + timedelta(days=16)))
    message, text, html = only_email(mailoutbox, "Your mentoring request to Amara Okafor expired")
    assert message.to == [mentee.email] and "within 14 days" in text
    assert_well_formed(
        text, html, "Ongoing Program", "/programs/ongoing/mentors/", "because you are a mentee in"
    )


def test_closed_when_the_mentee_reached_their_limit(
    flow, ongoing_program, mentor, other_mentor, mentee, mailoutbox
):
    configure(ongoing_program, max_ongoing_mentors_per_mentee=1)
    first = flow(lambda: request_for(ongoing_program, mentor, mentee))
    flow(lambda: request_for(ongoing_program, other_mentor, mentee))
    flow(lambda: services.connection_request_accept(request=first, actor=mentor))
    message, text, html = only_email(mailoutbox, "The mentoring request from Elif Demir was closed")
    assert message.to == [other_mentor.email]
    assert "reached the most ongoing mentors" in text
    assert_well_formed(
        text, html, "Ongoing Program", "/requests/received/", "because you mentor in"
    )


def test_connection_created_by_an_admin_and_ended(
    flow, ongoing_program, mentor, mentee, superuser, mailoutbox
):
    connection = flow(
        lambda: services.connection_create(
            program=ongoing_program, mentor=mentor, mentee=mentee, origin="admin", actor=superuser
        )
    )
    created = [m for m in mailoutbox if "You're now connected" in m.subject]
    assert sorted(m.to[0] for m in created) == sorted([mentor.email, mentee.email])
    for message in created:
        html = message.alternatives[0][0]
        assert_well_formed(
            message.body,
            html,
            "Ongoing Program",
            f"/connections/{connection.pk}/",
            "because you take part in",
        )
    flow(lambda: services.connection_end(connection=connection, actor=mentor, reason="New job"))
    message, text, html = only_email(mailoutbox, "connection with Amara Okafor has ended")
    assert message.to == [mentee.email] and "New job" in text and "New job" in html
    assert_well_formed(text, html, "Ongoing Program", "/", "because you take part in")


def test_no_late_reminder_for_a_request_that_already_expired(
    flow, ongoing_program, mentee, mailoutbox
):
    mentor = MentorMembershipFactory(program=ongoing_program).user
    request = flow(lambda: request_for(ongoing_program, mentor, mentee))
    flow(lambda: services.connection_requests_expire(now=timezone.now() + timedelta(days=30)))
    flow(lambda: services.connection_requests_expire(now=timezone.now() + timedelta(days=31)))
    request.refresh_from_db()
    assert request.status == ConnectionRequest.Status.EXPIRED
    kinds = list(Notification.objects.values_list("kind", flat=True).order_by("kind"))
    assert kinds == ["connection_request_expired", "connection_request_received"]
    assert len(mailoutbox) == 2
