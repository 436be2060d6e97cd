"""Reminders one day and five days after the meeting (once each) and the mentor's
invitation: periodic, idempotent jobs that write to the notifications outbox."""

from datetime import timedelta

import pytest
from django.core import mail

from flash_meetings.models import FlashMeeting
from notifications.models import Notification
from surveys import services, tasks
from tests.surveys import factories
from tests.surveys.conftest import USEFUL, WHY

pytestmark = pytest.mark.django_db


def run(job, captured, **kwargs):
    with captured(execute=True):
        return job(**kwargs)


def reminders_to(user):
    return [m for m in mail.outbox if m.to == [user.email] and "Reminder" in m.subject]


def test_reminder_job_twice_sends_one_email_per_time_point(
    django_capture_on_commit_callbacks, program
):
    meeting = factories.meeting(program=program, ended_ago=timedelta(days=1, hours=3))
    # Day 1: the real periodic task, twice.
    assert run(tasks.send_survey_reminders, django_capture_on_commit_callbacks) == 2
    assert run(tasks.send_survey_reminders, django_capture_on_commit_callbacks) == 0
    assert len(reminders_to(meeting.mentee)) == 1
    assert len(reminders_to(meeting.mentor)) == 1
    # Day 5, twice: one more each.
    day5 = meeting.ends_at + timedelta(days=5, hours=1)
    assert run(services.survey_reminders_send, django_capture_on_commit_callbacks, now=day5) == 2
    assert run(services.survey_reminders_send, django_capture_on_commit_callbacks, now=day5) == 0
    assert len(reminders_to(meeting.mentee)) == 2
    assert len(reminders_to(meeting.mentor)) == 2
    keys = set(
        Notification.objects.filter(kind="survey_reminder", recipient=meeting.mentee).values_list(
            "dedupe_key", flat=True
        )
    )
    assert keys == {
        f"survey-reminder:{meeting.pk}:{meeting.mentee_id}:1d",
        f"survey-reminder:{meeting.pk}:{meeting.mentee_id}:5d",
    }
    # Later runs send nothing more.
    later = meeting.ends_at + timedelta(days=9)
    assert run(services.survey_reminders_send, django_capture_on_commit_callbacks, now=later) == 0
    assert len(mail.outbox) == 4


def test_reminder_email_links_to_the_survey_and_names_the_program(
    django_capture_on_commit_callbacks, program
):
    meeting = factories.meeting(
        program=program, ended_ago=timedelta(days=1, hours=1), topic="Salary talks"
    )
    run(tasks.send_survey_reminders, django_capture_on_commit_callbacks)
    (email,) = reminders_to(meeting.mentee)
    assert (
        email.subject
        == f"Reminder: Flash Meeting Feedback for your meeting with {meeting.mentor.name}"
    )
    assert f"http://testserver/surveys/meetings/{meeting.pk}/" in email.body
    assert program.name in email.body and "Salary talks" in email.body
    assert "You received this email because" in email.body
    html = email.alternatives[0][0]
    assert f'href="http://testserver/surveys/meetings/{meeting.pk}/"' in html


def test_the_reminder_names_the_cancelled_version(django_capture_on_commit_callbacks, program):
    meeting = factories.meeting(
        program=program,
        status=FlashMeeting.Status.DID_NOT_HAPPEN,
        ended_ago=timedelta(days=1, hours=1),
    )
    run(tasks.send_survey_reminders, django_capture_on_commit_callbacks)
    (email,) = reminders_to(meeting.mentee)
    assert "Flash Meeting Feedback — the meeting did not take place" in email.subject


def test_no_reminder_for_someone_who_answered(django_capture_on_commit_callbacks, program):
    meeting = factories.meeting(program=program, ended_ago=timedelta(days=1, hours=1))
    factories.answer(meeting, meeting.mentee, {USEFUL: 4})
    assert run(tasks.send_survey_reminders, django_capture_on_commit_callbacks) == 1
    assert reminders_to(meeting.mentee) == []
    assert len(reminders_to(meeting.mentor)) == 1


def test_no_reminder_before_a_day_nor_for_meetings_that_never_took_place(
    django_capture_on_commit_callbacks, program
):
    factories.meeting(program=program, ended_ago=timedelta(hours=20))
    for status in (FlashMeeting.Status.CANCELLED, FlashMeeting.Status.DECLINED):
        factories.meeting(program=program, status=status, ended_ago=timedelta(days=1, hours=1))
    assert run(tasks.send_survey_reminders, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_job_that_was_down_sends_only_the_reminder_due_now(
    django_capture_on_commit_callbacks, program
):
    meeting = factories.meeting(program=program, ended_ago=timedelta(days=5, hours=2))
    assert run(tasks.send_survey_reminders, django_capture_on_commit_callbacks) == 2
    assert set(Notification.objects.values_list("dedupe_key", flat=True)) == {
        f"survey-reminder:{meeting.pk}:{meeting.mentee_id}:5d",
        f"survey-reminder:{meeting.pk}:{meeting.mentor_id}:5d",
    }


def test_mentor_is_invited_once_when_the_meeting_is_over(
    django_capture_on_commit_callbacks, program
):
    meeting = factories.meeting(program=program, ended_ago=timedelta(minutes=5))
    factories.meeting(program=program, starts_in=timedelta(hours=2))  # not over: no email
    assert run(tasks.invite_mentors_to_surveys, django_capture_on_commit_callbacks) == 1
    assert run(tasks.invite_mentors_to_surveys, django_capture_on_commit_callbacks) == 0
    (email,) = mail.outbox
    assert email.to == [meeting.mentor.email]
    assert email.subject == f"How did your meeting with {meeting.mentee.name} go?"
    assert f"/surveys/meetings/{meeting.pk}/" in email.body
    assert Notification.objects.get().kind == "survey_invitation_mentor"


def test_mentor_who_already_answered_is_not_invited(django_capture_on_commit_callbacks, program):
    meeting = factories.meeting(
        program=program, status=FlashMeeting.Status.DID_NOT_HAPPEN, ended_ago=timedelta(hours=1)
    )
    factories.answer(meeting, meeting.mentor, {WHY: "It was postponed"})
    assert run(tasks.invite_mentors_to_surveys, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_kinds_render_with_their_sample_context():
    from notifications.registry import get_kind
    from notifications.rendering import render_kind
    from tests.factories import ProgramFactory, UserFactory

    for name in ("survey_reminder", "survey_invitation_mentor"):
        kind = get_kind(name)
        rendered = render_kind(
            kind=kind,
            context=kind.sample_context,
            recipient=UserFactory(display_name="Ada"),
            program=ProgramFactory(name="Women in Tech"),
        )
        assert "Women in Tech" in rendered.text and "Women in Tech" in rendered.html
        assert "http://testserver/surveys/meetings/1/" in rendered.text
        assert "You received this email because" in rendered.html
