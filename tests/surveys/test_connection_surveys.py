"""The surveys about an ongoing connection: the mid-point check-in and the closing survey.

Who may open them, when they open and close (and the sentence that says so), storing a
response once, the invitations and reminders (each once, whatever the number of runs),
and where people find them (dashboard, connection page)."""

from __future__ import annotations

import importlib
import threading
from datetime import datetime, timedelta

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from matching import services as matching_services
from matching.models import Connection, MatchingSettings
from notifications.models import Notification
from notifications.rendering import render_notification
from surveys import connection_selectors as selectors
from surveys import connection_services as services
from surveys.errors import AlreadyAnswered, ConnectionSurveyClosed, InvalidAnswers
from surveys.models import Answer, Question, Survey, SurveyResponse
from tests.connections.factories import ConnectionFactory
from tests.factories import MembershipFactory, MentorMembershipFactory
from tests.ongoing.conftest import amara_mentoring_elif

pytestmark = pytest.mark.django_db

CHECK_IN = Survey.Kind.CONNECTION_CHECK_IN
CLOSING = Survey.Kind.CONNECTION_CLOSING
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def pair(db) -> Connection:
    """Amara mentoring Elif since 90 days before NOON, for 180 days: the check-in opens on
    NOON's day."""
    started = NOON - timedelta(days=90)
    return amara_mentoring_elif(
        started_at=started,
        ends_on=(started + timedelta(days=180)).date(),
        check_in_on=NOON.date(),
    )


def survey(connection: Connection, kind: str, role: str = "mentee") -> Survey:
    return Survey.objects.get(program=connection.program, kind=kind, role=role)


def rating_question(survey_: Survey) -> Question:
    return survey_.questions.get(kind=Question.Kind.RATING)


def submit(connection: Connection, person, kind: str, rating: int = 4, now=NOON):
    role = "mentee" if person.pk == connection.mentee_id else "mentor"
    survey_ = survey(connection, kind, role)
    return services.connection_response_submit(
        connection=connection,
        respondent=person,
        survey=survey_,
        answers={rating_question(survey_): rating},
        now=now,
    )


def end(connection: Connection, when: datetime, cause=Connection.EndCause.COMPLETED) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.ENDED, ended_at=when, end_cause=cause
    )
    connection.refresh_from_db()


def outbox(kind: str) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", "dedupe_key")
    )


# --- The term: when a check-in opens ------------------------------------------------------


def test_a_new_connection_gets_its_check_in_at_the_mid_point(pair):
    settings = pair.program.matching_settings
    settings.connection_duration_days = 181
    settings.save()
    ended = pair
    matching_services.connection_end(connection=ended, actor=ended.mentee, reason="Moving")
    made = matching_services.connection_create(
        program=pair.program, mentor=pair.mentor, mentee=pair.mentee, origin="admin"
    )
    today = timezone.localdate(made.started_at)
    assert made.ends_on == today + timedelta(days=181)
    assert made.check_in_on == today + timedelta(days=90)


def test_an_open_ended_connection_has_no_check_in(pair):
    Connection.objects.filter(pk=pair.pk).update(ends_on=None, check_in_on=None)
    pair.refresh_from_db()
    assert selectors.closed_message(connection=pair, kind=CHECK_IN, now=NOON) == (
        "This connection has no end date, so there is no mid-point check-in."
    )


def test_the_migration_gives_existing_connections_their_mid_point(pair):
    Connection.objects.filter(pk=pair.pk).update(check_in_on=None)
    migration = importlib.import_module("matching.migrations.0010_connection_surveys")
    migration.set_check_in_dates(global_apps, None)
    pair.refresh_from_db()
    assert pair.check_in_on == NOON.date()


