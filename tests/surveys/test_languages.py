"""Issue 20, surveys in more than one language: the admin's survey editor gives each
question's text and choices in every language of the site, a participant answers in
theirs, and the summary combines the answers whatever their language.

A survey's texts are written in the base language (settings.LANGUAGE_CODE, English) in
their own fields and in every other language in ``translations``; a blank translation
shows the base text. Translated choices match the base ones by their place in the list,
and an answer is stored in the base language (canonical), with the language it was
given in on its response.
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from flash_meetings.models import FlashMeeting
from matching.models import Connection
from surveys import selectors, translation_services
from surveys.models import Answer, Question, Survey, SurveyResponse
from tests.factories import ProgramFactory
from tests.ongoing.conftest import amara_mentoring_elif
from tests.surveys import factories
from tests.surveys.conftest import ANYTHING, HELPED, TALKED, USEFUL, WHY

pytestmark = pytest.mark.django_db

# The Spanish catalogue's words for the default texts (locale/es/LC_MESSAGES/django.po).
TITLE_ES = "Valoración de la reunión flash"
USEFUL_ES = "¿Qué utilidad tuvo esta reunión para ti?"
HELPED_ES = "¿En qué te ayudó la reunión?"
WHY_ES = "¿Por qué no se realizó la reunión?"
CAREER_ES = "Orientación profesional"
CONFIDENCE_ES = "Confianza"
POSTPONED_ES = "Se aplazó"


def speaks_spanish(user) -> None:
    user.language = "es"
    user.save(update_fields=["language"])


def question(program, text: str, role: str = "mentee") -> Question:
    return Question.objects.get(
        survey__program=program,
        survey__kind=Survey.Kind.FLASH_MEETING_FEEDBACK,
        survey__role=role,
        text=text,
    )


def field_of(question_: Question) -> str:
    return f"q_{question_.pk}"


# --- Default surveys --------------------------------------------------------------------


def test_a_new_program_s_surveys_are_in_english_with_the_catalogue_s_spanish(program):
    survey = factories.survey_of(program, "mentee")
    assert survey.title == "Flash Meeting Feedback"
    assert survey.title_in("es") == TITLE_ES
    useful, helped = question(program, USEFUL), question(program, HELPED)
    assert (useful.text, useful.text_in("es")) == (USEFUL, USEFUL_ES)
    assert helped.choice_list[0] == "Career direction"
    assert helped.choice_list_in("es")[:3] == [CAREER_ES, "Una pregunta técnica", CONFIDENCE_ES]
    assert len(helped.choice_list_in("es")) == len(helped.choice_list)
    # Every default question of every kind has its Spanish text, and passes the rules.
    for default in Question.objects.filter(survey__program=program):
        assert default.text_in("es") != default.text, default.text
        default.full_clean()
    check_in = Survey.objects.get(
        program=program, kind=Survey.Kind.CONNECTION_CHECK_IN, role="mentee"
    )
    assert check_in.title_in("es") == "Revisión intermedia"


def test_the_base_text_is_english_whatever_language_is_active_when_a_program_is_made():
    with translation.override("es"):
        program = ProgramFactory()
    assert factories.survey_of(program, "mentee").title == "Flash Meeting Feedback"
    assert question(program, USEFUL).text_in("es") == USEFUL_ES


def test_the_data_migration_gives_existing_default_texts_their_translations(program):
    """Surveys made before translations existed: the default texts still worded as the
    default get the catalogue's Spanish; texts a program changed, and translations
    already given, are left alone."""
    Survey.objects.update(translations={})
    Question.objects.update(translations={})
    question(program, TALKED).__class__.objects.filter(pk=question(program, TALKED).pk).update(
        text="What did you two discuss?"
    )
    anything = question(program, ANYTHING)
    anything.translations = {"es": {"text": "¿Algo más?"}}
    anything.save()

    migration = importlib.import_module("surveys.migrations.0007_default_survey_translations")
    migration.fill_default_translations(global_apps, None)
    migration.fill_default_translations(global_apps, None)  # idempotent

    assert factories.survey_of(program, "mentor").title_in("es") == TITLE_ES
    assert question(program, USEFUL).text_in("es") == USEFUL_ES
    assert question(program, WHY).choice_list_in("es")[2] == POSTPONED_ES
    edited = Question.objects.get(survey__program=program, text="What did you two discuss?")
    assert edited.translations == {}
    assert question(program, ANYTHING).text_in("es") == "¿Algo más?"


# --- A participant answers in their language -------------------------------------------


def test_a_spanish_mentee_reads_the_survey_in_spanish_and_the_answer_is_kept_in_english(
    client, ended_meeting
):
    program, mentee = ended_meeting.program, ended_meeting.mentee
    speaks_spanish(mentee)
    client.force_login(mentee)
    url = reverse("surveys:meeting", args=[ended_meeting.pk])
    html = client.get(url).content.decode()
    assert f"<h1>{TITLE_ES}</h1>" in html
    assert USEFUL_ES in html and HELPED_ES in html and USEFUL not in html
    # The choice a person reads is in Spanish; what the form sends is the English label.
    assert re.search(r'value="Career direction"[^>]*> <span>' + CAREER_ES + "</span>", html)

    response = client.post(
        reverse("surveys:submit", args=[ended_meeting.pk]),
        {
            field_of(question(program, USEFUL)): "5",
            field_of(question(program, HELPED)): ["Career direction", "Confidence"],
            field_of(question(program, TALKED)): "Cómo empezar en datos.",
        },
    )
    assert response.status_code == 302
    given = SurveyResponse.objects.get()
    assert given.language == "es"
    answers = {answer.question_text: answer for answer in Answer.objects.all()}
    assert answers[HELPED].selected == ["Career direction", "Confidence"]
    assert answers[USEFUL].rating == 5
    assert answers[TALKED].text == "Cómo empezar en datos."  # people's own words as written
    thanks = client.get(response["Location"]).content.decode()
    assert TITLE_ES in thanks


def test_the_cancelled_version_in_spanish(client, not_held_meeting):
    program, mentor = not_held_meeting.program, not_held_meeting.mentor
    speaks_spanish(mentor)
    client.force_login(mentor)
    html = client.get(reverse("surveys:meeting", args=[not_held_meeting.pk])).content.decode()
    assert WHY_ES in html and POSTPONED_ES in html
    why = question(program, WHY, role="mentor")
    client.post(
        reverse("surveys:submit", args=[not_held_meeting.pk]),
        {field_of(why): "It was postponed"},
    )
    assert Answer.objects.get().selected == ["It was postponed"]


def test_a_blank_translation_shows_the_english_text(client, ended_meeting):
    useful = question(ended_meeting.program, USEFUL)
    useful.translations = {}
    useful.save()
    speaks_spanish(ended_meeting.mentee)
    client.force_login(ended_meeting.mentee)
    html = client.get(reverse("surveys:meeting", args=[ended_meeting.pk])).content.decode()
    assert USEFUL in html and HELPED_ES in html


def test_an_english_person_reads_english(client, ended_meeting):
    client.force_login(ended_meeting.mentee)
    html = client.get(reverse("surveys:meeting", args=[ended_meeting.pk])).content.decode()
    assert USEFUL in html and USEFUL_ES not in html and "Career direction" in html
    client.post(
        reverse("surveys:submit", args=[ended_meeting.pk]),
        {field_of(question(ended_meeting.program, USEFUL)): "3"},
    )
    assert SurveyResponse.objects.get().language == "en"


def test_the_service_stores_a_choice_given_in_spanish_by_its_english_label(not_held_meeting):
    """Whoever calls the service (not only the page, whose values are the English
    labels): a choice named as shown in the response's language is stored by position."""
    factories.answer(not_held_meeting, not_held_meeting.mentee, {WHY: POSTPONED_ES}, language="es")
    answer = Answer.objects.get()
    assert answer.selected == ["It was postponed"] and answer.question_text == WHY
    assert answer.response.language == "es"


