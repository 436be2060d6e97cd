"""A connection's whole life in Chromium (issue 17): the mentee's "Yes, connect me" after
a flash meeting, a goal, a meeting within the connection, the mid-point check-in, an
extension, and the end at its date with the closing survey. Every email is asserted in
the outbox (kind and recipient, delivered), the survey invitations rendered as text and
HTML. Time passing is simulated by moving the connection's dates with the ORM and
running the periodic jobs' services by hand.

Elif (the mentee) keeps one browser context for the whole story; Amara (the mentor)
signs in once in a second one."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from flash_meetings.models import FlashMeeting
from flash_meetings.timezones import format_when, zone_of
from matching import services as matching_services
from matching.models import Connection, ConnectionExtension
from notifications.models import Notification
from notifications.rendering import render_notification
from surveys import connection_services
from surveys.models import Answer, SurveyResponse
from tests.conftest import sign_in
from tests.flash_meetings.factories import AvailabilitySlotFactory, in_days
from tests.follow_up.conftest import FORCED, make_setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOAL = "Lead the billing migration"
TOPIC = "Planning the first quarter"
CHECK_IN_RATING = "How is your mentoring going so far?"
CLOSING_RATING_MENTOR = "How well did this mentoring go, overall?"


class Outbox:
    """The notifications outbox, read in steps: ``new()`` gives the rows written since
    the last call, after checking that each one was delivered as an email."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def new(self) -> list[Notification]:
        rows = list(
            Notification.objects.exclude(pk__in=self.seen)
            .select_related("recipient", "program")
            .order_by("pk")
        )
        self.seen.update(row.pk for row in rows)
        for row in rows:
            assert row.status == Notification.Status.SENT, (row.kind, row.status, row.last_error)
            assert any(
                message.to == [row.to_email]
                and message.extra_headers.get("X-Notification-Id") == str(row.pk)
                for message in mail.outbox
            ), f"no email delivered for {row}"
        return rows

    def new_kinds(self) -> set[tuple[str, str]]:
        return {(row.kind, row.recipient.username) for row in self.new()}


def survey_link(notification: Notification) -> str:
    """The survey link in the invitation, checked in both its text and HTML parts."""
    email = render_notification(notification)
    path = notification.context["survey_path"]
    url = f"http://testserver{path}"
    assert url in email.text, email.text
    assert f'href="{url}"' in email.html
    assert "Answer the survey" in email.html
    assert "the other person does not see them" in email.text
    return path