def test_the_data_migration_gives_existing_programs_both_connection_surveys(pair):
    Survey.objects.filter(program=pair.program, kind__in=Survey.CONNECTION_KINDS).delete()
    migration = importlib.import_module(
        "surveys.migrations.0005_connection_surveys_for_existing_programs"
    )
    migration.create_connection_surveys(global_apps, None)
    migration.create_connection_surveys(global_apps, None)  # idempotent
    kinds = Survey.objects.filter(program=pair.program).values_list("kind", "role")
    assert sorted(kinds) == sorted(
        (kind, role)
        for kind in (CHECK_IN, CLOSING, Survey.Kind.FLASH_MEETING_FEEDBACK)
        for role in ("mentee", "mentor")
    )
    for question in Question.objects.filter(survey__kind__in=Survey.CONNECTION_KINDS):
        question.full_clean()  # the defaults pass the admin's own validation
        assert question.shown_when == Question.ShownWhen.ALWAYS


@pytest.mark.parametrize(
    ("kind", "setup", "message"),
    [
        (CHECK_IN, "before", "The check-in opens on 10 June 2026, halfway through your mentoring."),
        (CHECK_IN, "ended", "The check-in closed when your mentoring ended."),
        (CHECK_IN, "off", "This program does not run a mid-point check-in."),
        (CHECK_IN, "due", ""),
        (CLOSING, "due", "The closing survey opens when your mentoring ends."),
        (CLOSING, "ended", ""),
        (CLOSING, "off", "This program does not run a closing survey."),
    ],
)
def test_when_each_survey_is_open_and_the_sentence_when_it_is_not(pair, kind, setup, message):
    now = NOON
    if setup == "before":
        now = NOON - timedelta(days=1)
    elif setup == "ended":
        end(pair, NOON - timedelta(hours=1))
    elif setup == "off":
        MatchingSettings.objects.filter(program=pair.program).update(
            connection_check_in_enabled=False, connection_closing_survey_enabled=False
        )
        if kind == CLOSING:  # ended: only the switch keeps the closing survey shut
            end(pair, NOON - timedelta(hours=1))
        pair = Connection.objects.select_related("program__matching_settings").get(pk=pair.pk)
    assert selectors.closed_message(connection=pair, kind=kind, now=now) == message


# --- Submitting ------------------------------------------------------------------------------


def test_a_response_is_stored_once_with_the_question_as_asked(pair):
    response = submit(pair, pair.mentee, CHECK_IN, rating=5)
    assert response.connection == pair and response.flash_meeting is None
    assert response.version == "connection"
    answer = Answer.objects.get(response=response)
    assert (answer.rating, answer.question_text) == (5, "How is your mentoring going so far?")
    with pytest.raises(AlreadyAnswered):
        submit(pair, pair.mentee, CHECK_IN, rating=1)
    assert SurveyResponse.objects.count() == 1
    submit(pair, pair.mentor, CHECK_IN, rating=3)  # the mentor answers their own survey
    assert SurveyResponse.objects.count() == 2


def test_a_survey_that_is_not_open_refuses_with_its_sentence(pair):
    with pytest.raises(ConnectionSurveyClosed) as refused:
        submit(pair, pair.mentee, CLOSING)
    assert refused.value.message == "The closing survey opens when your mentoring ends."
    with pytest.raises(ConnectionSurveyClosed):
        submit(pair, pair.mentee, CHECK_IN, now=NOON - timedelta(days=1))
    assert not SurveyResponse.objects.exists()


def test_another_role_s_or_program_s_survey_or_question_is_refused(pair):
    mentor_survey = survey(pair, CHECK_IN, "mentor")
    with pytest.raises(InvalidAnswers):
        services.connection_response_submit(
            connection=pair,
            respondent=pair.mentee,
            survey=mentor_survey,
            answers={rating_question(mentor_survey): 4},
            now=NOON,
        )
    mentee_survey = survey(pair, CHECK_IN)
    with pytest.raises(InvalidAnswers):
        services.connection_response_submit(
            connection=pair,
            respondent=pair.mentee,
            survey=mentee_survey,
            answers={rating_question(mentor_survey): 4},
            now=NOON,
        )
    feedback = Survey.objects.get(
        program=pair.program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role="mentee"
    )
    with pytest.raises(InvalidAnswers):
        services.connection_response_submit(
            connection=pair, respondent=pair.mentee, survey=feedback, answers={}, now=NOON
        )
    assert not SurveyResponse.objects.exists()