def test_the_check_in_in_spanish(client):
    started = timezone.now() - timedelta(days=90)
    pair: Connection = amara_mentoring_elif(
        started_at=started,
        ends_on=(started + timedelta(days=180)).date(),
        check_in_on=timezone.localdate(),
    )
    speaks_spanish(pair.mentee)
    client.force_login(pair.mentee)
    html = client.get(reverse("surveys:connection", args=[pair.pk, "check-in"])).content.decode()
    assert "<h1>Revisión intermedia</h1>" in html
    assert "¿Con qué frecuencia te reúnes con la otra persona?" in html
    assert "Cada dos semanas" in html
    check_in = Survey.objects.get(
        program=pair.program, kind=Survey.Kind.CONNECTION_CHECK_IN, role="mentee"
    )
    rating = check_in.questions.get(kind=Question.Kind.RATING)
    how_often = check_in.questions.get(text="How often do you meet?")
    response = client.post(
        reverse("surveys:connection_submit", args=[pair.pk, "check-in"]),
        {field_of(rating): "4", field_of(how_often): "Every two weeks"},
    )
    assert response.status_code == 302
    assert SurveyResponse.objects.get().language == "es"
    assert Answer.objects.get(question=how_often).selected == ["Every two weeks"]


# --- The summary combines every language ------------------------------------------------


