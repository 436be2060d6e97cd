"""The flash-to-ongoing report over the API: the admin report's figures, by the same
function, for the program's admins and keys; anyone else gets 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching.models import Connection, ConnectionRequest
from tests.api.conftest import person_client
from tests.api.conftest_admin import world_fixture  # noqa: F401 (the fixture ``world``)
from tests.api.conftest_participant import problem
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.factories import MembershipFactory
from tests.flash_meetings.factories import FlashMeetingFactory

pytestmark = pytest.mark.django_db


def url(program) -> str:
    return f"/api/v1/programs/{program.pk}/flash-to-ongoing-report/"


@pytest.fixture
def figures(world):
    """Four meetings over: one forced connection, one request accepted, one offer not
    shown (mentor full), one not answered yet; and one meeting still ahead."""
    meetings = []
    for n, (shown, reason, choice) in enumerate(
        [
            (True, "", "connect"),
            (True, "", "connect"),
            (False, "mentor_full", "no_thanks"),
            (None, "", ""),
        ]
    ):
        mentee = MembershipFactory(program=world.program).user
        starts_at = timezone.now() - timedelta(days=n + 1)
        meetings.append(
            FlashMeetingFactory(
                program=world.program,
                mentor=world.mentor,
                mentee=mentee,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=30),
                follow_up_offer_shown=shown,
                follow_up_offer_reason=reason,
                follow_up_choice=choice,
            )
        )
    FlashMeetingFactory(program=world.program, mentor=world.mentor, mentee=world.mentee)
    pair = {"program": world.program, "mentor": world.mentor}
    ConnectionFactory(
        **pair,
        mentee=meetings[0].mentee,
        origin=Connection.Origin.FLASH_MEETING,
        flash_meeting=meetings[0],
    )
    ConnectionRequestFactory(
        **pair,
        mentee=meetings[1].mentee,
        origin=ConnectionRequest.Origin.FLASH_MEETING,
        flash_meeting=meetings[1],
        status=ConnectionRequest.Status.ACCEPTED,
    )
    return meetings


def test_the_report_has_the_admin_reports_figures(world, figures, client):
    response = person_client(world.admin).get(url(world.program))
    assert response.status_code == 200, response.content
    body = response.json()
    client.force_login(world.admin)
    admin_page = client.get(
        reverse("admin:flash_meetings_follow_up_report"), {"program": world.program.pk}
    )
    report = admin_page.context["report"]
    assert body == {
        "program": {"id": world.program.pk, "slug": "wie", "name": "Women in Engineering"},
        "meetings_over": report.meetings_over,
        "follow_ups_answered": report.follow_ups_answered,
        "offers_shown": report.offers_shown,
        "offers_not_shown": [
            {"code": code, "label": label, "count": count}
            for code, label, count in report.offers_not_shown
        ],
        "forced_connections": report.forced_connections,
        "requests_sent": report.requests_sent,
        "requests_accepted": report.requests_accepted,
        "connections_made": report.connections_made,
        "conversion_rate": report.conversion_rate,
    }
    assert (body["meetings_over"], body["connections_made"], body["conversion_rate"]) == (4, 2, 0.5)
    not_shown = {row["code"]: row["count"] for row in body["offers_not_shown"]}
    assert not_shown["mentor_full"] == 1 and sum(not_shown.values()) == 1


def test_keys_of_the_program_read_it(world, figures):
    assert world.key("read").get(url(world.program)).json()["meetings_over"] == 4


def test_a_program_without_meetings_has_no_rate(world):
    body = world.key("read").get(url(world.program)).json()
    assert (body["meetings_over"], body["conversion_rate"]) == (0, None)


def test_anyone_else_gets_404(world, figures):
    for client in (
        person_client(world.mentor),
        person_client(world.mentee),
        person_client(world.other_admin),
        world.key("foreign"),
    ):
        problem(client.get(url(world.program)), 404, "not_found")
    problem(
        person_client(world.admin).get("/api/v1/programs/999999/flash-to-ongoing-report/"),
        404,
        "not_found",
    )


def test_etag_and_304(world, figures):
    client = world.key("read")
    first = client.get(url(world.program))
    assert client.get(url(world.program), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    FlashMeeting.objects.filter(pk=figures[3].pk).update(follow_up_choice="no_thanks")
    assert client.get(url(world.program), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_report_costs_the_same_queries_with_more_meetings(
    world, figures, django_assert_num_queries
):
    key = world.key("read")
    key.get(url(world.program))  # records the key's first use (once a minute at most)
    # key, the program, the report's aggregates (meetings, reasons, connections, requests)
    with django_assert_num_queries(6):
        key.get(url(world.program))
    FlashMeetingFactory.create_batch(10, program=world.program, mentor=world.mentor)
    with django_assert_num_queries(6):
        key.get(url(world.program))
