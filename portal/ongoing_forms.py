"""Forms of life after connecting (the connection page): goals and notes.

The services check everything again; the forms put the errors beside their fields."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from mentoring import dates
from mentoring.validators import validate_plain_text, validate_single_line
from ongoing.models import GOAL_DESCRIPTION_MAX, GOAL_TITLE_MAX, NOTE_BODY_MAX, Goal


class GoalForm(forms.Form):
    title = forms.CharField(
        label=_("Goal"),
        max_length=GOAL_TITLE_MAX,
        validators=[validate_single_line],
        error_messages={"required": _("Give the goal a title.")},
    )
    description = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=GOAL_DESCRIPTION_MAX,
        validators=[validate_plain_text],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    target_date = forms.DateField(
        label=_("Target date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_target_date(self) -> date | None:
        value = self.cleaned_data["target_date"]
        if value is not None and not dates.EARLIEST_YEAR <= value.year <= dates.LATEST_YEAR:
            raise forms.ValidationError(
                dates.NOT_STORABLE % {"earliest": dates.EARLIEST_YEAR, "latest": dates.LATEST_YEAR}
            )
        return value


class GoalUpdateForm(GoalForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Goal.Status.choices,
        error_messages={"required": _("Choose open, achieved or dropped.")},
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        max_length=NOTE_BODY_MAX,
        validators=[validate_plain_text],
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write something in the note first.")},
    )
    visibility = forms.ChoiceField(
        label=_("Who can read it"),
        choices=[
            ("shared", _("Shared: both of you")),
            ("private", _("Private: only you")),
        ],
        initial="shared",
        widget=forms.RadioSelect,
    )