def answered(program, language: str, values: dict) -> SurveyResponse:
    meeting = factories.meeting(program=program, status=FlashMeeting.Status.COMPLETED)
    return factories.answer(meeting, meeting.mentee, values, language=language)


def test_the_summary_counts_english_and_spanish_answers_together(admin_client, program):
    answered(program, "en", {USEFUL: 4, HELPED: ["Confidence"], TALKED: "Next steps"})
    answered(
        program, "es", {USEFUL: 2, HELPED: ["Confidence", "Career direction"], TALKED: "Mi CV"}
    )
    survey = factories.survey_of(program, "mentee")

    summary = selectors.survey_summary(survey=survey)
    by_text = {item.question.text: item for item in summary.questions}
    assert by_text[USEFUL].average_rating == 3
    assert {label: n for label, n, _offered in by_text[HELPED].choice_counts} == {
        "Career direction": 1,
        "A technical question": 0,
        "Confidence": 2,
        "Contacts and introductions": 0,
        "Something else": 0,
    }
    assert summary.response_count == 2
    assert summary.count_by_language == {"en": 1, "es": 1}
    assert [t.text for t in by_text[TALKED].latest_texts] == ["Mi CV", "Next steps"]

    html = admin_client.get(reverse("admin:surveys_survey_summary", args=[survey.pk])).content
    html = html.decode()
    assert "2 responses" in html
    assert (
        'Answered in: <span lang="en">English</span>: 1; <span lang="es">Español</span>: 1' in html
    )
    assert '<q lang="es">Mi CV</q>' in html and "<q>Next steps</q>" in html


def test_a_spanish_reading_admin_reads_the_summary_in_spanish_with_the_same_counts(
    client, superuser, program
):
    answered(program, "en", {HELPED: ["Confidence"]})
    answered(program, "es", {HELPED: ["Confidence", "Career direction"]})
    survey = factories.survey_of(program, "mentee")
    superuser.language = "es"
    superuser.save(update_fields=["language"])
    client.force_login(superuser)

    html = client.get(reverse("admin:surveys_survey_summary", args=[survey.pk])).content.decode()
    assert '<html lang="es"' in html
    assert "¿En qué te ayudó la reunión?</h2>" in html
    assert "<td>Confianza</td><td>2</td>" in html
    assert "<td>Orientación profesional</td><td>1</td>" in html
    assert "<td>Confidence</td>" not in html


@pytest.mark.parametrize("count", [5, 50])
def test_the_summary_costs_the_same_in_every_language(
    admin_client, program, django_assert_num_queries, count
):
    for n in range(count):
        answered(program, ("en", "es")[n % 2], {USEFUL: n % 5 + 1, TALKED: f"talk {n}"})
    survey = factories.survey_of(program, "mentee")
    # session, user, survey+program, questions, responses per version and language,
    # answers, latest texts: as before languages (the language is grouped with the version)
    with django_assert_num_queries(7):
        response = admin_client.get(reverse("admin:surveys_survey_summary", args=[survey.pk]))
    assert f"{count} responses" in response.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_survey_page_costs_the_same_in_every_language(
    client, ended_meeting, django_assert_num_queries, language
):
    ended_meeting.mentee.language = language
    ended_meeting.mentee.save(update_fields=["language"])
    client.force_login(ended_meeting.mentee)
    # session, user, meeting+program+people, survey, questions, own response: the
    # translations come with the survey and its questions
    with django_assert_num_queries(6):
        response = client.get(reverse("surveys:meeting", args=[ended_meeting.pk]))
    assert (USEFUL_ES if language == "es" else USEFUL) in response.content.decode()


