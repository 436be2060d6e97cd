"""Writes for a survey's texts in other languages (``Survey`` and ``Question``
``translations``): the same rules as the admin's survey editor, which asks
``translation_errors`` too."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from surveys.models import Question, Survey
from surveys.translations import Translated, other_languages


def _set(*, row: Translated, language: str, values: Mapping[str, str]) -> None:
    if language not in dict(other_languages()):
        raise ValidationError(
            {
                "translations": gettext(
                    "“%(value)s” is not a language this survey can be translated into."
                )
                % {"value": language}
            },
            code="invalid_language",
        )
    if errors := row.translation_errors(language=language, values=values):
        raise ValidationError(errors)
    row.set_translation(language=language, values=values)


@transaction.atomic
def survey_translation_set(
    *, survey: Survey, language: str, title: str = "", intro: str = ""
) -> Survey:
    """Give the survey's title and introduction in ``language`` (blank: the base text is
    shown). ValidationError, by field, when a text breaks the base field's rules."""
    _set(row=survey, language=language, values={"title": title, "intro": intro})
    survey.save(update_fields=["translations", "updated_at"])
    return survey


@transaction.atomic
def question_translation_set(
    *,
    question: Question,
    language: str,
    text: str = "",
    help_text: str = "",
    choices: str | list[str] = "",
) -> Question:
    """Give the question's text, hint and choices in ``language``. The choices (a list,
    or one per line) translate the base choices line for line: as many, in the same
    order, each once. ValidationError, by field, when they do not."""
    if not isinstance(choices, str):
        choices = "\n".join(choices)
    values = {"text": text, "help_text": help_text, "choices": choices}
    _set(row=question, language=language, values=values)
    question.save(update_fields=["translations"])
    return question
