"""The survey form: one field per question of the version being answered, in the
person's language. A choice's value is its base-language label (the choice at the same
place in the base list), so what is stored is the same whatever language was shown."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mentoring.validators import validate_plain_text, validate_single_line
from surveys.models import (
    LONG_TEXT_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    SHORT_TEXT_MAX_LENGTH,
    Question,
)

FIELD_PREFIX = "q_"
FIELD_NAME = re.compile(rf"^{FIELD_PREFIX}(\d+)$")

REQUIRED = _("Please answer this question.")
TOO_LONG = _("Please keep this answer to %(limit_value)d characters (it has %(show_value)d).")


def field_name(question: Question) -> str:
    return f"{FIELD_PREFIX}{question.pk}"


def _field_for(question: Question, language: str | None) -> forms.Field:
    help_text = question.help_text_in(language)
    common: dict[str, Any] = {
        "label": question.text_in(language),
        "required": question.required,
        "help_text": help_text,
    }
    if question.kind == Question.Kind.RATING:
        return forms.TypedChoiceField(
            choices=[(value, str(value)) for value in range(RATING_MIN, RATING_MAX + 1)],
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect(attrs={"class": "rating"}),
            error_messages={
                "required": REQUIRED,
                "invalid_choice": _("Choose a rating from 1 to 5."),
            },
            **{
                **common,
                "help_text": help_text or _("1 is the lowest, 5 the highest."),
            },
        )
    choices = question.choice_pairs_in(language)  # (stored base label, label shown)
    if question.kind == Question.Kind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": REQUIRED,
                "invalid_choice": _("Choose one of the answers listed."),
            },
            **common,
        )
    if question.kind == Question.Kind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": _("Please choose at least one answer."),
                "invalid_choice": _("Choose only among the answers listed."),
            },
            **common,
        )
    long = question.kind == Question.Kind.LONG_TEXT
    return forms.CharField(
        max_length=LONG_TEXT_MAX_LENGTH if long else SHORT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}) if long else forms.TextInput,
        validators=[validate_plain_text if long else validate_single_line],
        error_messages={"required": REQUIRED, "max_length": TOO_LONG},
        **common,
    )


class SurveyForm(forms.Form):
    """Answers to the questions given, and nothing else: an answer to any other question
    (another survey's, or the other version's) refuses the whole form. Questions, hints
    and choices are shown in ``language`` (the base text where a translation is blank)."""

    def __init__(
        self, *args: Any, questions: list[Question], language: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.language = language
        for question in questions:
            self.fields[field_name(question)] = _field_for(question, language)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        foreign = [key for key in self.data if FIELD_NAME.match(key) and key not in self.fields]
        if foreign:
            raise ValidationError(
                _(
                    "Some answers do not belong to this survey; please answer the questions "
                    "shown and send the survey again."
                ),
                code="foreign_question",
            )
        return cleaned

    def answers(self) -> dict[Question, Any]:
        """Each question with its cleaned answer (None, "" or [] when left empty)."""
        return {
            question: self.cleaned_data.get(field_name(question)) for question in self.questions
        }
