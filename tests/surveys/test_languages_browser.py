"""In Chromium at 1280 and 390 px: a program admin gives a question's Spanish choices in
the survey editor (a list that does not match the English one is refused beside the
field), and a Spanish-speaking mentee answers the survey in Spanish. axe-core finds no
WCAG A/AA problem, nothing scrolls sideways, the CSP blocks nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from flash_meetings.models import FlashMeeting
from mentoring.services import program_administrator_add
from surveys.models import Answer, Question, SurveyResponse
from tests.browser.checks import csp_refusals, page_problems
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.surveys import factories
from tests.surveys.conftest import WHY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {1280: {"width": 1280, "height": 800}, 390: {"width": 390, "height": 844}}


def _context(browser, width):
    context = browser.new_context(viewport=WIDTHS[width])
    page = context.new_page()
    blocked = csp_refusals(page)
    return context, page, blocked


@pytest.mark.parametrize("width", WIDTHS)
def test_a_program_admin_translates_a_question_s_choices(
    browser, live_server, program, width, tmp_path_factory
):
    admin = UserFactory(username="harbour-admin", password="pw")
    program_administrator_add(program=program, user=admin)
    survey = factories.survey_of(program, "mentee")
    why = survey.questions.get(text=WHY)
    context, page, blocked = _context(browser, width)
    shots = tmp_path_factory.getbasetemp()
    try:
        sign_in(
            page,
            live_server,
            "harbour-admin",
            next_url=f"/admin/surveys/survey/{survey.pk}/change/",
        )
        expect(page.get_by_label("Title (Español):")).to_have_value(
            "Valoración de la reunión flash"
        )
        problems = page_problems(page)
        page.screenshot(path=str(shots / f"survey-editor-{width}.png"), full_page=True)

        row = page.locator(".inline-related").filter(has=page.locator(f'input[value="{WHY}"]'))
        spanish = row.get_by_label("Choices (Español):")
        expect(spanish).to_have_attribute("lang", "es")
        spanish.fill("No vino\nSe pospuso\nOtra razón")  # one choice short
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.get_by_text(re.compile("Give 4 choices, one per line"))).to_be_visible()
        problems += page_problems(page)
        page.screenshot(path=str(shots / f"survey-editor-refused-{width}.png"), full_page=True)

        row = page.locator(".inline-related").filter(has=page.locator(f'input[value="{WHY}"]'))
        row.get_by_label("Choices (Español):").fill("No vino\nNunca se agendó\nSe pospuso\nOtra")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.get_by_text("was changed successfully")).to_be_visible()
        assert not problems, problems
        assert not blocked, blocked
        why.refresh_from_db()
        assert why.choice_list_in("es") == ["No vino", "Nunca se agendó", "Se pospuso", "Otra"]

        # The summary counts an English and a Spanish answer together.
        for language, reason in (("en", "Other"), ("es", "Otra")):
            meeting = factories.meeting(program=program, status=FlashMeeting.Status.DID_NOT_HAPPEN)
            factories.answer(meeting, meeting.mentee, {WHY: reason}, language=language)
        page.goto(f"{live_server.url}/admin/surveys/survey/{survey.pk}/summary/")
        expect(page.get_by_text(re.compile(r"Answered in: English: 1; Español: 1"))).to_be_visible()
        choices = page.get_by_role("region", name=WHY).get_by_role("table")
        expect(choices.get_by_role("row", name="Other 2")).to_be_visible()
        problems += page_problems(page)
        page.screenshot(path=str(shots / f"survey-summary-{width}.png"), full_page=True)
        assert not problems, problems
        assert not blocked, blocked
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_spanish_mentee_answers_in_spanish(
    browser, live_server, program, width, tmp_path_factory
):
    meeting = factories.meeting(program=program, status=FlashMeeting.Status.DID_NOT_HAPPEN)
    meeting.mentee.language = "es"
    meeting.mentee.save(update_fields=["language"])
    context, page, blocked = _context(browser, width)
    shots = tmp_path_factory.getbasetemp()
    try:
        sign_in(
            page, live_server, meeting.mentee.username, next_url=f"/surveys/meetings/{meeting.pk}/"
        )
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Valoración de la reunión flash"
        )
        why = page.get_by_role(
            "group", name=re.compile(re.escape("¿Por qué no se realizó la reunión?"))
        )
        why.get_by_role("radio", name="Se aplazó").check()
        problems = page_problems(page)
        page.screenshot(path=str(shots / f"survey-es-{width}.png"), full_page=True)
        page.get_by_role("button", name="Enviar mis respuestas").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert not problems, problems
        assert not blocked, blocked
        assert SurveyResponse.objects.get().language == "es"
        answer = Answer.objects.get(question__kind=Question.Kind.SINGLE_CHOICE)
        assert answer.selected == ["It was postponed"] and answer.question_text == WHY
    finally:
        context.close()
