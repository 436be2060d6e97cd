"""Outcomes by origin (issue 17): per program, how the connections that began each way
went (active, reached their end, ended early, length, goals achieved, check-in and
closing ratings), on seeded data with known numbers; a fixed number of queries; the
admin page, its scoping, and the links to and from the flash-to-ongoing report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching.models import Connection
from mentoring.services import program_administrator_add
from ongoing.models import Goal
from ongoing.outcomes import OutcomesReport, outcomes_report
from surveys.models import Answer, Survey, SurveyResponse, Version
from tests.connections.factories import ConnectionFactory
from tests.factories import MembershipFactory, ProgramFactory, UserFactory
from tests.surveys import factories as survey_factories

pytestmark = pytest.mark.django_db

REPORT = "admin:ongoing_outcomes_report"
FLASH = Connection.Origin.FLASH_MEETING
PROFILE = Connection.Origin.PROFILE_REQUEST
COMPLETED = Connection.EndCause.COMPLETED
EARLY = Connection.EndCause.ENDED_EARLY


def _connection(program, origin, *, days: int, end_cause: str = "") -> Connection:
    """A connection ``days`` long: ended now with ``end_cause``, or still active (begun
    ``days`` ago) without one."""
    now = timezone.now()
    ended = {"status": Connection.Status.ENDED, "ended_at": now, "end_cause": end_cause}
    return ConnectionFactory(
        program=program,
        origin=origin,
        started_at=now - timedelta(days=days),
        **(ended if end_cause else {}),
    )


def _goals(connection, **by_status: int) -> None:
    for status, count in by_status.items():
        for n in range(count):
            Goal.objects.create(connection=connection, title=f"{status} {n}", status=status)


def _rate(connection, kind: str, *, mentee: int | None = None, mentor: int | None = None):
    """The mentee's and/or the mentor's response to the connection's ``kind`` survey, with
    its rating question answered ``mentee`` / ``mentor``."""
    for role, rating, person in (
        (Survey.Role.MENTEE, mentee, connection.mentee),
        (Survey.Role.MENTOR, mentor, connection.mentor),
    ):
        if rating is None:
            continue
        survey = Survey.objects.get(program=connection.program, kind=kind, role=role)
        response = SurveyResponse.objects.create(
            survey=survey, connection=connection, respondent=person, version=Version.CONNECTION
        )
        for question in survey.questions.all():
            Answer.objects.create(
                response=response,
                question=question,
                question_text=question.text,
                question_kind=question.kind,
                rating=rating if question.kind == "rating" else None,
                text="" if question.kind == "rating" else "Fine",
            )


CHECK_IN = Survey.Kind.CONNECTION_CHECK_IN
CLOSING = Survey.Kind.CONNECTION_CLOSING


@pytest.fixture
def program(db):
    return ProgramFactory(name="Outcomes Program", slug="outcomes")


@pytest.fixture
def seeded(program):
    """Known numbers.

    Flash meeting: 3 connections, 2 reached their end (90 and 60 days), 1 ended early
    (30 days); goals achieved 2 + 1 + 0 (and open / dropped ones); check-in ratings
    5, 4 (mentee and mentor of the first), 4, 3; closing ratings 5, 4, 1.
    Profile request: 2 connections, 1 active (10 days so far), 1 ended early (20 days);
    1 goal achieved; one check-in rating 3; no closing rating.
    Program admin and Preferred Mentoring: none.
    Noise that must not count: another program's connection (with a goal and ratings),
    and a rating in the Flash Meeting Feedback of this program."""
    f1 = _connection(program, FLASH, days=90, end_cause=COMPLETED)
    f2 = _connection(program, FLASH, days=60, end_cause=COMPLETED)
    f3 = _connection(program, FLASH, days=30, end_cause=EARLY)
    _goals(f1, achieved=2, open=1)
    _goals(f2, achieved=1, dropped=1)
    _goals(f3, open=1)
    _rate(f1, CHECK_IN, mentee=5, mentor=4)
    _rate(f2, CHECK_IN, mentee=4)
    _rate(f3, CHECK_IN, mentee=3)
    _rate(f1, CLOSING, mentee=5)
    _rate(f2, CLOSING, mentee=4)
    _rate(f3, CLOSING, mentor=1)

    p1 = _connection(program, PROFILE, days=10)
    _connection(program, PROFILE, days=20, end_cause=EARLY)
    _goals(p1, achieved=1, open=2)
    _rate(p1, CHECK_IN, mentee=3)

    other = _connection(ProgramFactory(slug="elsewhere"), FLASH, days=5, end_cause=COMPLETED)
    _goals(other, achieved=4)
    _rate(other, CHECK_IN, mentee=1, mentor=1)
    _rate(other, CLOSING, mentee=1)

    meeting = survey_factories.meeting(program=program, status=FlashMeeting.Status.COMPLETED)
    survey_factories.answer(meeting, meeting.mentee, {"How useful was this meeting?": 1})
    return program


def _row(report: OutcomesReport, origin: str):
    return next(row for row in report.rows if row.origin == origin)


def test_the_report_on_seeded_data_has_the_known_numbers(seeded):
    report = outcomes_report(program=seeded)
    assert [row.origin for row in report.rows] == [
        "flash_meeting",
        "profile_request",
        "admin",
        "preferred_mentoring",
    ]

    flash = _row(report, FLASH)
    assert (flash.connections, flash.active, flash.completed, flash.ended_early) == (3, 0, 2, 1)
    assert flash.average_length_days == pytest.approx(60.0)  # (90 + 60 + 30) / 3
    assert flash.goals_achieved == 3
    assert flash.goals_achieved_per_connection == pytest.approx(1.0)
    assert (flash.check_in.count, flash.check_in.average) == (4, pytest.approx(4.0))
    assert (flash.closing.count, flash.closing.average) == (3, pytest.approx(10 / 3))

    profile = _row(report, PROFILE)
    assert (profile.connections, profile.active, profile.completed, profile.ended_early) == (
        2,
        1,
        0,
        1,
    )
    assert profile.average_length_days == pytest.approx(20.0)  # the active one is not in it
    assert profile.goals_achieved_per_connection == pytest.approx(0.5)
    assert (profile.check_in.count, profile.check_in.average) == (1, pytest.approx(3.0))
    assert (profile.closing.count, profile.closing.average) == (0, None)

    for origin in (Connection.Origin.ADMIN, Connection.Origin.PREFERRED_MENTORING):
        empty = _row(report, origin)
        assert (empty.connections, empty.active, empty.completed, empty.ended_early) == (0,) * 4
        assert empty.average_length_days is None
        assert empty.goals_achieved_per_connection is None
        assert empty.check_in.average is None and empty.closing.average is None

    total = report.total
    assert total.label == "All origins"
    assert (total.connections, total.active, total.completed, total.ended_early) == (5, 1, 2, 2)
    assert total.average_length_days == pytest.approx(50.0)  # (90 + 60 + 30 + 20) / 4
    assert total.goals_achieved_per_connection == pytest.approx(0.8)  # 4 / 5
    assert (total.check_in.count, total.check_in.average) == (5, pytest.approx(3.8))  # 19 / 5
    assert (total.closing.count, total.closing.average) == (3, pytest.approx(10 / 3))
    assert total.ended_cause_unknown == 0


def test_an_ended_connection_without_a_recorded_cause_is_said_so(admin_client, program):
    _connection(program, FLASH, days=40, end_cause=COMPLETED)
    Connection.objects.update(end_cause="")
    report = outcomes_report(program=program)
    flash = _row(report, FLASH)
    assert (flash.completed, flash.ended_early, flash.ended_cause_unknown) == (0, 0, 1)
    assert flash.average_length_days == pytest.approx(40.0)
    html = admin_client.get(reverse(REPORT), {"program": program.pk}).content.decode()
    assert "1 ended connection has no recorded cause" in html


def _many(program, count: int) -> None:
    for n in range(count):
        origin = FLASH if n % 2 else PROFILE
        end_cause = "" if n % 3 == 0 else COMPLETED  # every third one still active
        connection = _connection(program, origin, days=30 + n, end_cause=end_cause)
        _goals(connection, achieved=1, open=1)
        _rate(connection, CHECK_IN, mentee=4, mentor=3)
        _rate(connection, CLOSING, mentee=5)


@pytest.mark.parametrize("count", [5, 50])
def test_three_queries_whatever_the_number_of_connections(
    program, django_assert_num_queries, count
):
    _many(program, count)
    # connections by origin; goals achieved by origin; ratings by origin and survey kind
    with django_assert_num_queries(3):
        report = outcomes_report(program=program)
    assert report.total.connections == count
    assert report.total.goals_achieved == count
    assert report.total.check_in.count == 2 * count


def test_the_page_costs_the_same_with_5_and_50_connections(admin_client, program):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    counts = []
    for count in (5, 50):
        Connection.objects.all().delete()
        _many(program, count)
        with CaptureQueriesContext(db) as captured:
            response = admin_client.get(reverse(REPORT), {"program": program.pk})
        assert response.status_code == 200
        assert response.context["report"].total.connections == count
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


# --- The admin page -------------------------------------------------------------------


@pytest.fixture
def admin_user(program):
    user = UserFactory(username="pat")
    program_administrator_add(user=user, program=program)
    return user


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_page_shows_the_numbers(admin_client, seeded):
    response = admin_client.get(reverse(REPORT), {"program": seeded.pk})
    assert response.status_code == 200
    assert response.context["report"].program == seeded
    html = " ".join(response.content.decode().split())
    assert "<h1>Outcomes by origin</h1>" in html
    assert "<caption>Outcomes of the program's connections, by how they began</caption>" in html
    flash = (
        '<th scope="row">Flash meeting <code>flash_meeting</code></th>'
        " <td>3</td> <td>0</td> <td>2</td> <td>1</td> <td>60.0</td>"
        " <td>1.00 (3 goals)</td> <td>4.0 (4 ratings)</td> <td>3.3 (3 ratings)</td>"
    )
    profile = (
        '<th scope="row">Profile request <code>profile_request</code></th>'
        " <td>2</td> <td>1</td> <td>0</td> <td>1</td> <td>20.0</td>"
        " <td>0.50 (1 goal)</td> <td>3.0 (1 rating)</td> <td>—</td>"
    )
    admin = (
        '<th scope="row">Program admin <code>admin</code></th>'
        " <td>0</td> <td>0</td> <td>0</td> <td>0</td> <td>—</td> <td>—</td> <td>—</td> <td>—</td>"
    )
    total = (
        '<th scope="row"><strong>All origins</strong></th>'
        " <td>5</td> <td>1</td> <td>2</td> <td>2</td> <td>50.0</td>"
        " <td>0.80 (4 goals)</td> <td>3.8 (5 ratings)</td> <td>3.3 (3 ratings)</td>"
    )
    for row in (flash, profile, admin, total):
        assert row in html, row
    assert "began with a flash meeting" in html
    assert "ended connections only" in html
    assert "no recorded cause" not in html


def test_a_program_admin_sees_their_program_and_404_for_another(admin_client, program):
    other = ProgramFactory(name="Other Program", slug="other")
    _connection(other, FLASH, days=3, end_cause=COMPLETED)
    response = admin_client.get(reverse(REPORT))
    assert response.status_code == 200
    assert list(response.context["programs"]) == [program]
    assert response.context["program"] == program
    assert "Other Program" not in response.content.decode()
    assert admin_client.get(reverse(REPORT), {"program": other.pk}).status_code == 404


def test_a_superuser_chooses_any_program(client, program):
    other = ProgramFactory(name="Other Program", slug="other")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.get(reverse(REPORT), {"program": other.pk})
    assert response.status_code == 200
    assert response.context["program"] == other


def test_people_without_admin_access_are_refused(client, program):
    participant = MembershipFactory(program=program, user__username="elif").user
    client.force_login(participant)
    response = client.get(reverse(REPORT), {"program": program.pk})
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(UserFactory(username="bare-staff", is_staff=True))
    assert client.get(reverse(REPORT), {"program": program.pk}).status_code == 403


def test_the_reports_link_to_each_other_keeping_the_program(admin_client, program):
    ours = f"{reverse(REPORT)}?program={program.pk}"
    follow_up = f"{reverse('admin:flash_meetings_follow_up_report')}?program={program.pk}"
    html = admin_client.get(follow_up).content.decode()
    assert f'href="{ours}"' in html
    html = admin_client.get(ours).content.decode()
    assert f'href="{follow_up}"' in html
    changelist = admin_client.get(reverse("admin:ongoing_connectionhealth_changelist"))
    assert f'href="{reverse(REPORT)}"' in changelist.content.decode()
