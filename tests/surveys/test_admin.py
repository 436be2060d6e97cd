"""Admin: the survey editor, the responses list, the export (CSV, XLSX) and the summary."""

from datetime import timedelta

import pytest
from django.urls import reverse

from flash_meetings.models import FlashMeeting
from surveys import selectors
from surveys.models import Answer, Question, Survey, SurveyResponse
from tests.exports.helpers import csv_dicts, export, export_url, xlsx_dicts
from tests.surveys import factories
from tests.surveys.conftest import ANYTHING, HELPED, TALKED, USEFUL, WHAT_HAPPENED, WHY

pytestmark = pytest.mark.django_db


def seed_responses(program, count=5):
    """``count`` mentee responses: ratings cycling 1..5, every other one cancelled."""
    given = []
    for n in range(count):
        cancelled = n % 2 == 1
        meeting = factories.meeting(
            program=program,
            status=FlashMeeting.Status.DID_NOT_HAPPEN
            if cancelled
            else FlashMeeting.Status.COMPLETED,
            ended_ago=timedelta(hours=n + 1),
        )
        if cancelled:
            values = {WHY: "It was postponed" if n % 4 == 1 else "Other", WHAT_HAPPENED: f"why {n}"}
        else:
            values = {
                USEFUL: n % 5 + 1,
                TALKED: f"talk {n}",
                HELPED: ["Confidence", "Career direction"] if n % 4 == 0 else ["Confidence"],
                ANYTHING: f"note {n}",
            }
        factories.answer(meeting, meeting.mentee, values)
        given.append((meeting, values))
    return given


RESPONSES = "surveys_surveyresponse"


def read_csv(response) -> list[dict]:
    return csv_dicts(response)


def test_csv_export_has_one_row_per_response_with_every_answer(admin_client, program):
    given = seed_responses(program, 6)
    response = export(admin_client, RESPONSES)
    rows = read_csv(response)
    assert len(rows) == SurveyResponse.objects.count() == 6
    by_topic_and_respondent = {(row["Meeting"], row["Respondent"]): row for row in rows}
    for meeting, values in given:
        row = by_topic_and_respondent[(str(meeting.pk), meeting.mentee.username)]
        for text, value in values.items():
            expected = "; ".join(value) if isinstance(value, list) else str(value)
            assert row[text] == expected
        assert row["Version"] == (
            "Meeting did not take place"
            if meeting.status == FlashMeeting.Status.DID_NOT_HAPPEN
            else "Meeting took place"
        )
    # Every question that was answered has its own column, in question order.
    header = list(rows[0])
    assert header[-6:] == [USEFUL, TALKED, HELPED, WHY, WHAT_HAPPENED, ANYTHING]
    # The same in XLSX, where ratings and ids are numbers.
    workbook_rows = xlsx_dicts(export(admin_client, RESPONSES, "xlsx"))
    assert list(workbook_rows[0]) == header
    assert sorted(row[USEFUL] for row in workbook_rows if row[USEFUL] is not None) == [1, 3, 5]
    assert {type(row["Response"]) for row in workbook_rows} == {int}


def test_csv_export_follows_the_change_list_filters(admin_client, program):
    seed_responses(program, 4)
    rows = read_csv(export(admin_client, RESPONSES, query={"version__exact": "cancelled"}))
    assert len(rows) == 2 and {row["Version"] for row in rows} == {"Meeting did not take place"}


def test_csv_export_keeps_answers_to_deleted_or_renamed_questions(admin_client, program):
    seed_responses(program, 1)
    Question.objects.filter(survey__program=program, text=TALKED).delete()
    Question.objects.filter(survey__program=program, text=USEFUL).update(text="Rate it")
    (row,) = read_csv(export(admin_client, RESPONSES))
    assert row[TALKED] == "talk 0"
    assert row[USEFUL] == "1"  # the text as it was asked


