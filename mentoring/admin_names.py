"""Every input of an admin form named for a screen reader where Django's markup leaves it
without a ``<label>`` (axe: ``label``, ``select-name``). ``ProgramScopedAdminMixin`` and
``ProgramScopedInlineMixin`` (``admin_scoping``) include it, so it holds on every
project admin page."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.http import HttpRequest
from django.utils.translation import gettext


class NamedInputsMixin:
    """Every input named for a screen reader (axe: ``label``, ``select-name``) where
    Django's markup leaves it without a ``<label>``:

    - the two halves of a moment (``AdminSplitDateTime``): Django writes "Date:" and
      "Time:" beside them as plain text, and the field's ``<label>`` names neither, so
      each is named "<field>: date" and "<field>: time";
    - in a table (``TabularInline``) a cell's input: named by its column's heading."""

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is None:
            return None
        widget = formfield.widget
        if isinstance(widget, AdminSplitDateTime):
            # On the halves themselves: a name on the pair would be given to both.
            date, time = widget.widgets
            date.attrs.setdefault(
                "aria-label", gettext("%(field)s: date") % {"field": formfield.label}
            )
            time.attrs.setdefault(
                "aria-label", gettext("%(field)s: time") % {"field": formfield.label}
            )
        elif isinstance(self, admin.TabularInline):
            widget.attrs.setdefault("aria-label", str(formfield.label))
        return formfield
