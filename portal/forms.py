from django import forms
from django.utils.translation import gettext_lazy as _


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name or expertise"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