def test_export_action_exports_the_selected_rows(admin_client, program):
    seed_responses(program, 3)
    chosen = list(SurveyResponse.objects.values_list("pk", flat=True)[:2])
    page = admin_client.post(
        reverse("admin:surveys_surveyresponse_changelist"),
        {"action": "export_admin_action", "_selected_action": chosen},
    )
    assert page.status_code == 200 and "Export 2 selected items." in page.content.decode()
    response = export(admin_client, RESPONSES, export_items=chosen)
    assert sorted(int(row["Response"]) for row in read_csv(response)) == sorted(chosen)


def test_summary_matches_the_answers(admin_client, program):
    seed_responses(program, 8)
    survey = Survey.objects.get(
        program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role="mentee"
    )
    summary = selectors.survey_summary(survey=survey)
    by_text = {item.question.text: item for item in summary.questions}

    ratings = list(Answer.objects.filter(question_text=USEFUL).values_list("rating", flat=True))
    assert sorted(ratings) == [1, 2, 3, 5]
    assert by_text[USEFUL].answer_count == 4
    assert by_text[USEFUL].average_rating == pytest.approx(sum(ratings) / len(ratings))
    assert by_text[USEFUL].rating_counts == [(1, 1), (2, 1), (3, 1), (4, 0), (5, 1)]
    assert by_text[HELPED].choice_counts == [
        ("Career direction", 2, True),
        ("A technical question", 0, True),
        ("Confidence", 4, True),
        ("Contacts and introductions", 0, True),
        ("Something else", 0, True),
    ]
    assert [(label, n) for label, n, _ in by_text[WHY].choice_counts] == [
        ("The other person did not attend", 0),
        ("It was never scheduled", 0),
        ("It was postponed", 2),
        ("Other", 2),
    ]
    # Latest texts first (answered in the order 0, 2, 4, 6).
    assert [t.text for t in by_text[TALKED].latest_texts] == [
        "talk 6",
        "talk 4",
        "talk 2",
        "talk 0",
    ]
    assert summary.response_count == 8
    assert summary.count_by_version == {"completed": 4, "cancelled": 4}

    html = admin_client.get(reverse("admin:surveys_survey_summary", args=[survey.pk])).content
    html = html.decode()
    assert "8 responses" in html and "Meeting took place: 4; Meeting did not take place: 4" in html
    average = f"{sum(ratings) / len(ratings):.2f}"
    assert f"Average rating: {average} out of 5" in html
    assert "<q>talk 6</q>" in html


def test_summary_of_one_version(admin_client, program):
    seed_responses(program, 4)
    survey = Survey.objects.get(
        program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role="mentee"
    )
    url = reverse("admin:surveys_survey_summary", args=[survey.pk])
    html = admin_client.get(url + "?version=cancelled").content.decode()
    assert "2 responses" in html
    assert "Average rating" not in html
    summary = selectors.survey_summary(survey=survey, version="completed")
    assert summary.response_count == 2


def test_summary_shows_choices_no_longer_offered(program):
    seed_responses(program, 2)
    question = Question.objects.get(survey__program=program, survey__role="mentee", text=WHY)
    question.choices = "The other person did not attend\nOther"
    question.save()
    summary = selectors.survey_summary(survey=question.survey)
    item = next(i for i in summary.questions if i.question == question)
    assert item.choice_counts == [
        ("The other person did not attend", 0, True),
        ("Other", 0, True),
        ("It was postponed", 1, False),
    ]


def test_survey_editor_has_ordered_question_inlines(admin_client, program):
    survey = Survey.objects.get(
        program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role="mentee"
    )
    html = admin_client.get(reverse("admin:surveys_survey_change", args=[survey.pk])).content
    html = html.decode()
    positions = [html.index(f'value="{q.text}"') for q in survey.questions.all()]
    assert positions == sorted(positions) and len(positions) == 6
    assert 'name="questions-0-shown_when"' in html and 'name="questions-0-order"' in html
    changelist = admin_client.get(reverse("admin:surveys_survey_changelist")).content.decode()
    assert reverse("admin:surveys_survey_summary", args=[survey.pk]) in changelist