def test_a_connection_from_yes_connect_me_to_the_closing_survey(page, browser, live_server):
    setup = make_setup(
        FORCED,
        ongoing_enabled=True,
        one_time_enabled=True,
        connection_duration_days=180,
        connection_extension_days=30,
        connection_check_in_enabled=True,
        connection_closing_survey_enabled=True,
    )
    elif_, amara = setup.mentee, setup.mentor
    mentee, mentor = elif_.username, amara.username
    slot = AvailabilitySlotFactory(program=setup.program, mentor=amara, starts_at=in_days(5, 10))
    outbox = Outbox()

    # 1. The flash meeting has ended: Elif follows it up from her dashboard and says yes.
    sign_in(page, live_server, mentee)
    page.get_by_role("link", name=re.compile("follow up", re.I)).first.click()
    expect(page).to_have_url(re.compile(rf"/meetings/{setup.meeting.pk}/follow-up/$"))
    page.get_by_role("button", name=re.compile("^Yes, connect me with Amara Okafor")).click()
    expect(page.get_by_text("You and Amara Okafor are now connected")).to_be_visible()

    connection = Connection.objects.get()
    assert (connection.mentor, connection.mentee) == (amara, elif_)
    assert connection.origin == Connection.Origin.FLASH_MEETING
    assert connection.flash_meeting_id == setup.meeting.pk
    assert connection.status == Connection.Status.ACTIVE
    started_on = timezone.localdate(connection.started_at)
    assert connection.ends_on == started_on + timedelta(days=180)
    assert connection.check_in_on == started_on + timedelta(days=90)
    # The flash-meeting versions of "you are connected" (connection_create's own
    # connection_created emails are switched off for this path).
    assert outbox.new_kinds() == {
        ("flash_connection_created_mentor", mentor),
        ("flash_connection_created_mentee", mentee),
    }

    # 2. From the dashboard to the connection page; Elif adds a goal.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Amara Okafor", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/connections/{connection.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Amara Okafor mentoring Elif Demir")
    target = started_on + timedelta(days=60)
    page.get_by_text("Add a goal").click()
    page.get_by_label("Goal", exact=True).fill(GOAL)
    page.get_by_label("Target date (optional)").fill(target.isoformat())
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_text("The goal was added")).to_be_visible()
    expect(page.get_by_role("region", name="Goals").get_by_text(GOAL)).to_be_visible()
    goal = connection.goals.get()
    assert (goal.title, goal.target_date, goal.created_by) == (GOAL, target, elif_)
    assert outbox.new_kinds() == set()  # goals send no email

    # 3. A meeting within the connection: Elif asks for one of Amara's open slots ...
    page.get_by_role("region", name="Meetings").get_by_role(
        "link", name="Request a meeting"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Request a meeting with Amara Okafor, your mentor"
    )
    page.get_by_label("Topic").fill(TOPIC)
    page.get_by_label(format_when(slot.starts_at, slot.ends_at, zone_of(elif_))).check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Request sent to Amara Okafor")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mentoring meeting: {TOPIC}")
    meeting = FlashMeeting.objects.get(connection=connection)
    assert meeting.status == FlashMeeting.Status.REQUESTED
    [requested] = outbox.new()
    assert (requested.kind, requested.recipient) == ("flash_meeting_requested", amara)
    assert requested.context["in_connection"] is True

    # ... and Amara, in her own browser, accepts it from her meetings page.
    mentor_context = browser.new_context()
    mentor_context.set_default_timeout(10_000)
    try:
        mentor_page = mentor_context.new_page()
        sign_in(mentor_page, live_server, mentor)
        mentor_page.goto(f"{live_server.url}/meetings/mentor/")
        mentor_page.get_by_role("region", name="Requests to answer").get_by_role(
            "link", name=TOPIC
        ).click()
        mentor_page.get_by_role("button", name="Accept the meeting").click()
        expect(mentor_page.get_by_text("Meeting scheduled")).to_be_visible()
        meeting.refresh_from_db()
        assert meeting.status == FlashMeeting.Status.SCHEDULED
        assert meeting.starts_at == slot.starts_at
        accepted = outbox.new()
        assert {(row.kind, row.recipient.username) for row in accepted} == {
            ("flash_meeting_accepted", mentee),
            ("flash_meeting_accepted", mentor),
        }
        for row in accepted:
            [invite] = row.attachments
            assert invite["filename"] == "invite.ics"
            assert invite["mimetype"].startswith("text/calendar")
            assert "BEGIN:VEVENT" in invite["content"]
            [message] = [m for m in mail.outbox if m.to == [row.to_email] and m.attachments]
            assert message.attachments[0][0] == "invite.ics"

        page.goto(f"{live_server.url}/connections/{connection.pk}/")
        upcoming = page.get_by_role("region", name="Meetings")
        expect(upcoming.get_by_role("link", name=TOPIC)).to_be_visible()
        expect(upcoming.get_by_text("Scheduled", exact=True)).to_be_visible()

        # 4. The check-in. Ninety days pass: the check-in's day is today (moved with the
        # ORM), and the periodic job invites both.
        today = timezone.localdate()
        Connection.objects.filter(pk=connection.pk).update(check_in_on=today)
        assert connection_services.connection_surveys_send() == {"invited": 2, "reminded": 0}
        invitations = outbox.new()
        assert {(row.kind, row.recipient.username) for row in invitations} == {
            ("connection_survey_invitation", mentee),
            ("connection_survey_invitation", mentor),
        }
        for row in invitations:
            assert row.context["survey_kind"] == "connection_check_in"
            assert render_notification(row).subject.startswith("Halfway there")
        to_elif = next(row for row in invitations if row.recipient == elif_)
        check_in_path = survey_link(to_elif)
        assert check_in_path == f"/surveys/connections/{connection.pk}/check-in/"

        page.goto(f"{live_server.url}{check_in_path}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Mid-point check-in")
        page.get_by_role("group", name=re.compile(re.escape(CHECK_IN_RATING))).get_by_role(
            "radio", name="4"
        ).check()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
        page.get_by_role("link", name="Back to your mentoring connection").click()
        surveys = page.get_by_role("region", name="Surveys")
        expect(surveys.get_by_text(re.compile(r"you answered on"))).to_be_visible()
        expect(surveys.get_by_role("link", name="Mid-point check-in")).to_have_count(0)
        response = SurveyResponse.objects.get(connection=connection, respondent=elif_)
        assert response.survey.kind == "connection_check_in"
        assert Answer.objects.get(response=response).display_value == "4"
        # The job again, later the same day: nothing new for either.
        assert connection_services.connection_surveys_send() == {"invited": 0, "reminded": 0}
        assert outbox.new() == []

        # 5. The extension: Elif asks, Amara accepts.
        term = page.get_by_role("region", name="How long it runs")
        term.get_by_role("button", name="Ask to extend").click()
        expect(page.get_by_text("the other person has been asked to accept")).to_be_visible()
        expect(term.get_by_role("button", name="Withdraw the extension request")).to_be_visible()
        [asked] = outbox.new()
        assert (asked.kind, asked.recipient) == ("connection_extension_requested", amara)

        mentor_page.goto(f"{live_server.url}/connections/{connection.pk}/")
        mentor_term = mentor_page.get_by_role("region", name="How long it runs")
        expect(
            mentor_term.get_by_text("Elif Demir asks to extend the connection by 30")
        ).to_be_visible()
        mentor_term.get_by_role("button", name="Accept the extension").click()
        expect(mentor_page.get_by_text("The connection is extended to")).to_be_visible()
        connection.refresh_from_db()
        assert connection.ends_on == started_on + timedelta(days=180 + 30)
        assert connection.check_in_on == today  # extensions do not move the check-in
        extension = ConnectionExtension.objects.get(connection=connection)
        assert (extension.status, extension.responded_by) == ("accepted", amara)
        [extended] = outbox.new()
        assert (extended.kind, extended.recipient) == ("connection_extended", elif_)

        # 6. The end. The (extended) end date comes: moved to today with the ORM, the
        # periodic job closes the connection as completed and tells both.
        Connection.objects.filter(pk=connection.pk).update(ends_on=timezone.localdate())
        assert matching_services.connections_run_terms() == {"reminded": 0, "completed": 1}
        connection.refresh_from_db()
        assert connection.status == Connection.Status.ENDED
        assert connection.end_cause == Connection.EndCause.COMPLETED
        assert outbox.new_kinds() == {
            ("connection_completed", mentee),
            ("connection_completed", mentor),
        }
        # The survey job: the closing survey for both (Amara's check-in closed unanswered).
        assert connection_services.connection_surveys_send() == {"invited": 2, "reminded": 0}
        closing = outbox.new()
        assert {(row.kind, row.recipient.username) for row in closing} == {
            ("connection_survey_invitation", mentee),
            ("connection_survey_invitation", mentor),
        }
        closing_paths = set()
        for row in closing:
            assert row.context["survey_kind"] == "connection_closing"
            assert "reached its end date on" in render_notification(row).text
            closing_paths.add(survey_link(row))
        closing_path = f"/surveys/connections/{connection.pk}/closing/"
        assert closing_paths == {closing_path}

        # Amara answers the closing survey from her invitation's link.
        mentor_page.goto(f"{live_server.url}{closing_path}")
        expect(mentor_page.get_by_role("heading", level=1)).to_have_text("Closing survey")
        mentor_page.get_by_role(
            "group", name=re.compile(re.escape(CLOSING_RATING_MENTOR))
        ).get_by_role("radio", name="5").check()
        mentor_page.get_by_label("What did you learn as a mentor?").fill("To listen first.")
        mentor_page.get_by_role("button", name="Send my answers").click()
        expect(mentor_page.get_by_role("heading", level=1)).to_have_text(
            "Thank you for your answers"
        )
        closed = SurveyResponse.objects.get(connection=connection, respondent=amara)
        assert (closed.survey.kind, closed.survey.role) == ("connection_closing", "mentor")
        assert {a.question_text: a.display_value for a in closed.answers.all()} == {
            CLOSING_RATING_MENTOR: "5",
            "What did you learn as a mentor?": "To listen first.",
        }
    finally:
        mentor_context.close()

    # Elif has not answered hers yet: her dashboard lists it.
    page.goto(f"{live_server.url}/")
    waiting = page.get_by_role("region", name="Surveys waiting for you")
    expect(waiting.get_by_role("link", name="Closing survey")).to_have_attribute(
        "href", closing_path
    )
    expect(waiting.get_by_text("your mentoring with Amara Okafor")).to_be_visible()
    # Her connection page says it ended at its date; its surveys: one answered, one open.
    page.goto(f"{live_server.url}/connections/{connection.pk}/")
    status = page.get_by_role("definition").filter(has=page.get_by_text("Ended", exact=True))
    expect(status).to_be_visible()
    expect(page.get_by_text("Completed at its end date.")).to_be_visible()
    surveys = page.get_by_role("region", name="Surveys")
    expect(surveys.get_by_role("link", name="Closing survey")).to_be_visible()
    expect(surveys.get_by_text(re.compile(r"you answered on"))).to_have_count(1)
    expect(page.get_by_role("button", name="Ask to extend")).to_have_count(0)
    # Nothing else went out along the way.
    assert outbox.new() == []
    assert len(mail.outbox) == Notification.objects.count()
