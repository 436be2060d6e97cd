"""Every program has its mentee and mentor surveys with the default questions."""

import importlib
from io import StringIO

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.urls import reverse

from flash_meetings.models import FlashMeeting
from mentoring.models import Program, User
from surveys import demo, selectors, services
from surveys.models import Question, Survey, SurveyResponse
from tests.factories import ProgramFactory
from tests.surveys import factories
from tests.surveys.conftest import ANYTHING, HELPED, TALKED, USEFUL, WHAT_HAPPENED, WHY

pytestmark = pytest.mark.django_db


def test_a_new_program_gets_both_surveys_with_default_questions(program):
    surveys = {s.role: s for s in Survey.objects.filter(program=program)}
    assert set(surveys) == {"mentee", "mentor"}
    assert all(s.title == "Flash Meeting Feedback" for s in surveys.values())
    mentee = [(q.text, q.kind, q.required, q.shown_when) for q in surveys["mentee"].questions.all()]
    assert mentee == [
        (USEFUL, "rating", True, "completed"),
        (TALKED, "long_text", False, "completed"),
        (HELPED, "multiple_choice", False, "completed"),
        (WHY, "single_choice", True, "cancelled"),
        (WHAT_HAPPENED, "short_text", False, "cancelled"),
        (ANYTHING, "long_text", False, "always"),
    ]
    why = surveys["mentee"].questions.get(text=WHY)
    assert why.choice_list == [
        "The other person did not attend",
        "It was never scheduled",
        "It was postponed",
        "Other",
    ]
    for question in Question.objects.all():
        question.full_clean()  # the defaults pass the admin's own validation


def test_ensuring_again_keeps_a_program_s_edits(program):
    survey = Survey.objects.get(
        program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role="mentee"
    )
    survey.questions.filter(text=TALKED).delete()
    services.surveys_ensure_for_program(program=program)
    assert services.surveys_ensure_for_all_programs() == 1
    # The flash meeting feedback, the mid-point check-in and the closing survey, each
    # for the mentee and the mentor.
    assert Survey.objects.filter(program=program).count() == 6
    assert not survey.questions.filter(text=TALKED).exists()


def test_the_data_migration_covers_programs_that_existed_before():
    program = ProgramFactory()
    Survey.objects.filter(program=program).delete()
    migration = importlib.import_module(
        "surveys.migrations.0002_default_surveys_for_existing_programs"
    )
    migration.create_default_surveys(global_apps, None)
    migration.create_default_surveys(global_apps, None)  # idempotent
    assert Survey.objects.filter(program=program).count() == 2
    assert Question.objects.filter(survey__program=program).count() == 11


def test_a_program_without_surveys_gets_them_when_first_needed(client):
    """E.g. a program loaded with loaddata (raw saves skip the receiver)."""
    meeting = factories.meeting()
    Survey.objects.filter(program=meeting.program).delete()
    client.force_login(meeting.mentee)
    response = client.get(reverse("surveys:meeting", args=[meeting.pk]))
    assert response.status_code == 200 and USEFUL in response.content.decode()


def test_seed_demo_adds_responses_once():
    call_command("seed_demo", stdout=StringIO())
    program = Program.objects.get(slug="demo")
    # The flash meetings' feedback; mentee4's past connections have theirs (ongoing/demo.py).
    feedback = SurveyResponse.objects.filter(flash_meeting__isnull=False)
    first = list(SurveyResponse.objects.order_by("pk").values_list("pk", "survey__role", "version"))
    assert feedback.count() == 8 and len(first) == 8 + 5
    call_command("seed_demo", stdout=StringIO())
    assert (
        list(SurveyResponse.objects.order_by("pk").values_list("pk", "survey__role", "version"))
        == first
    )
    mentor1 = User.objects.get(username="mentor1")
    waiting = selectors.surveys_waiting_for(user=mentor1)
    demo_topics = {meeting[2] for meeting in demo.MEETINGS}
    assert any(w.meeting.topic in demo_topics for w in waiting)
    # Worded like real meetings: nothing on a participant's page says "demo".
    assert not FlashMeeting.objects.filter(topic__icontains="demo").exists()
    assert feedback.filter(survey__program=program).count() == 8


def test_seed_demo_renames_the_topics_an_earlier_version_gave_its_meetings():
    call_command("seed_demo", stdout=StringIO())
    count = FlashMeeting.objects.count()
    old_topic, topic = next(iter(demo.OLD_TOPICS.items()))
    FlashMeeting.objects.filter(topic=topic).update(topic=old_topic)
    call_command("seed_demo", stdout=StringIO())
    assert FlashMeeting.objects.count() == count
    assert FlashMeeting.objects.filter(topic=topic).count() == 1
    assert not FlashMeeting.objects.filter(topic__startswith="Demo survey").exists()
