"""Forms of the participants' pages: the directory search, the Connect message, a
mentor's answer to a request, ending a connection, reordering a preferred list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import ConnectionRequest


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name or expertise"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class ConnectionRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the mentor"),
        max_length=ConnectionRequest.MESSAGE_MAX_LENGTH,
        help_text=_("A few sentences: what you would like help with and why this mentor."),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a short message to the mentor.")},
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason")), *ConnectionRequest.DeclineReason.choices],
        error_messages={"required": _("Choose a reason for declining.")},
    )
    note = forms.CharField(
        label=_("Note to the mentee (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EndConnectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the connection end?"),
        max_length=500,
        help_text=_("A short reason; the other person reads it in their email."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say in a few words why the connection ends.")},
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])
