"""A record's admin page costs the same number of queries however many rows its inline
lists (history, extensions, nudges, proposed times, questions, answers, members): one
row, then four."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching import services as matching_services
from matching.models import ConnectionExtension
from mentoring.models import Membership
from ongoing import services as ongoing_services
from ongoing.models import ConnectionNudge
from surveys.models import Answer, Question, Survey
from tests.admin_scoping.conftest import Side, _side
from tests.admin_scoping.test_changelists import _change
from tests.factories import MembershipFactory, UserFactory
from tests.flash_meetings.factories import ProposedTimeFactory

pytestmark = pytest.mark.django_db


def _proposed_time(side: Side, number: int, superuser) -> None:
    ProposedTimeFactory(meeting=side.objects["flash_meetings.flashmeeting"][0])


def _extension(side: Side, number: int, superuser) -> None:
    ConnectionExtension.objects.create(
        connection=side.objects["matching.connection"][0],
        requested_by=side.mentee,
        days=30,
        status=ConnectionExtension.Status.DECLINED,
        responded_by=side.mentor,
        responded_at=timezone.now(),
    )


def _nudge(side: Side, number: int, superuser) -> None:
    ConnectionNudge.objects.create(
        connection=side.objects["matching.connection"][0],
        nudged_by=superuser,
        day=date(2026, 2, 1) + timedelta(days=number),
    )


def _goal_change(side: Side, number: int, superuser) -> None:
    goal = side.objects["ongoing.goal"][0]
    ongoing_services.goal_update(
        goal=goal,
        actor=side.mentor if number % 2 else side.mentee,
        title=f"Goal, step {number}",
        description="",
        target_date=None,
        status=goal.status,
    )


def _settings_change(side: Side, number: int, superuser) -> None:
    matching_services.matching_settings_update(
        matching_settings=side.program.matching_settings,
        actor=UserFactory(),
        changes={"request_expiry_days": 30 + number},
    )


def _membership_change(side: Side, number: int, superuser) -> None:
    matching_services.membership_update(
        membership=_mentor_membership(side),
        actor=UserFactory(),
        changes={"headline": f"Headline {number}"},
        by_admin=True,
    )


def _question(side: Side, number: int, superuser) -> None:
    Question.objects.create(
        survey=_survey(side), text=f"Anything else, {number}?", kind="text", order=90 + number
    )


def _answer(side: Side, number: int, superuser) -> None:
    response = side.objects["surveys.surveyresponse"][0]
    Answer.objects.create(
        response=response, question_text=f"Question {number}", question_kind="text", text="x"
    )


def _member(side: Side, number: int, superuser) -> None:
    MembershipFactory(program=side.program)


def _mentor_membership(side: Side) -> Membership:
    return next(m for m in side.objects["mentoring.membership"] if m.role == Membership.Role.MENTOR)


def _survey(side: Side) -> Survey:
    return side.objects["surveys.surveyresponse"][0].survey


# label: (the record whose page is read, one more inline row)
PAGES = {
    "flash_meetings.flashmeeting": (
        lambda side: side.objects["flash_meetings.flashmeeting"][0],
        _proposed_time,
    ),
    "matching.connection": (lambda side: side.objects["matching.connection"][0], _extension),
    "ongoing.connectionhealth": (lambda side: side.objects["ongoing.connectionhealth"][0], _nudge),
    "ongoing.goal": (lambda side: side.objects["ongoing.goal"][0], _goal_change),
    "matching.matchingsettings": (lambda side: side.program.matching_settings, _settings_change),
    "mentoring.membership": (_mentor_membership, _membership_change),
    "surveys.survey": (_survey, _question),
    "surveys.surveyresponse": (lambda side: side.objects["surveys.surveyresponse"][0], _answer),
    "mentoring.program": (lambda side: side.program, _member),
}


def _queries(client, url: str) -> int:
    client.get(url)  # a first visit's one-off reads
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("label", PAGES)
def test_a_records_page_costs_the_same_with_one_inline_row_and_four(client, label):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    side = _side("Alpha", superuser)
    record_of, add_row = PAGES[label]
    url = _change(label, record_of(side).pk)
    client.force_login(superuser)
    add_row(side, 0, superuser)
    one = _queries(client, url)
    for number in (1, 2, 3):
        add_row(side, number, superuser)
    four = _queries(client, url)
    assert four == one, f"{label}: {one} queries with one row, {four} with four"
