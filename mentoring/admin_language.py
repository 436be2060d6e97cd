"""The language field on admin forms, for the people's and the programs' pages (the
latter registered by ``matching.admin.programs``)."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class LanguageChoiceMixin:
    """``language`` as a list of settings.LANGUAGES (the model lists none: adding a
    language is a setting and a catalogue, no migration). A person's may be blank: not
    chosen yet, the program's then applies."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "language":
            blank = [("", _("Not chosen: the program's"))] if db_field.blank else []
            return forms.ChoiceField(
                label=db_field.verbose_name.capitalize(),
                choices=[*blank, *settings.LANGUAGES],
                required=not db_field.blank,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("language"), ordering="language")
    def language_name(self, obj) -> str:
        return dict(settings.LANGUAGES).get(obj.language, "—")
