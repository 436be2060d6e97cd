"""The connection page costs the same for 5 and for 50 goals, notes, changes, meetings,
extensions and nudges (and with every survey answered)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching.models import ConnectionExtension
from ongoing import services
from ongoing.models import ConnectionNudge
from surveys.models import Survey, SurveyResponse
from tests.flash_meetings.factories import FlashMeetingFactory

pytestmark = pytest.mark.django_db

# session, user, connection (+both people, program and its matching settings, ended by),
# latest goals (+added by), latest notes (+author), timeline: goal changes (+goal,
# person), notes (+author), meetings (people named from the connection's own),
# extensions (likewise), the viewer's survey answers (+survey kind; the check-in's
# opening from the connection's own fields and settings), nudges = 11; the term
# section's pending extension (portal), the meetings section's two (flash_meetings)
# and the surveys section's one (surveys) = 15
CONNECTION_PAGE = 15
# session, user, connection, count, page of goals, their changes (+person)
GOALS_PAGE = 6
# session, user, connection, count, page of notes (+author)
NOTES_PAGE = 5


def _fill(pair, rows: int) -> None:
    for index in range(rows):
        goal = services.goal_add(connection=pair, actor=pair.mentee, title=f"Goal {index}")
        services.goal_update(
            goal=goal,
            actor=pair.mentor,
            title=f"Goal {index}!",
            description="d",
            target_date=None,
            status="achieved",
        )
        services.note_add(connection=pair, actor=pair.mentor, body=f"Note {index}", shared=True)
        services.note_add(connection=pair, actor=pair.mentee, body=f"Mine {index}", shared=False)
    _meetings_and_extensions(pair, rows)
    _surveys_and_nudges(pair, rows)


def _surveys_and_nudges(pair, rows: int) -> None:
    """A term whose check-in has opened (the term section asks for a pending extension),
    answers (at most one a survey and person: the mentee's check-in is still open, so
    its event links to it) and ``rows`` nudges."""
    today = timezone.localdate()
    pair.ends_on = today + timedelta(days=30)
    pair.check_in_on = today - timedelta(days=1)
    pair.save(update_fields=["ends_on", "check_in_on"])
    answers = [
        ("connection_check_in", "mentor", pair.mentor),
        ("connection_closing", "mentor", pair.mentor),
        ("connection_closing", "mentee", pair.mentee),
    ]
    for kind, role, person in answers:
        SurveyResponse.objects.create(
            survey=Survey.objects.get(program=pair.program, kind=kind, role=role),
            connection=pair,
            respondent=person,
            version="connection",
        )
    now = timezone.now()
    for index in range(rows):
        ConnectionNudge.objects.create(
            connection=pair,
            nudged_at=now - timedelta(days=index),
            day=today - timedelta(days=index),
        )


def _meetings_and_extensions(pair, rows: int) -> None:
    """``rows`` meetings in the connection (every status) and ``rows`` extensions."""
    now = timezone.now()
    statuses = [
        FlashMeeting.Status.REQUESTED,
        FlashMeeting.Status.SCHEDULED,
        FlashMeeting.Status.COMPLETED,
        FlashMeeting.Status.CANCELLED,
        FlashMeeting.Status.DECLINED,
    ]
    for index in range(rows):
        FlashMeetingFactory(
            program=pair.program,
            mentor=pair.mentor,
            mentee=pair.mentee,
            connection=pair,
            counts_in_month=None,
            status=statuses[index % len(statuses)],
            starts_at=now - timedelta(days=index + 1),
            ends_at=now - timedelta(days=index + 1) + timedelta(minutes=30),
            responded_at=now - timedelta(days=index + 2),
            cancelled_by=pair.mentor if index % len(statuses) == 3 else None,
        )
    extension_statuses = [
        ConnectionExtension.Status.ACCEPTED,
        ConnectionExtension.Status.DECLINED,
        ConnectionExtension.Status.WITHDRAWN,
    ]
    for index in range(rows):
        ConnectionExtension.objects.create(
            connection=pair,
            requested_by=pair.mentee,
            days=30,
            status=extension_statuses[index % 3],
            by_admin=index % 7 == 6,
            created_at=now - timedelta(days=index + 1),
            responded_at=now - timedelta(days=index),
            responded_by=pair.mentor,
            new_ends_on=(now + timedelta(days=30)).date(),
        )


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize(
    "name, most",
    [
        ("connection_detail", CONNECTION_PAGE),
        ("connection_goals", GOALS_PAGE),
        ("connection_notes", NOTES_PAGE),
    ],
)
def test_pages_cost_a_fixed_number_of_queries(
    client, pair, django_assert_max_num_queries, rows, name, most
):
    _fill(pair, rows)
    client.force_login(pair.mentee)
    with django_assert_max_num_queries(most):
        response = client.get(reverse(f"portal:{name}", args=[pair.pk]))
    assert response.status_code == 200
