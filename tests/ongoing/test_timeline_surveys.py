"""The activity timeline also tells the connection's surveys and nudges: the mid-point
check-in opening (to both parties, once its day has come, in programs that run it), a
person's OWN answers (never the other party's: the surveys are for the program team),
and the program team's nudges (without naming the admin)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import selectors as matching_selectors
from matching.models import Connection, MatchingSettings
from mentoring import when
from mentoring.services import program_administrator_add
from ongoing import health, timeline
from surveys.connection_selectors import connection_survey_url
from surveys.models import Survey, SurveyResponse
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OPENED = "Mid-point check-in opened."
NUDGED = "The program team checked in on you both."


@pytest.fixture
def site_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    return ZoneInfo("Europe/Berlin")


def _check_in_on(pair, days_from_today: int):
    pair.check_in_on = timezone.localdate() + timedelta(days=days_from_today)
    pair.ends_on = pair.check_in_on + timedelta(days=90)
    pair.save(update_fields=["check_in_on", "ends_on"])
    return pair.check_in_on


def _events(pair, viewer, kind: str | None = None):
    """The viewer's timeline, the connection loaded as the page loads it."""
    connection = matching_selectors.connection_for_party(user=viewer, connection_id=pair.pk)
    items = timeline.timeline(connection=connection, viewer=viewer)
    return [item for item in items if kind is None or item.kind == kind]


def _answer(pair, person, kind: str, role: str, **fields) -> SurveyResponse:
    return SurveyResponse.objects.create(
        survey=Survey.objects.get(program=pair.program, kind=kind, role=role),
        connection=pair,
        respondent=person,
        version="connection",
        **fields,
    )


def _end(pair, at: datetime) -> None:
    Connection.objects.filter(pk=pair.pk).update(status=Connection.Status.ENDED, ended_at=at)


# --- The check-in opening ----------------------------------------------------------------


@pytest.mark.parametrize("days", [0, -1, -20])
def test_both_parties_see_the_check_in_open_at_the_start_of_its_day(pair, site_zone, days):
    day = _check_in_on(pair, days)
    opened_at = datetime(day.year, day.month, day.day, tzinfo=site_zone)
    url = connection_survey_url(connection=pair, kind="connection_check_in")
    for person in (pair.mentee, pair.mentor):
        [event] = _events(pair, person, "check_in_opened")
        assert event.when == opened_at
        assert event.text == OPENED
        assert event.link == url  # open, and not answered yet


def test_no_check_in_event_before_its_day(pair, site_zone):
    _check_in_on(pair, 1)
    for person in (pair.mentee, pair.mentor):
        assert _events(pair, person, "check_in_opened") == []


def test_no_check_in_event_when_the_program_runs_none(pair):
    _check_in_on(pair, -3)
    MatchingSettings.objects.filter(program=pair.program).update(connection_check_in_enabled=False)
    for person in (pair.mentee, pair.mentor):
        assert _events(pair, person, "check_in_opened") == []


def test_no_check_in_event_without_a_check_in_day(pair):
    assert pair.check_in_on is None
    assert _events(pair, pair.mentee, "check_in_opened") == []


def test_no_check_in_event_when_the_connection_ended_before_its_day(pair):
    _check_in_on(pair, -3)
    _end(pair, timezone.now() - timedelta(days=5))
    assert _events(pair, pair.mentee, "check_in_opened") == []


def test_a_check_in_that_closed_with_the_end_is_still_told_without_a_link(pair):
    day = _check_in_on(pair, -10)
    _end(pair, timezone.now() - timedelta(days=2))
    [event] = _events(pair, pair.mentee, "check_in_opened")
    assert event.when.date() == day and event.link == ""
    # No event of its own for the closing survey: the end says it.
    kinds = [item.kind for item in _events(pair, pair.mentee)]
    assert kinds.count("ended") == 1 and "closing_opened" not in kinds


# --- Answers: only one's own -------------------------------------------------------------


def test_a_person_sees_their_own_check_in_answer_and_not_the_other_partys(pair):
    _check_in_on(pair, -10)
    submitted_at = timezone.now() - timedelta(days=2)
    _answer(pair, pair.mentee, "connection_check_in", "mentee", submitted_at=submitted_at)

    mentee_events = _events(pair, pair.mentee)
    [answered] = [item for item in mentee_events if item.kind == "check_in_answered"]
    assert answered.text == "You answered the mid-point check-in."
    assert answered.when == submitted_at
    [opened] = [item for item in mentee_events if item.kind == "check_in_opened"]
    assert opened.link == ""  # answered: nothing left to do there

    mentor_events = _events(pair, pair.mentor)
    assert not [item for item in mentor_events if "answered" in item.kind]
    assert not [item for item in mentor_events if "answered" in item.text]
    [opened] = [item for item in mentor_events if item.kind == "check_in_opened"]
    assert opened.link == connection_survey_url(connection=pair, kind="connection_check_in")


def test_a_person_sees_their_own_closing_answer_and_not_the_other_partys(pair):
    _check_in_on(pair, -40)
    _end(pair, timezone.now() - timedelta(days=3))
    _answer(pair, pair.mentor, "connection_closing", "mentor")
    [answered] = _events(pair, pair.mentor, "closing_answered")
    assert answered.text == "You answered the closing survey."
    assert _events(pair, pair.mentee, "closing_answered") == []
    assert not [item for item in _events(pair, pair.mentee) if "answered" in item.text]


# --- Nudges ------------------------------------------------------------------------------


@pytest.fixture
def nudged(pair):
    admin = UserFactory(username="pat", display_name="Patricia Adminova")
    program_administrator_add(user=admin, program=pair.program)
    health.connection_nudge(connection=pair, actor=admin)
    return pair


def test_a_nudge_shows_to_both_parties_without_the_admins_name(nudged):
    pair = nudged
    for person in (pair.mentee, pair.mentor):
        [event] = _events(pair, person, "nudged")
        assert event.text == NUDGED and event.link == ""
        assert "Patricia" not in event.text


# --- The page ----------------------------------------------------------------------------


def test_the_connection_page_shows_the_events(client, nudged):
    pair = nudged
    day = _check_in_on(pair, -1)
    _answer(pair, pair.mentee, "connection_check_in", "mentee")
    detail = reverse("portal:connection_detail", args=[pair.pk])
    check_in_url = connection_survey_url(connection=pair, kind="connection_check_in")

    client.force_login(pair.mentee)
    page = client.get(detail).content.decode()
    assert OPENED in page and NUDGED in page
    assert "You answered the mid-point check-in." in page
    assert "Patricia Adminova" not in page

    pair.mentor.time_zone = "America/New_York"
    pair.mentor.save(update_fields=["time_zone"])
    client.force_login(pair.mentor)
    page = client.get(detail).content.decode()
    assert NUDGED in page and "Patricia Adminova" not in page
    assert "You answered" not in page
    # The mentor has not answered: the event links to the open check-in, its time in
    # the mentor's zone.
    assert f'<a href="{check_in_url}">{OPENED}</a>' in page
    opened_at = datetime(day.year, day.month, day.day, tzinfo=timezone.get_default_timezone())
    assert when.moment(opened_at, ZoneInfo("America/New_York")) in page
