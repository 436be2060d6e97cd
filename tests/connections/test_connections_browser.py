"""A mentee connects from a mentor's profile; the mentor declines one request and accepts
another; both dashboards show the connection; the emails went out."""

import re

import pytest
from django.core import mail

from matching import services
from matching.models import Connection, ConnectionRequest
from tests.conftest import sign_in
from tests.connections.conftest import configure
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(db):
    program = ProgramFactory(slug="ongoing", name="Ongoing Program")
    configure(program, ongoing_enabled=True, preferred_mentoring_enabled=False)
    mentor = MentorMembershipFactory(
        program=program,
        user__username="amara",
        user__display_name="Amara Okafor",
        headline="Engineering lead",
        max_ongoing_mentees=3,
    ).user
    elif_ = MembershipFactory(
        program=program, user__username="elif", user__display_name="Elif Demir"
    ).user
    farid = MembershipFactory(
        program=program, user__username="farid", user__display_name="Farid Haddad"
    ).user
    return program, mentor, elif_, farid


def test_connect_decline_accept_and_both_dashboards(page, live_server, people):
    program, mentor, elif_, farid = people
    services.connection_request_create(
        program=program, mentor=mentor, mentee=farid, message="Hello from Farid."
    )
    mail.outbox = []

    # The mentee finds the mentor and connects from the profile.
    sign_in(page, live_server, "elif")
    page.get_by_role("link", name="Mentors in Ongoing Program").click()
    page.get_by_role("link", name="Amara Okafor").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Amara Okafor"
    page.get_by_label("Message to the mentor").fill("I'd love help growing into a lead role.")
    page.get_by_role("button", name="Connect").click()
    page.get_by_text("Your request was sent to Amara Okafor").wait_for()
    assert page.get_by_role("button", name="Withdraw request to Amara Okafor").is_visible()

    # The mentor declines Farid's request and accepts Elif's.
    page.context.clear_cookies()
    sign_in(page, live_server, "amara")
    page.get_by_role("link", name="Requests for you").click()
    farid_card = page.get_by_role("listitem").filter(has_text="Farid Haddad")
    farid_card.get_by_text(re.compile("^Decline Farid Haddad")).click()
    farid_card.get_by_label("Reason").select_option(label="Busy at this time")
    farid_card.get_by_label("Note to the mentee (optional)").fill("Try me next term.")
    farid_card.get_by_role("button", name="Decline request").click()
    page.get_by_text("You declined the request from Farid Haddad").wait_for()
    page.get_by_role("button", name="Accept Elif Demir").click()
    page.get_by_text("You're now connected with Elif Demir.").wait_for()

    page.get_by_role("link", name="Dashboard").click()
    mentees = page.get_by_role("region", name="Your mentees")
    assert mentees.get_by_role("link", name="Elif Demir").is_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, "elif")
    mentors = page.get_by_role("region", name="Your mentors")
    assert mentors.get_by_role("link", name="Amara Okafor").is_visible()

    assert Connection.objects.filter(mentor=mentor, mentee=elif_, status="active").exists()
    assert ConnectionRequest.objects.get(mentee=farid).decline_reason == "busy"
    sent = {(message.to[0], message.subject) for message in mail.outbox}
    assert (mentor.email, "Elif Demir asks you for ongoing mentoring") in sent
    assert (farid.email, "Amara Okafor can't take on your mentoring request") in sent
    assert (elif_.email, "Amara Okafor accepted your mentoring request") in sent
    assert all(message.alternatives for message in mail.outbox)
