"""Survey texts in more than one language, without a column per language.

A survey's title and introduction, and each question's text, hint and choices, are
written in the base language (``settings.LANGUAGE_CODE``) in the model's own columns, and
in every other language of ``settings.LANGUAGES`` in ``translations`` (``{"es": {"text":
...}}``): a new language needs no schema change. ``Translated`` is the abstract model
both inherit; a blank translation falls back to the base text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentoring import languages


def base_language() -> str:
    """The language of the survey texts' own columns (and of every stored answer)."""
    return settings.LANGUAGE_CODE


def other_languages() -> list[tuple[str, str]]:
    """``(code, name)`` of each language a survey can be translated into, in the
    settings' order, each named in its own words."""
    return [(code, name) for code, name in languages.supported().items() if code != base_language()]


def answered_language(code: str | None = None) -> str:
    """The language of the site that ``code`` (by default the active language) names,
    as a response records it; the base language when it names none."""
    try:
        return translation.get_supported_language_variant(code or translation.get_language())
    except LookupError:
        return base_language()


def choice_lines(text: str) -> list[str]:
    """Choices as written: one per line, blank lines and outer spaces left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class Translated(models.Model):
    """Texts in more than one language, without a column per language: the base
    language in the model's own fields, every other one in ``translations``."""

    TRANSLATED_FIELDS: ClassVar[tuple[str, ...]] = ()

    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_("The texts in other languages, by language code; blank ones use the base."),
    )

    class Meta:
        abstract = True

    def translation(self, field_name: str, language: str) -> str:
        """The text given for ``language`` ("" when none: no fallback)."""
        values = (self.translations or {}).get(language)
        if not isinstance(values, dict):
            return ""
        value = values.get(field_name, "")
        return value if isinstance(value, str) else ""

    def in_language(self, field_name: str, language: str | None) -> str:
        """The text in ``language``, the base text when that translation is blank."""
        translated = ""
        if language and language != base_language():
            translated = self.translation(field_name, language).strip()
        return translated or getattr(self, field_name)

    def translation_errors(
        self, *, language: str, values: Mapping[str, str]
    ) -> dict[str, list[ValidationError]]:
        """The rules a translation obeys, by field: the base field's own (one line, no
        control characters, its length). Admin, services and ``full_clean`` ask this."""
        errors: dict[str, list[ValidationError]] = {}
        for name in self.TRANSLATED_FIELDS:
            value = values.get(name) or ""
            if not value:
                continue
            try:
                self._meta.get_field(name).run_validators(value)
            except ValidationError as error:
                errors.setdefault(name, []).extend(error.error_list)
        return errors

    def set_translation(self, *, language: str, values: Mapping[str, str]) -> None:
        """Replace ``language``'s texts with ``values`` (stripped; blank ones dropped)."""
        kept = {
            name: value.strip()
            for name in self.TRANSLATED_FIELDS
            if isinstance(value := values.get(name) or "", str) and value.strip()
        }
        translations = {k: v for k, v in (self.translations or {}).items() if k != language}
        if kept:
            translations[language] = kept
        self.translations = translations

    def clean_fields(self, exclude: Iterable[str] | None = None) -> None:
        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        checked = "translations" not in (exclude or ()) and "translations" not in errors
        if checked and (problems := self._translations_problems()):
            errors["translations"] = problems
        if errors:
            raise ValidationError(errors)

    def _translations_problems(self) -> list[ValidationError]:
        translations = self.translations or {}
        shaped = isinstance(translations, dict) and all(
            isinstance(values, dict) and all(isinstance(v, str) for v in values.values())
            for values in translations.values()
        )
        if not shaped:
            return [
                ValidationError(
                    _("Translations are given per language code, each with its texts."),
                    code="translations_shape",
                )
            ]
        names = languages.supported()
        problems = []
        for language, values in translations.items():
            for messages in self.translation_errors(language=language, values=values).values():
                problems.extend(
                    ValidationError(
                        gettext("%(language)s: %(message)s")
                        % {"language": names.get(language, language), "message": message},
                        code="translation",
                    )
                    for error in messages
                    for message in error.messages
                )
        return problems
