"""The admin's survey editor in every language: beside each text of a survey or
question (``Translated.TRANSLATED_FIELDS``), one field per other language of
settings.LANGUAGES, generated when the form is built, checked by the model's own
``translation_errors`` and saved in ``translations``. ``surveys.admin`` uses it."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext

from mentoring import languages
from surveys.translations import Translated, base_language, other_languages

# --- Texts in every language: fields generated from settings.LANGUAGES ----------------


def translation_field_name(field_name: str, language: str) -> str:
    """The editor's field for ``field_name`` in ``language``: ``text_es``."""
    return f"{field_name}_{language.replace('-', '_')}"


def _in_language(label: Any, language_name: str) -> str:
    # Translators: a form field's label and the language it is written in, e.g.
    # "Question (English)", "Question (Español)"; the language is named in its own words.
    return gettext("%(field)s (%(language)s)") % {
        "field": capfirst(label),
        "language": language_name,
    }


def side_by_side(field_name: str) -> tuple[str, ...]:
    """The base field and its translations on one line."""
    return (
        field_name,
        *(translation_field_name(field_name, code) for code, _name in other_languages()),
    )


class TranslationsForm(forms.ModelForm):
    """A model form with, for each language other than the base, one field per
    translated text (``Translated.TRANSLATED_FIELDS``). Its values obey the model's own
    ``translation_errors`` (the services ask the same), their errors shown beside the
    field, and are saved in ``translations``."""

    translated_languages: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, _name in self.translated_languages:
            for field_name in self._meta.model.TRANSLATED_FIELDS:
                name = translation_field_name(field_name, code)
                if name in self.fields:
                    self.initial.setdefault(name, self.instance.translation(field_name, code))

    def _post_clean(self) -> None:
        super()._post_clean()  # the instance now carries the new base texts
        instance: Translated = self.instance
        base_unsettled = any(name in self.errors for name in ("kind", "choices"))
        for code, _name in self.translated_languages:
            names = {
                field_name: translation_field_name(field_name, code)
                for field_name in instance.TRANSLATED_FIELDS
                if translation_field_name(field_name, code) in self.fields
            }
            if not names or any(name in self.errors for name in names.values()):
                continue
            values = {
                field_name: self.cleaned_data.get(name) or "" for field_name, name in names.items()
            }
            if base_unsettled:  # the choices are checked against the base once it is right
                values.pop("choices", None)
            errors = instance.translation_errors(language=code, values=values)
            for field_name, messages in errors.items():
                self.add_error(names[field_name], messages)
            if not errors:
                kept = {
                    field_name: instance.translation(field_name, code)
                    for field_name in instance.TRANSLATED_FIELDS
                    if field_name not in names
                }
                instance.set_translation(language=code, values={**kept, **values})


def translations_form(base: type[forms.ModelForm], model: type[Translated]) -> type:
    """``base`` with a field per translated text and language of settings.LANGUAGES
    (read now, so a language added to the settings appears without a change here)."""
    others = other_languages()
    attrs: dict[str, Any] = {"translated_languages": others}
    for code, name in others:
        for field_name in model.TRANSLATED_FIELDS:
            model_field = model._meta.get_field(field_name)
            attrs[translation_field_name(field_name, code)] = forms.CharField(
                label=_in_language(model_field.verbose_name, name),
                required=False,
                max_length=model_field.max_length,
            )
    return type(f"{model.__name__}TranslationsForm", (TranslationsForm, base), attrs)


def label_languages(form: type[forms.BaseForm], model: type[Translated]) -> None:
    """Name each text's language on its label, give its input the language (``lang``:
    read aloud and spell-checked in it) and the translations the base field's widget."""
    others = other_languages()
    if not others:
        return
    names = languages.supported()
    for field_name in model.TRANSLATED_FIELDS:
        base_field = form.base_fields.get(field_name)
        if base_field is None:
            continue
        base_field.label = _in_language(
            model._meta.get_field(field_name).verbose_name, names.get(base_language(), "")
        )
        base_field.widget.attrs["lang"] = base_language()
        for code, _name in others:
            translated = form.base_fields.get(translation_field_name(field_name, code))
            if translated is None:
                continue
            translated.widget = copy.deepcopy(base_field.widget)
            translated.widget.attrs["lang"] = code
            translated.widget.is_required = False
            if field_name == "choices":
                translated.help_text = gettext(
                    "One choice per line, in the same order as in %(language)s."
                ) % {"language": names.get(base_language(), "")}