def test_survey_editor_saves_a_reordered_question(admin_client, program):
    survey = Survey.objects.get(
        program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role="mentor"
    )
    questions = list(survey.questions.all())
    data = {
        "title": "Mentor feedback",
        "intro": "",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(len(questions)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, question in enumerate(questions):
        prefix = f"questions-{index}-"
        data.update(
            {
                prefix + "id": str(question.pk),
                prefix + "survey": str(survey.pk),
                prefix + "order": str(100 - index),  # reverse the order
                prefix + "text": question.text,
                prefix + "kind": question.kind,
                prefix + "choices": question.choices,
                prefix + "shown_when": question.shown_when,
                prefix + "help_text": "",
            }
            | ({prefix + "required": "on"} if question.required else {})
        )
    response = admin_client.post(reverse("admin:surveys_survey_change", args=[survey.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    survey.refresh_from_db()
    assert survey.title == "Mentor feedback"
    assert [q.pk for q in survey.questions.all()] == [q.pk for q in reversed(questions)]


def test_a_choice_question_needs_choices(admin_client, program):
    question = Question(
        survey=Survey.objects.get(
            program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role="mentee"
        ),
        text="Pick",
        kind=Question.Kind.SINGLE_CHOICE,
        choices="Only one",
    )
    with pytest.raises(Exception, match="at least two choices"):
        question.full_clean()


def test_responses_list_filters_by_program_survey_version_and_date(admin_client, program):
    seed_responses(program, 3)
    other = factories.meeting()
    factories.answer(other, other.mentee, {USEFUL: 2})
    url = reverse("admin:surveys_surveyresponse_changelist")
    html = admin_client.get(url).content.decode()
    for heading in ("By program", "By survey", "By version", "By submitted at"):
        assert heading in html
    assert f'href="{export_url(RESPONSES)}?' in html  # the list's filters follow
    filtered = admin_client.get(url + f"?survey__program__id__exact={program.pk}")
    assert filtered.context["cl"].result_count == 3
    filtered = admin_client.get(url + "?version__exact=cancelled")
    assert filtered.context["cl"].result_count == 1
    response = SurveyResponse.objects.first()
    detail = admin_client.get(reverse("admin:surveys_surveyresponse_change", args=[response.pk]))
    assert detail.status_code == 200


def test_summary_costs_the_same_for_5_and_50_responses(
    admin_client, program, django_assert_num_queries
):
    survey = Survey.objects.get(
        program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role="mentee"
    )
    url = reverse("admin:surveys_survey_summary", args=[survey.pk])
    seed_responses(program, 5)
    # session, user, survey+program, questions, responses per version, answers,
    # latest texts
    with django_assert_num_queries(7):
        assert admin_client.get(url).status_code == 200
    seed_responses(program, 45)
    with django_assert_num_queries(7):
        html = admin_client.get(url).content.decode()
    assert "50 responses" in html
    assert html.count("<q>talk ") == 5 and html.count("<q>note ") == 5  # latest five each


def test_people_without_admin_access_cannot_read_the_summary_or_export(client, program):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=False))
    survey = Survey.objects.get(
        program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role="mentee"
    )
    for url in (
        reverse("admin:surveys_survey_summary", args=[survey.pk]),
        reverse("admin:surveys_surveyresponse_export"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_survey_add_page_and_readonly_role_on_change(admin_client, program):
    assert admin_client.get(reverse("admin:surveys_survey_add")).status_code == 200
    survey = Survey.objects.get(
        program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role="mentee"
    )
    html = admin_client.get(reverse("admin:surveys_survey_change", args=[survey.pk])).content
    assert b'name="role"' not in html and b'name="program"' not in html
