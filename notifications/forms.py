"""The email preferences form: one box per kind a person may turn off."""

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.registry import optional_kinds


class PreferencesForm(forms.Form):
    # A ticked box keeps that kind on; a kind left out is turned off. Only optional kinds
    # are choices, so a crafted POST naming a mandatory kind is a field error.
    send = forms.MultipleChoiceField(
        label=_("Send me these emails"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick an email to stop getting it. You can tick it again at any time."),
        error_messages={
            "invalid_choice": _("“%(value)s” is not an email you can turn on or off here."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["send"].choices = [(kind.name, kind.label) for kind in optional_kinds()]
