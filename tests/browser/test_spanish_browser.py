"""In Spanish, end to end, as a person clicks it: a mentee whose browser asks for Spanish
signs in, answers the follow-up after a flash meeting and the Flash Meeting Feedback
survey, every page in Spanish with ``<html lang="es">`` and clean for axe; the answers are
kept in the survey's base language, and the mentor, who reads Spanish, is written to in
Spanish.

The texts are written out in Spanish on purpose: this file is the specification of what a
Spanish-speaking mentee reads.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from flash_meetings.models import FlashMeeting
from matching.models import Connection
from notifications.models import Notification
from notifications.rendering import render_notification
from tests.browser.test_accessibility import WIDTHS, _violations
from tests.conftest import sign_in
from tests.follow_up.conftest import FORCED, make_setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _spanish_page(browser, width: int):
    context = browser.new_context(viewport=WIDTHS[width], reduced_motion="reduce", locale="es-ES")
    context.set_default_timeout(10_000)
    return context, context.new_page()


def _in_spanish_and_clean(page) -> None:
    """The page says it is Spanish, is, and passes axe; at 390 px it fits."""
    assert page.evaluate("document.documentElement.lang") == "es", page.url
    expect(page.get_by_label("Idioma")).to_have_value("es")
    assert _violations(page) == [], page.url
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"{page.url} scrolls sideways"


def _sign_in_in_spanish(page, live_server, username: str, next_url: str) -> None:
    with translation.override("es"):
        sign_in(page, live_server, username, next_url=next_url)
    page.wait_for_url(re.compile(rf"{next_url}$"))


def test_yes_connect_me_and_the_survey_in_spanish(browser, live_server):
    setup = make_setup(FORCED)
    # Elif has never chosen: her browser's Spanish is kept at her first sign-in. Amara chose.
    type(setup.mentee).objects.filter(pk=setup.mentee.pk).update(language="")
    type(setup.mentor).objects.filter(pk=setup.mentor.pk).update(language="es")
    follow_up = reverse("flash_meetings:follow_up", args=[setup.meeting.pk])
    survey = reverse("surveys:meeting", args=[setup.meeting.pk])
    context, page = _spanish_page(browser, 1280)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
        _in_spanish_and_clean(page)
        _sign_in_in_spanish(page, live_server, setup.mentee.username, follow_up)

        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Después de tu reunión con Amara Okafor"
        )
        expect(
            page.get_by_role("button", name="No, gracias, ir a la encuesta de valoración")
        ).to_be_visible()
        expect(page.get_by_role("button", name="La reunión no se realizó")).to_be_visible()
        _in_spanish_and_clean(page)
        page.get_by_role("button", name="Sí, conéctame con Amara Okafor").click()

        page.wait_for_url(re.compile(rf"{survey}$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Valoración de la reunión flash"
        )
        _in_spanish_and_clean(page)
        page.get_by_role("group", name=re.compile(r"^¿Qué utilidad tuvo esta reunión")).get_by_text(
            "4", exact=True
        ).click()
        page.get_by_label("Confianza").check()
        page.get_by_label("¿De qué temas se habló?").fill("Cómo preparar entrevistas.")
        page.get_by_role("button", name="Enviar mis respuestas").click()

        expect(page.get_by_role("heading", name="Gracias por tu valoración")).to_be_visible()
        _in_spanish_and_clean(page)
    finally:
        context.close()

    setup.mentee.refresh_from_db()
    assert setup.mentee.language == "es"
    assert Connection.objects.filter(mentor=setup.mentor, mentee=setup.mentee).exists()
    response = setup.meeting.survey_responses.get()
    assert response.language == "es"
    answers = {answer.question_text: answer for answer in response.answers.all()}
    # Kept in the survey's base language, so the summary counts it with English answers.
    assert answers["How useful was this meeting?"].rating == 4
    assert answers["What did the meeting help you with?"].selected == ["Confidence"]
    assert answers["What did you talk about?"].text == "Cómo preparar entrevistas."

    # The mentor reads Spanish: the worker renders her email in Spanish.
    told = Notification.objects.get(recipient=setup.mentor, kind="flash_connection_created_mentor")
    email = render_notification(told)
    assert email.subject == "Elif Demir es ahora tu mentee en mentoría continua"
    assert email.text.startswith("Hola, ")
    assert '<html lang="es"' in email.html


def test_the_meeting_did_not_happen_in_spanish_at_390_px(browser, live_server):
    setup = make_setup(FORCED)
    type(setup.mentee).objects.filter(pk=setup.mentee.pk).update(language="es")
    follow_up = reverse("flash_meetings:follow_up", args=[setup.meeting.pk])
    survey = reverse("surveys:meeting", args=[setup.meeting.pk])
    context, page = _spanish_page(browser, 390)
    try:
        _sign_in_in_spanish(page, live_server, setup.mentee.username, follow_up)
        _in_spanish_and_clean(page)
        page.get_by_role("button", name="La reunión no se realizó").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("¿No se realizó la reunión?")
        _in_spanish_and_clean(page)
        page.get_by_role("button", name="Sí, no se realizó").click()

        page.wait_for_url(re.compile(rf"{survey}$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("la reunión no se realizó")
        _in_spanish_and_clean(page)
        page.get_by_role("button", name="Enviar mis respuestas").click()
        # A required question left empty: the error is Spanish too.
        expect(page.get_by_text("Responde a esta pregunta.").first).to_be_visible()
        page.get_by_label("Se aplazó").check()
        page.get_by_role("button", name="Enviar mis respuestas").click()
        expect(page.get_by_role("heading", name="Gracias por tu valoración")).to_be_visible()
        _in_spanish_and_clean(page)
    finally:
        context.close()

    setup.meeting.refresh_from_db()
    assert setup.meeting.status == FlashMeeting.Status.DID_NOT_HAPPEN
    response = setup.meeting.survey_responses.get()
    assert response.version == "cancelled" and response.language == "es"
    reason = response.answers.get(question_text="Why did the meeting not take place?")
    assert reason.selected == ["It was postponed"]
