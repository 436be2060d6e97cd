"""Every page that lists things costs the same number of queries for 5 and for 50 rows.

The counts are pinned: a change that adds a query per row (or any query) fails here.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.factories import MentorMembershipFactory
from tests.factories import mentee as make_mentee

pytestmark = pytest.mark.django_db

# session, user, program access (+settings), the ordered ids (cached: see
# test_directory_cache.py), page of mentors by id with slots
DIRECTORY = 5
# session, user, program access, mentor with slots, pair counts (one statement), the
# mentor's open flash-meeting slots (the program's settings and the viewer's membership
# come with the program access)
PROFILE = 6
# session, user, pending (+mentee, program, settings), answered (+mentee, program)
REQUESTS_RECEIVED = 4
# session, user, requests (+mentor, program)
REQUESTS_SENT = 3
# session, user, memberships (+program, settings), connections (+both people, program),
# flash meetings to follow up and upcoming (one query), meeting surveys waiting, and
# connection surveys waiting (check-ins and closing surveys)
MENTEE_DASHBOARD = 7
MENTOR_DASHBOARD = MENTEE_DASHBOARD + 1  # + pending requests count
# session, user, program access, the mentor with slots, then the service: the two
# memberships locked (with the settings), the counts under the lock, the request written
# (one INSERT that gives way to the constraint: no savepoint), the program's webhook
# endpoints read for connection_request.created, and its email written to the outbox
# (and, in a test, the savepoint around the service and its release)
CONNECT_POST = 11


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def busy_mentor(program, mentor_membership, rows: int) -> None:
    """``rows`` connections and as many pending requests for a mentor with room left."""
    mentor_membership.max_ongoing_mentees = 200
    mentor_membership.save()
    for _ in range(rows):
        ConnectionFactory(
            program=program, mentor=mentor_membership.user, mentee=make_mentee(program)
        )
        ConnectionRequestFactory(
            program=program, mentor=mentor_membership.user, mentee=make_mentee(program)
        )


@pytest.mark.parametrize("rows", [5, 50])
def test_directory(client, ongoing_program, mentee, django_assert_num_queries, rows):
    for _ in range(rows):
        membership = MentorMembershipFactory(program=ongoing_program)
        ConnectionFactory(
            program=ongoing_program, mentor=membership.user, mentee=make_mentee(ongoing_program)
        )
    client.force_login(mentee)
    with django_assert_num_queries(DIRECTORY):
        client.get(reverse("portal:directory", args=["ongoing"]))
    with django_assert_num_queries(DIRECTORY):
        client.get(reverse("portal:directory", args=["ongoing"]), {"q": "python", "page": 2})


@pytest.mark.parametrize("rows", [5, 50])
def test_profile(
    client,
    ongoing_program,
    mentor_membership,
    mentee,
    django_assert_num_queries,
    rows,
):
    busy_mentor(ongoing_program, mentor_membership, rows)
    client.force_login(mentee)
    url = reverse("portal:mentor_profile", args=["ongoing", mentor_membership.pk])
    with django_assert_num_queries(PROFILE):
        html = client.get(url).content.decode()
    assert ">Connect</button>" in html


def test_profile_with_the_flash_meetings_section_costs_the_same_for_5_and_50_rows(
    client, ongoing_program, mentor_membership, mentee
):
    client.force_login(mentee)
    url = reverse("portal:mentor_profile", args=["ongoing", mentor_membership.pk])
    counts = []
    for rows in (5, 45):
        for _ in range(rows):
            ConnectionRequestFactory(
                program=ongoing_program,
                mentor=mentor_membership.user,
                mentee=make_mentee(ongoing_program),
            )
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("rows", [5, 50])
def test_requests_received(
    client, ongoing_program, mentor_membership, django_assert_num_queries, rows
):
    mentor = mentor_membership.user
    for _ in range(rows):
        ConnectionRequestFactory(
            program=ongoing_program, mentor=mentor, mentee=make_mentee(ongoing_program)
        )
        ConnectionRequestFactory(
            program=ongoing_program,
            mentor=mentor,
            mentee=make_mentee(ongoing_program),
            status="declined",
            decline_reason="busy",
        )
    client.force_login(mentor)
    with django_assert_num_queries(REQUESTS_RECEIVED):
        html = client.get(reverse("portal:requests_received")).content.decode()
    assert html.count("Decline request") == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_requests_sent(client, ongoing_program, mentee, django_assert_num_queries, rows):
    for index in range(rows):
        ConnectionRequestFactory(
            program=ongoing_program,
            mentor=MentorMembershipFactory(program=ongoing_program).user,
            mentee=mentee,
            status="pending" if index == 0 else "declined",
        )
    client.force_login(mentee)
    with django_assert_num_queries(REQUESTS_SENT):
        html = client.get(reverse("portal:requests_sent")).content.decode()
    assert "Withdraw request to" in html


def test_dashboard(client, ongoing_program, mentor_membership, mentee):
    """Connections on both sides; the total stays the same from 5 to 50 rows. Other apps
    add their own dashboard sections, so ours are pinned by table and the total is
    compared between the two sizes."""
    mentor = mentor_membership.user
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    client.force_login(mentor)
    totals = []
    for rows in (5, 45):
        for _ in range(rows):
            ConnectionFactory(
                program=ongoing_program, mentor=mentor, mentee=make_mentee(ongoing_program)
            )
            ConnectionRequestFactory(
                program=ongoing_program, mentor=mentor, mentee=make_mentee(ongoing_program)
            )
        with CaptureQueriesContext(connection) as captured:
            html = client.get(reverse("portal:dashboard")).content.decode()
        assert html.count("/connections/") >= rows
        totals.append(len(captured))
    assert totals == [MENTOR_DASHBOARD, MENTOR_DASHBOARD]


@pytest.mark.parametrize("rows", [5, 50])
def test_mentee_dashboard(client, ongoing_program, mentee, django_assert_num_queries, rows):
    from tests.flash_meetings.factories import FlashMeetingFactory

    for index in range(rows):
        mentor = MentorMembershipFactory(program=ongoing_program).user
        FlashMeetingFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
        if index < 2:
            ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    client.force_login(mentee)
    with django_assert_num_queries(MENTEE_DASHBOARD):
        client.get(reverse("portal:dashboard"))


@pytest.mark.parametrize("rows", [5, 50])
def test_connect_post(client, ongoing_program, mentor_membership, mentee, rows):
    busy_mentor(ongoing_program, mentor_membership, rows)
    client.force_login(mentee)
    url = reverse("portal:connect", args=["ongoing", mentor_membership.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, {"message": "Hello, could you mentor me?"})
    assert response.status_code == 302
    assert len(captured) == CONNECT_POST, [q["sql"][:60] for q in captured.captured_queries]