def test_the_export_keeps_english_columns_and_says_each_response_s_language(admin_client, program):
    from tests.exports.helpers import csv_dicts, export

    answered(program, "es", {HELPED: [CAREER_ES]})
    (row,) = csv_dicts(export(admin_client, "surveys_surveyresponse"))
    assert row[HELPED] == "Career direction" and row["Language"] == "Español"


def test_the_responses_list_says_and_filters_by_the_language_answered_in(admin_client, program):
    answered(program, "en", {USEFUL: 4})
    spanish = answered(program, "es", {USEFUL: 2})
    url = reverse("admin:surveys_surveyresponse_changelist")
    html = admin_client.get(url).content.decode()
    assert "By language" in html and ">Español</td>" in html
    assert list(admin_client.get(url + "?language=es").context["cl"].result_list) == [spanish]
    assert admin_client.get(url + "?language=xx").context["cl"].result_count == 2
    detail = admin_client.get(reverse("admin:surveys_surveyresponse_change", args=[spanish.pk]))
    assert "Answered in" in detail.content.decode()


# --- The admin's survey editor ------------------------------------------------------------


def editor_data(survey: Survey, **changes: str) -> dict[str, str]:
    """The survey editor's form as it stands, with ``changes`` (field names as posted)."""
    questions = list(survey.questions.all())
    data = {
        "title": survey.title,
        "intro": survey.intro,
        "title_es": survey.translation("title", "es"),
        "intro_es": survey.translation("intro", "es"),
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(len(questions)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, question_ in enumerate(questions):
        prefix = f"questions-{index}-"
        data |= {
            prefix + "id": str(question_.pk),
            prefix + "survey": str(survey.pk),
            prefix + "order": str(question_.order),
            prefix + "text": question_.text,
            prefix + "kind": question_.kind,
            prefix + "choices": question_.choices,
            prefix + "shown_when": question_.shown_when,
            prefix + "help_text": question_.help_text,
            prefix + "text_es": question_.translation("text", "es"),
            prefix + "help_text_es": question_.translation("help_text", "es"),
            prefix + "choices_es": question_.translation("choices", "es"),
        }
        if question_.required:
            data[prefix + "required"] = "on"
    return data | changes


def row_of(survey: Survey, text: str) -> str:
    index = [q.text for q in survey.questions.all()].index(text)
    return f"questions-{index}-"


def test_the_editor_shows_each_text_beside_its_spanish(admin_client, program):
    survey = factories.survey_of(program, "mentee")
    page = admin_client.get(reverse("admin:surveys_survey_change", args=[survey.pk]))
    html = page.content.decode()
    for label in (
        "Title (English)",
        "Title (Español)",
        "Introduction (English)",
        "Introduction (Español)",
        "Question (English)",
        "Question (Español)",
        "Hint (Español)",
        "Choices (English)",
        "Choices (Español)",
    ):
        assert f"{label}:</label>" in html, label
    assert f'value="{USEFUL_ES}"' in html and 'lang="es"' in html
    assert "One choice per line, in the same order as in English." in html


def test_the_editor_saves_the_spanish_texts(admin_client, program):
    survey = factories.survey_of(program, "mentee")
    why = row_of(survey, WHY)
    data = editor_data(
        survey,
        title_es="Tu opinión sobre la reunión",
        intro_es="Tres minutos, nada más.",
        **{
            why + "text_es": "¿Por qué no hubo reunión?",
            why + "help_text_es": "Elige una respuesta.",
            why + "choices_es": "No vino\nNunca se agendó\nSe pospuso\nOtra razón",
        },
    )
    response = admin_client.post(reverse("admin:surveys_survey_change", args=[survey.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    survey.refresh_from_db()
    assert survey.title_in("es") == "Tu opinión sobre la reunión"
    assert survey.intro_in("es") == "Tres minutos, nada más." and survey.intro == ""
    saved = question(program, WHY)
    assert saved.text_in("es") == "¿Por qué no hubo reunión?"
    assert saved.help_text_in("es") == "Elige una respuesta." and saved.help_text == ""
    assert saved.choice_pairs_in("es")[2] == ("It was postponed", "Se pospuso")
    assert saved.text == WHY  # the base text is untouched


@pytest.mark.parametrize(
    ("text", "changes", "message"),
    [
        (
            WHY,
            {"choices_es": "No vino\nSe pospuso\nOtra razón"},
            "Give 4 choices, one per line, in the same order as in English: choices are "
            "matched by their place in the list.",
        ),
        (
            WHY,
            {"choices_es": "No vino\nOtra\nSe pospuso\nOtra"},
            "Each choice may appear only once.",
        ),
        (
            USEFUL,
            {"choices_es": "Sí\nNo"},
            "Only one-choice and several-choice questions have choices.",
        ),
        (
            # The base choices grow: their Spanish must follow.
            WHY,
            {
                "choices": "The other person did not attend\nIt was never scheduled\n"
                "It was postponed\nIllness\nOther"
            },
            "Give 5 choices, one per line, in the same order as in English",
        ),
    ],
)
def test_the_editor_refuses_spanish_choices_that_do_not_match(
    admin_client, program, text, changes, message
):
    survey = factories.survey_of(program, "mentee")
    before = {q.pk: (q.choices, q.translations) for q in survey.questions.all()}
    row = row_of(survey, text)
    data = editor_data(survey, **{row + name: value for name, value in changes.items()})
    response = admin_client.post(reverse("admin:surveys_survey_change", args=[survey.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Please correct the error below." in html or "Please correct the errors below." in html
    assert {q.pk: (q.choices, q.translations) for q in survey.questions.all()} == before


def test_the_editor_refuses_a_line_break_in_a_spanish_title(admin_client, program):
    survey = factories.survey_of(program, "mentee")
    data = editor_data(survey, title_es="Dos\u2028líneas")
    response = admin_client.post(reverse("admin:surveys_survey_change", args=[survey.pk]), data)
    assert response.status_code == 200
    survey.refresh_from_db()
    assert survey.title_in("es") == TITLE_ES


def test_a_third_language_needs_a_setting_not_a_schema_change(admin_client, program):
    languages = [("en", "English"), ("es", "Español"), ("fr", "Français")]
    with override_settings(LANGUAGES=languages):
        survey = factories.survey_of(program, "mentee")
        url = reverse("admin:surveys_survey_change", args=[survey.pk])
        assert "Question (Français):</label>" in admin_client.get(url).content.decode()
        data = editor_data(survey, title_fr="Retour sur la rencontre")
        response = admin_client.post(url, data)
        assert response.status_code == 302
        survey.refresh_from_db()
        assert survey.title_in("fr") == "Retour sur la rencontre"
        assert survey.title_in("es") == TITLE_ES


# --- The same rules outside admin ---------------------------------------------------------


def test_the_translation_services_obey_the_same_rules(program):
    why = question(program, WHY)
    with pytest.raises(ValidationError) as refused:
        translation_services.question_translation_set(
            question=why, language="es", choices=["Uno", "Dos"]
        )
    assert "Give 4 choices" in refused.value.message_dict["choices"][0]
    with pytest.raises(ValidationError):
        translation_services.question_translation_set(question=why, language="en", text="Why?")
    with pytest.raises(ValidationError):
        translation_services.question_translation_set(
            question=why, language="es", text="Dos\nlíneas"
        )
    translation_services.question_translation_set(
        question=why,
        language="es",
        text="¿Qué pasó?",
        choices=["No vino", "Nunca", "Se pospuso", "Otra"],
    )
    why.refresh_from_db()
    assert why.text_in("es") == "¿Qué pasó?" and why.choice_list_in("es")[3] == "Otra"
    survey = translation_services.survey_translation_set(
        survey=why.survey, language="es", title="Opinión"
    )
    assert Survey.objects.get(pk=survey.pk).title_in("es") == "Opinión"


def test_full_clean_checks_the_stored_translations(program):
    why = question(program, WHY)
    why.translations = {"es": {"choices": "Uno\nDos"}}
    with pytest.raises(ValidationError) as refused:
        why.full_clean()
    assert refused.value.message_dict["translations"] == [
        "Español: Give 4 choices, one per line, in the same order as in English: choices "
        "are matched by their place in the list."
    ]
    why.translations = {"es": ["not", "texts"]}
    with pytest.raises(ValidationError):
        why.full_clean()
