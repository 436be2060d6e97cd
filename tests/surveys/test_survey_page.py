"""The survey page: the right version, validation beside each field, one response only."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse

from flash_meetings.models import FlashMeeting
from surveys import selectors
from surveys.models import Answer, Question, SurveyResponse
from tests.surveys import factories
from tests.surveys.conftest import (
    ANYTHING,
    HELPED,
    TALKED,
    USEFUL,
    WHAT_HAPPENED,
    WHY,
    field,
    needs_postgresql,
)

pytestmark = pytest.mark.django_db


def page_of(meeting, user):
    return selectors.survey_page(meeting=meeting, respondent=user)


def url(meeting, name="meeting"):
    return reverse(f"surveys:{name}", args=[meeting.pk])


def legends_and_labels(html: str) -> list[str]:
    return [
        re.sub(r"\s*<span.*", "", text).strip()
        for text in re.findall(r"<(?:legend|label for=\"id_q_\d+\")>(.*?)</(?:legend|label)>", html)
    ]


# --- versions ---------------------------------------------------------------------------


def test_completed_version_shows_completed_and_always_questions(client, ended_meeting):
    client.force_login(ended_meeting.mentee)
    response = client.get(url(ended_meeting))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Flash Meeting Feedback</h1>" in html
    assert legends_and_labels(html) == [USEFUL, TALKED, HELPED, ANYTHING]
    assert WHY not in html


@pytest.mark.parametrize(
    "status", [FlashMeeting.Status.DID_NOT_HAPPEN, FlashMeeting.Status.CANCELLED]
)
def test_cancelled_version_follows_the_outcome(program, status):
    meeting = factories.meeting(program=program, status=status)
    assert selectors.version_for(meeting=meeting) == "cancelled"


def test_cancelled_version_shows_cancelled_and_always_questions(client, not_held_meeting):
    client.force_login(not_held_meeting.mentee)
    html = client.get(url(not_held_meeting)).content.decode()
    assert "<h1>Flash Meeting Feedback — the meeting did not take place</h1>" in html
    assert legends_and_labels(html) == [WHY, WHAT_HAPPENED, ANYTHING]
    assert USEFUL not in html
    for reason in [
        "The other person did not attend",
        "It was never scheduled",
        "It was postponed",
        "Other",
    ]:
        assert reason in html


def test_mentor_answers_the_mentor_survey(client, ended_meeting):
    client.force_login(ended_meeting.mentor)
    page = page_of(ended_meeting, ended_meeting.mentor)
    assert page.role == "mentor"
    html = client.get(url(ended_meeting)).content.decode()
    assert legends_and_labels(html) == [USEFUL, TALKED, ANYTHING]  # no "helped with"
    assert all(q.survey.role == "mentor" for q in page.questions)


def test_a_meeting_not_over_yet_has_no_form(client, program):
    upcoming = factories.meeting(program=program, starts_in=timedelta(days=1))
    client.force_login(upcoming.mentee)
    html = client.get(url(upcoming)).content.decode()
    assert "This survey opens once the meeting is over" in html
    assert '<form method="post" action="/surveys' not in html
    response = client.post(url(upcoming, "submit"), {}, follow=True)
    assert "opens once the meeting is over" in response.content.decode()
    assert not SurveyResponse.objects.exists()


# --- submitting -------------------------------------------------------------------------


def test_submit_stores_answers_as_given_and_thanks(client, ended_meeting):
    user = ended_meeting.mentee
    page = page_of(ended_meeting, user)
    client.force_login(user)
    response = client.post(
        url(ended_meeting, "submit"),
        {
            field(page, USEFUL): "4",
            field(page, TALKED): "Portfolios",
            field(page, HELPED): ["Career direction", "Confidence"],
            field(page, ANYTHING): "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(ended_meeting, "thanks")
    saved = SurveyResponse.objects.get()
    assert (saved.respondent, saved.version, saved.survey.role) == (user, "completed", "mentee")
    answers = {a.question_text: a for a in saved.answers.all()}
    assert set(answers) == {USEFUL, TALKED, HELPED}  # the empty optional one is not stored
    assert answers[USEFUL].rating == 4
    assert answers[TALKED].text == "Portfolios"
    assert answers[HELPED].selected == ["Career direction", "Confidence"]
    thanks = client.get(response["Location"]).content.decode()
    assert "<h1>Thank you for your feedback</h1>" in thanks
    assert selectors.survey_answered(meeting=ended_meeting, respondent=user)
    assert not selectors.survey_answered(meeting=ended_meeting, respondent=ended_meeting.mentor)


def test_editing_a_question_later_keeps_the_stored_answer(ended_meeting):
    factories.answer(ended_meeting, ended_meeting.mentee, {USEFUL: 2, TALKED: "Salaries"})
    question = Question.objects.get(survey__role="mentee", text=USEFUL)
    question.text = "Rate the meeting"
    question.save()
    Question.objects.filter(survey__role="mentee", text=TALKED).delete()
    answers = {a.question_text: a for a in Answer.objects.all()}
    assert answers[USEFUL].rating == 2 and answers[USEFUL].question_id == question.pk
    assert answers[TALKED].text == "Salaries" and answers[TALKED].question_id is None


def test_thanks_page_before_answering_leads_to_the_survey(client, ended_meeting):
    client.force_login(ended_meeting.mentee)
    response = client.get(url(ended_meeting, "thanks"))
    assert response.status_code == 302 and response["Location"] == url(ended_meeting)


# --- validation -------------------------------------------------------------------------


def _post(client, meeting, data):
    client.force_login(meeting.mentee)
    response = client.post(url(meeting, "submit"), data)
    return response, response.content.decode()


def _error_beside(html: str, field_name: str) -> str:
    match = re.search(rf'<ul class="field-error" id="id_{field_name}_error">(.*?)</ul>', html)
    return re.sub(r"<.*?>", "", match.group(1)) if match else ""


def test_required_answers(client, ended_meeting):
    page = page_of(ended_meeting, ended_meeting.mentee)
    response, html = _post(client, ended_meeting, {field(page, TALKED): "  "})
    assert response.status_code == 400
    assert _error_beside(html, field(page, USEFUL)) == "Please answer this question."
    assert _error_beside(html, field(page, TALKED)) == ""  # optional
    useful = field(page, USEFUL)
    assert f'aria-describedby="id_{useful}_helptext id_{useful}_error"' in html
    assert not SurveyResponse.objects.exists()


def test_required_choice_in_the_cancelled_version(client, not_held_meeting):
    page = page_of(not_held_meeting, not_held_meeting.mentee)
    response, html = _post(client, not_held_meeting, {field(page, WHAT_HAPPENED): "Rain"})
    assert response.status_code == 400
    assert _error_beside(html, field(page, WHY)) == "Please answer this question."
    assert 'value="Rain"' in html  # what was typed stays in the form


@pytest.mark.parametrize("value", ["0", "6", "-1", "abc", "4.5"])
def test_rating_must_be_from_1_to_5(client, ended_meeting, value):
    page = page_of(ended_meeting, ended_meeting.mentee)
    response, html = _post(client, ended_meeting, {field(page, USEFUL): value})
    assert response.status_code == 400
    assert _error_beside(html, field(page, USEFUL)) == "Choose a rating from 1 to 5."
    assert not SurveyResponse.objects.exists()


def test_choices_must_belong_to_the_question(client, ended_meeting, not_held_meeting):
    page = page_of(ended_meeting, ended_meeting.mentee)
    response, html = _post(
        client,
        ended_meeting,
        {field(page, USEFUL): "3", field(page, HELPED): ["Confidence", "Free pizza"]},
    )
    assert response.status_code == 400
    assert _error_beside(html, field(page, HELPED)) == "Choose only among the answers listed."

    page = page_of(not_held_meeting, not_held_meeting.mentee)
    response, html = _post(client, not_held_meeting, {field(page, WHY): "Aliens"})
    assert response.status_code == 400
    assert _error_beside(html, field(page, WHY)) == "Choose one of the answers listed."
    assert not SurveyResponse.objects.exists()


def test_text_length(client, ended_meeting, not_held_meeting):
    page = page_of(ended_meeting, ended_meeting.mentee)
    response, html = _post(
        client, ended_meeting, {field(page, USEFUL): "3", field(page, TALKED): "x" * 2001}
    )
    assert response.status_code == 400
    assert _error_beside(html, field(page, TALKED)) == (
        "Please keep this answer to 2000 characters (it has 2001)."
    )
    talked = field(page, TALKED)
    assert re.search(rf'<textarea[^>]*aria-describedby="id_{talked}_error"', html)
    assert re.search(r'<textarea[^>]*aria-invalid="true"', html)
    page = page_of(not_held_meeting, not_held_meeting.mentee)
    response, html = _post(
        client,
        not_held_meeting,
        {field(page, WHY): "Other", field(page, WHAT_HAPPENED): "y" * 201},
    )
    assert _error_beside(html, field(page, WHAT_HAPPENED)) == (
        "Please keep this answer to 200 characters (it has 201)."
    )
    assert not SurveyResponse.objects.exists()


def test_a_question_of_another_survey_is_refused(client, ended_meeting):
    other_program_question = (
        factories.meeting()
        .program.surveys.get(kind="flash_meeting_feedback", role="mentee")
        .questions.first()
    )
    mentor_question = Question.objects.get(
        survey__program=ended_meeting.program, survey__role="mentor", text=USEFUL
    )
    page = page_of(ended_meeting, ended_meeting.mentee)
    for foreign in (other_program_question, mentor_question):
        response, html = _post(
            client, ended_meeting, {field(page, USEFUL): "5", f"q_{foreign.pk}": "5"}
        )
        assert response.status_code == 400
        assert "Some answers do not belong to this survey" in html
    assert not SurveyResponse.objects.exists()


def test_a_question_of_the_other_version_is_refused(client, ended_meeting):
    why = Question.objects.get(
        survey__program=ended_meeting.program, survey__role="mentee", text=WHY
    )
    page = page_of(ended_meeting, ended_meeting.mentee)
    response, html = _post(
        client, ended_meeting, {field(page, USEFUL): "5", f"q_{why.pk}": "It was postponed"}
    )
    assert response.status_code == 400
    assert "Some answers do not belong to this survey" in html


def test_the_service_refuses_a_foreign_question_too(ended_meeting):
    from surveys import services
    from surveys.errors import InvalidAnswers

    page = page_of(ended_meeting, ended_meeting.mentee)
    why = Question.objects.get(survey=page.survey, text=WHY)
    with pytest.raises(InvalidAnswers):
        services.response_submit(
            meeting=ended_meeting,
            respondent=ended_meeting.mentee,
            survey=page.survey,
            version=page.version,
            answers={why: "Other"},
        )
    assert not SurveyResponse.objects.exists()


# --- one response only ------------------------------------------------------------------


def test_double_submit_keeps_the_first_answers(client, ended_meeting):
    page = page_of(ended_meeting, ended_meeting.mentee)
    client.force_login(ended_meeting.mentee)
    first = client.post(url(ended_meeting, "submit"), {field(page, USEFUL): "5"})
    assert first["Location"] == url(ended_meeting, "thanks")
    second = client.post(
        url(ended_meeting, "submit"),
        {field(page, USEFUL): "1", field(page, TALKED): "x"},
        follow=True,
    )
    html = second.content.decode()
    assert "You have already answered this survey" in html
    assert "You answered this survey on" in html
    assert SurveyResponse.objects.count() == 1
    assert [(a.question_text, a.rating) for a in Answer.objects.all()] == [(USEFUL, 5)]
    # An invalid second submit says the same and shows no validation errors.
    third = client.post(url(ended_meeting, "submit"), {field(page, USEFUL): "9"}, follow=True)
    assert "You have already answered this survey" in third.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_a_submit_that_loses_the_race_is_told_the_survey_is_answered(
    client, ended_meeting, monkeypatch
):
    """The page read no response, then another submit's response landed before this
    one's (the service's own check refuses it): the same "already answered" message as
    a late second submit, the first answers kept."""
    from surveys import views

    page = page_of(ended_meeting, ended_meeting.mentee)
    factories.answer(ended_meeting, ended_meeting.mentee, {USEFUL: 5})
    read_before_the_other_landed = views._page

    def page_without_the_response(meeting, request):
        shown = read_before_the_other_landed(meeting, request)
        shown.response = None
        return shown

    monkeypatch.setattr(views, "_page", page_without_the_response)
    client.force_login(ended_meeting.mentee)
    lost = client.post(url(ended_meeting, "submit"), {field(page, USEFUL): "1"})
    assert lost.status_code == 302 and lost["Location"] == url(ended_meeting)
    monkeypatch.undo()
    told = client.get(lost["Location"]).content.decode()
    # Information, not an error: nothing went wrong, the answers are in.
    assert re.search(r'class="message message-info">You have already answered this survey', told)
    assert [(a.question_text, a.rating) for a in Answer.objects.all()] == [(USEFUL, 5)]


def test_the_service_refuses_a_second_response(ended_meeting):
    from surveys.errors import AlreadyAnswered

    factories.answer(ended_meeting, ended_meeting.mentee, {USEFUL: 5})
    with pytest.raises(AlreadyAnswered):
        factories.answer(ended_meeting, ended_meeting.mentee, {USEFUL: 1})
    assert Answer.objects.get().rating == 5


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_make_one_response(racer_db):
    from surveys.errors import AlreadyAnswered

    meeting = factories.meeting()
    barrier = threading.Barrier(4)
    outcomes = []

    def submit(rating):
        try:
            barrier.wait()
            factories.answer(meeting, meeting.mentee, {USEFUL: rating})
            outcomes.append("saved")
        except AlreadyAnswered:
            outcomes.append("already answered")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already answered"] * 3 + ["saved"]
    assert SurveyResponse.objects.count() == 1 and Answer.objects.count() == 1
    racer_db.assert_routed(at_least=4)


# --- entry points for the follow-up -----------------------------------------------------


def test_entry_points_take_a_meeting_and_a_respondent(ended_meeting):
    from surveys.errors import NotARespondent
    from tests.factories import UserFactory

    path = selectors.survey_url_for(meeting=ended_meeting, respondent=ended_meeting.mentee)
    assert path == f"/surveys/meetings/{ended_meeting.pk}/"
    assert selectors.survey_url_for(meeting=ended_meeting, respondent=ended_meeting.mentor) == path
    with pytest.raises(NotARespondent):
        selectors.survey_url_for(meeting=ended_meeting, respondent=UserFactory())
    assert (
        selectors.survey_answered(meeting=ended_meeting, respondent=ended_meeting.mentee) is False
    )


def test_get_on_the_submit_url_is_not_allowed(client, ended_meeting):
    client.force_login(ended_meeting.mentee)
    assert client.get(url(ended_meeting, "submit")).status_code == 405


def test_submitting_needs_the_csrf_token(ended_meeting):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(ended_meeting.mentee)
    page = page_of(ended_meeting, ended_meeting.mentee)
    assert client.post(url(ended_meeting, "submit"), {field(page, USEFUL): "5"}).status_code == 403
    assert 'name="csrfmiddlewaretoken"' in client.get(url(ended_meeting)).content.decode()