def test_a_connection_question_is_always_shown(pair):
    question = rating_question(survey(pair, CHECK_IN))
    question.shown_when = Question.ShownWhen.COMPLETED
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert "its questions are always shown" in str(refused.value.message_dict["shown_when"])


# --- The pages ---------------------------------------------------------------------------------


def test_the_check_in_page_end_to_end(client, pair):
    Connection.objects.filter(pk=pair.pk).update(check_in_on=timezone.localdate())
    client.force_login(pair.mentee)
    url = reverse("surveys:connection", args=[pair.pk, "check-in"])
    html = client.get(url).content.decode()
    assert "Mid-point check-in" in html
    assert "Your mentoring with your mentor Amara Okafor" in html
    assert "the other person does not see them" in html
    field = f"q_{rating_question(survey(pair, CHECK_IN)).pk}"

    response = client.post(reverse("surveys:connection_submit", args=[pair.pk, "check-in"]), {})
    assert response.status_code == 400
    assert "Please answer this question." in response.content.decode()

    response = client.post(
        reverse("surveys:connection_submit", args=[pair.pk, "check-in"]), {field: "4"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:connection_thanks", args=[pair.pk, "check-in"])
    thanks = client.get(response["Location"]).content.decode()
    assert "Your answers to the Mid-point check-in about your mentoring with Amara Okafor" in thanks
    assert "You answered this survey on" in client.get(url).content.decode()

    again = client.post(
        reverse("surveys:connection_submit", args=[pair.pk, "check-in"]), {field: "1"}, follow=True
    )
    assert "You have already answered this survey" in again.content.decode()
    assert Answer.objects.get().rating == 4


def test_a_submit_that_loses_the_race_is_told_the_survey_is_answered(client, pair, monkeypatch):
    """The page read no response, then another submit's landed first (the service
    refuses this one): told as information, the first answers kept."""
    from surveys import connection_views

    Connection.objects.filter(pk=pair.pk).update(check_in_on=timezone.localdate())
    submit(pair, pair.mentee, CHECK_IN, rating=4, now=timezone.now())
    read_before_the_other_landed = connection_views._page

    def page_without_the_response(request, connection_id, kind):
        shown = read_before_the_other_landed(request, connection_id, kind)
        shown.response = None
        return shown

    monkeypatch.setattr(connection_views, "_page", page_without_the_response)
    client.force_login(pair.mentee)
    field = f"q_{rating_question(survey(pair, CHECK_IN)).pk}"
    lost = client.post(
        reverse("surveys:connection_submit", args=[pair.pk, "check-in"]), {field: "1"}
    )
    assert lost["Location"] == reverse("surveys:connection", args=[pair.pk, "check-in"])
    monkeypatch.undo()
    told = client.get(lost["Location"]).content.decode()
    assert 'class="message message-info">You have already answered this survey' in told
    assert Answer.objects.get().rating == 4


def test_a_closed_survey_page_says_why_and_points_to_the_open_one(client, pair):
    end(pair, timezone.now() - timedelta(hours=1))
    client.force_login(pair.mentor)
    html = client.get(reverse("surveys:connection", args=[pair.pk, "check-in"])).content.decode()
    assert "The check-in closed when your mentoring ended." in html
    assert reverse("surveys:connection", args=[pair.pk, "closing"]) in html
    assert "<form" not in html.split("<main")[1].split("</main>")[0]  # the footer has one
    response = client.post(
        reverse("surveys:connection_submit", args=[pair.pk, "check-in"]), {"q_1": "5"}, follow=True
    )
    assert "The check-in closed when your mentoring ended." in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_only_the_two_people_open_a_connection_s_surveys(client, pair):
    stranger = MembershipFactory(program=pair.program).user
    client.force_login(stranger)
    for name in ("surveys:connection", "surveys:connection_thanks"):
        assert client.get(reverse(name, args=[pair.pk, "check-in"])).status_code == 404
    submit_url = reverse("surveys:connection_submit", args=[pair.pk, "check-in"])
    assert client.post(submit_url, {}).status_code == 404
    client.force_login(pair.mentee)
    assert client.get(reverse("surveys:connection", args=[pair.pk, "other"])).status_code == 404


# --- Invitations and reminders --------------------------------------------------------------


def test_both_are_invited_to_the_check_in_on_its_day_once(pair):
    assert services.connection_surveys_send(now=NOON - timedelta(days=1)) == {
        "invited": 0,
        "reminded": 0,
    }
    assert services.connection_surveys_send(now=NOON) == {"invited": 2, "reminded": 0}
    assert services.connection_surveys_send(now=NOON + timedelta(hours=1))["invited"] == 0
    assert outbox("connection_survey_invitation") == [
        ("amara", f"conn-survey-invite:connection_check_in:{pair.pk}:{pair.mentor_id}"),
        ("elif", f"conn-survey-invite:connection_check_in:{pair.pk}:{pair.mentee_id}"),
    ]


def test_the_check_in_invitation_email_text_and_html(pair):
    services.connection_surveys_send(now=NOON)
    notification = Notification.objects.get(
        kind="connection_survey_invitation", recipient=pair.mentee
    )
    email = render_notification(notification)
    path = reverse("surveys:connection", args=[pair.pk, "check-in"])
    assert email.subject == "Halfway there: how is your mentoring with Amara Okafor going?"
    assert "You are halfway through your mentoring with Amara Okafor in Ongoing Program" in (
        email.text
    )
    assert path in email.text and path in email.html
    assert "the other person does not see them" in email.text
    assert "halfway through your mentoring with Amara Okafor" in email.html
    assert "Answer the survey" in email.html


def test_reminders_one_and_five_days_later_each_once_and_not_after_answering(pair):
    services.connection_surveys_send(now=NOON)
    submit(pair, pair.mentor, CHECK_IN)
    for days in (1, 1, 3, 5, 5, 6):
        services.connection_surveys_send(now=NOON + timedelta(days=days, hours=1))
    assert [key for _, key in outbox("connection_survey_reminder")] == [
        f"conn-survey-reminder:connection_check_in:{pair.pk}:{pair.mentee_id}:1d",
        f"conn-survey-reminder:connection_check_in:{pair.pk}:{pair.mentee_id}:5d",
    ]
    reminder = Notification.objects.get(
        kind="connection_survey_reminder", dedupe_key__endswith=":1d"
    )
    email = render_notification(reminder)
    assert email.subject == "Reminder: Mid-point check-in for your mentoring with Amara Okafor"
    assert "opened 1 day ago" in " ".join(email.text.split())
    assert "opened 1 day ago" in email.html


def test_a_job_that_was_down_does_not_send_an_old_invitation(pair):
    assert services.connection_surveys_send(now=NOON + timedelta(days=3))["invited"] == 0


def test_no_check_in_emails_when_the_program_runs_none(pair):
    MatchingSettings.objects.filter(program=pair.program).update(connection_check_in_enabled=False)
    assert services.connection_surveys_send(now=NOON) == {"invited": 0, "reminded": 0}


@pytest.mark.parametrize("cause", [Connection.EndCause.COMPLETED, Connection.EndCause.ENDED_EARLY])
def test_both_are_invited_to_the_closing_survey_when_it_ends(pair, cause):
    end(pair, NOON - timedelta(minutes=5), cause)
    assert services.connection_surveys_send(now=NOON)["invited"] == 2
    assert services.connection_surveys_send(now=NOON)["invited"] == 0
    notification = Notification.objects.get(
        kind="connection_survey_invitation", recipient=pair.mentor
    )
    assert notification.context["survey_kind"] == CLOSING
    email = render_notification(notification)
    assert email.subject == "How did your mentoring with Elif Demir go?"
    if cause == Connection.EndCause.COMPLETED:
        assert "reached its end date on" in email.text
    else:
        assert "Your mentoring with Elif Demir in Ongoing Program has ended." in email.text
    path = reverse("surveys:connection", args=[pair.pk, "closing"])
    assert path in email.text and path in email.html


def test_ending_early_through_the_service_leads_to_the_closing_invitation(pair):
    matching_services.connection_end(connection=pair, actor=pair.mentee, reason="New job")
    counts = services.connection_surveys_send()
    assert counts["invited"] == 2
    pair.refresh_from_db()
    assert pair.end_cause == Connection.EndCause.ENDED_EARLY and pair.end_reason == "New job"


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_write_each_invitation_once(pair, racer_db):
    if db_connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions")
    barrier = threading.Barrier(4)
    errors = []

    def run() -> None:
        try:
            barrier.wait()
            services.connection_surveys_send(now=NOON)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(outbox("connection_survey_invitation")) == 2
    racer_db.assert_routed(at_least=4)


# --- Where people find them -----------------------------------------------------------------


def test_the_dashboard_lists_an_open_check_in_until_it_is_answered(client, pair):
    Connection.objects.filter(pk=pair.pk).update(check_in_on=timezone.localdate())
    client.force_login(pair.mentee)
    url = reverse("surveys:connection", args=[pair.pk, "check-in"])
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Surveys waiting for you" in html and url in html
    assert "your mentoring with Amara Okafor" in html
    submit(pair, pair.mentee, CHECK_IN, now=timezone.now())
    assert url not in client.get(reverse("portal:dashboard")).content.decode()
    # The mentor's is still waiting.
    client.force_login(pair.mentor)
    assert url in client.get(reverse("portal:dashboard")).content.decode()


def test_the_dashboard_lists_a_closing_survey_for_thirty_days(pair):
    end(pair, timezone.now() - timedelta(days=29))
    [item] = selectors.connection_surveys_waiting_for(user=pair.mentee)
    assert (item.kind, item.url) == (
        CLOSING,
        reverse("surveys:connection", args=[pair.pk, "closing"]),
    )
    end(pair, timezone.now() - timedelta(days=31))
    assert selectors.connection_surveys_waiting_for(user=pair.mentee) == []


@pytest.mark.parametrize("rows", [3, 30])
def test_waiting_connection_surveys_are_one_query(pair, django_assert_num_queries, rows):
    for _ in range(rows):
        ConnectionFactory(
            program=pair.program,
            mentor=MentorMembershipFactory(program=pair.program).user,
            mentee=pair.mentee,
            check_in_on=timezone.localdate(),
            ends_on=timezone.localdate() + timedelta(days=30),
        )
    with django_assert_num_queries(1):
        waiting = selectors.connection_surveys_waiting_for(user=pair.mentee)
    assert len(waiting) == min(rows + 1, 10)  # the pair's own too; at most the newest ten


def test_the_connection_page_offers_the_open_survey_then_says_it_was_answered(client, pair):
    Connection.objects.filter(pk=pair.pk).update(check_in_on=timezone.localdate())
    client.force_login(pair.mentor)
    page = reverse("portal:connection_detail", args=[pair.pk])
    url = reverse("surveys:connection", args=[pair.pk, "check-in"])
    html = client.get(page).content.decode()
    assert f'<a href="{url}">Mid-point check-in</a>' in html
    submit(pair, pair.mentor, CHECK_IN, now=timezone.now())
    html = client.get(page).content.decode()
    assert f'<a href="{url}">' not in html and "you answered on" in html


def test_term_dates_are_on_the_program_s_calendar_whoever_makes_or_reads_them(pair):
    """A page request runs in the signed-in person's zone (UserTimeZoneMiddleware); the
    end date, the check-in day and whether a survey is open follow the site's zone, as
    the periodic jobs do. At NOON (UTC, the site's zone) it is already 11 June in
    Kiritimati."""
    from matching.services.pairs import connection_check_in_on, connection_ends_on

    settings = pair.program.matching_settings
    settings.connection_duration_days = 30
    with timezone.override("Pacific/Kiritimati"):
        ends_on = connection_ends_on(settings=settings, started_at=NOON)
        assert ends_on == NOON.date() + timedelta(days=30)
        assert connection_check_in_on(started_at=NOON, ends_on=ends_on) == NOON.date() + (
            timedelta(days=15)
        )
        Connection.objects.filter(pk=pair.pk).update(check_in_on=NOON.date() + timedelta(1))
        pair.refresh_from_db()
        assert selectors.closed_message(connection=pair, kind=CHECK_IN, now=NOON) == (
            "The check-in opens on 11 June 2026, halfway through your mentoring."
        )
