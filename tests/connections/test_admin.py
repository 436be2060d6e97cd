"""Admin: requests and connections with filters and search, the create/end actions that
call the services, preferred lists, and slots used/limit in the memberships list."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Connection
from mentoring.models import Membership
from notifications.models import Notification
from tests.connections.conftest import configure
from tests.connections.factories import (
    ConnectionFactory,
    ConnectionRequestFactory,
    PreferredMentorFactory,
)
from tests.factories import MentorMembershipFactory
from tests.factories import mentee as make_mentee

pytestmark = pytest.mark.django_db


def test_connection_and_request_lists_filter_search_and_show_origin(
    admin_client, ongoing_program, mentor, mentee
):
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee, origin="admin")
    ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    url = reverse("admin:matching_connection_changelist")
    html = admin_client.get(url, {"origin__exact": "admin", "q": "Elif"}).content.decode()
    assert "Amara Okafor" in html and "Program admin" in html
    html = admin_client.get(url, {"q": "nobody-like-this"}).content.decode()
    assert "0 connections" in html
    url = reverse("admin:matching_connectionrequest_changelist")
    html = admin_client.get(
        url, {"status__exact": "pending", "program__id__exact": ongoing_program.pk, "q": "Amara"}
    ).content.decode()
    assert "Elif Demir" in html and "Mentor profile" in html


def test_create_connection_in_admin_calls_the_service(
    admin_client, ongoing_program, mentor_membership, mentee
):
    mentee_membership = Membership.objects.get(user=mentee)
    url = reverse("admin:matching_connection_add")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url, {"mentor": mentor_membership.pk, "mentee": mentee_membership.pk}
    )
    assert response.status_code == 302
    connection = Connection.objects.get()
    assert connection.origin == "admin" and connection.mentee == mentee
    assert Notification.objects.filter(kind="connection_created").count() == 2
    # The same pair again: the service's refusal shows as a form error.
    response = admin_client.post(
        url, {"mentor": mentor_membership.pk, "mentee": mentee_membership.pk}
    )
    assert response.status_code == 400
    assert "are already connected" in response.content.decode()


def test_create_connection_in_admin_respects_a_full_mentor(admin_client, mentor_membership, mentee):
    mentor_membership.max_ongoing_mentees = 0
    mentor_membership.save()
    response = admin_client.post(
        reverse("admin:matching_connection_add"),
        {"mentor": mentor_membership.pk, "mentee": Membership.objects.get(user=mentee).pk},
    )
    assert response.status_code == 400
    assert "isn&#x27;t taking on new ongoing mentees right now" in response.content.decode()
    assert not Connection.objects.exists()


def test_end_connection_action(admin_client, ongoing_program, mentor, mentee):
    connection = ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    response = admin_client.post(
        reverse("admin:matching_connection_changelist"),
        {"action": "end_connections", ACTION_CHECKBOX_NAME: [connection.pk]},
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == "ended" and connection.ended_by.username == "root"
    assert Notification.objects.filter(kind="connection_ended").count() == 2


def test_preferred_lists_and_the_create_connection_action(
    admin_client, ongoing_program, mentor, other_mentor, mentee
):
    configure(ongoing_program, preferred_mentoring_enabled=True, max_ongoing_mentors_per_mentee=1)
    first = PreferredMentorFactory(program=ongoing_program, mentee=mentee, mentor=mentor, rank=1)
    PreferredMentorFactory(program=ongoing_program, mentee=mentee, mentor=other_mentor, rank=2)
    url = reverse("admin:matching_preferredmentor_changelist")
    html = admin_client.get(url, {"q": "Elif"}).content.decode()
    assert html.index("Amara Okafor") < html.index("Bruno Costa")
    response = admin_client.post(
        url, {"action": "create_connections", ACTION_CHECKBOX_NAME: [first.pk]}
    )
    assert response.status_code == 302
    connection = Connection.objects.get()
    assert connection.origin == "preferred_mentoring" and connection.mentor == mentor


def test_the_create_connection_action_says_which_entries_were_refused_and_why(
    admin_client, ongoing_program, mentor, other_mentor, mentee
):
    configure(ongoing_program, preferred_mentoring_enabled=True, max_ongoing_mentors_per_mentee=1)
    entries = [
        PreferredMentorFactory(program=ongoing_program, mentee=mentee, mentor=mentor, rank=1),
        PreferredMentorFactory(program=ongoing_program, mentee=mentee, mentor=other_mentor, rank=2),
    ]
    response = admin_client.post(
        reverse("admin:matching_preferredmentor_changelist"),
        {"action": "create_connections", ACTION_CHECKBOX_NAME: [e.pk for e in entries]},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        f"{mentee.name} → {other_mentor.name}: "
        f"{mentee.name} already has the most ongoing mentors this program allows.",
        "1 connection(s) created; both sides were emailed.",
    ]
    assert list(Connection.objects.values_list("mentor", flat=True)) == [mentor.pk]


def test_memberships_list_shows_slots_without_a_query_per_row(
    admin_client, ongoing_program, mentor_membership
):
    mentor = mentor_membership.user
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=make_mentee(ongoing_program))
    ConnectionRequestFactory(
        program=ongoing_program, mentor=mentor, mentee=make_mentee(ongoing_program)
    )
    url = reverse("admin:mentoring_membership_changelist")
    html = admin_client.get(url).content.decode()
    assert "2/2" in html  # one connection + one pending request of the default 2
    counts = []
    for rows in (5, 45):
        for _ in range(rows):
            MentorMembershipFactory(program=ongoing_program)
        with CaptureQueriesContext(db) as captured:
            admin_client.get(url)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_connection_s_term_and_check_in_day_are_read_only_in_admin(
    admin_client, ongoing_program, mentor, mentee
):
    """They move through the services only (an extension moves the end, never the
    check-in day): the change form shows them and a crafted POST changes neither."""
    from datetime import date

    connection = ConnectionFactory(
        program=ongoing_program,
        mentor=mentor,
        mentee=mentee,
        ends_on=date(2027, 6, 1),
        check_in_on=date(2027, 3, 1),
    )
    url = reverse("admin:matching_connection_change", args=[connection.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="check_in_on"' not in html and "Check-in from" in html
    admin_client.post(url, {"check_in_on": "2027-01-01", "ends_on": "2030-01-01"})
    connection.refresh_from_db()
    assert (connection.ends_on, connection.check_in_on) == (date(2027, 6, 1), date(2027, 3, 1))
