"""Django admin answers bad input with a 4xx or an empty result, never a 500.

Django validates most of what a change list, an autocomplete or a form receives; what it
misses surfaces only when the query is compiled or run, as a 500:

- change lists: a lookup value that fails only when the SQL is built (``?created_at__year=0``,
  a date hierarchy at the calendar's end, ``?year=9999&month=12``), and on PostgreSQL a
  NUL byte in any parameter (a text value cannot hold one). ``CheckedChangeList`` builds
  and compiles the query while the parameters are checked, so such values are incorrect
  lookup parameters like those Django catches itself: the list answers with its usual
  ``?e=1`` redirect (and so does every export built from the change list);
- search (change lists and autocompletes alike): a NUL byte finds nothing, and only the
  first ``MAX_SEARCH_WORDS`` words are used (a thousand words made a query too deep to
  run, and more words only narrow the result);
- autocomplete widgets re-shown with a submitted value that is not a key at all ("abc",
  NUL, a number beyond the column's range) looked it up and failed: such values are
  dropped before the lookup (the form says the choice is invalid);
- actions: selected ids that are not ids are dropped before the action runs (none left:
  Django's "Items must be selected" message).

``AdminInputGuardMixin`` carries all of it. ``ProgramScopedAdminMixin`` includes it, and
``guard_every_admin`` (run once all admin modules are loaded) gives it to the admins other
apps register (groups, login attempts), so it holds for every URL under /admin/.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError
from django.db import connection
from django.db.models import Field, QuerySet
from django.http import HttpRequest
from django.utils.text import smart_split

MAX_SEARCH_WORDS = 10
NUL = "\x00"


def has_nul(values: Iterable[tuple[str, list[str]]]) -> bool:
    return any(NUL in key or any(NUL in value for value in items) for key, items in values)


def valid_keys(field: Field, values: Iterable) -> list:
    """The values that can be keys of ``field``: right type, no NUL, within the column's
    range."""
    keys = []
    internal_type = field.get_internal_type()
    for value in values:
        if NUL in str(value):
            continue
        try:
            python = field.to_python(value)
        except (ValidationError, ValueError, TypeError):
            continue
        if isinstance(python, int) and ("Integer" in internal_type or "AutoField" in internal_type):
            low, high = connection.ops.integer_field_range(internal_type)
            if (low is not None and python < low) or (high is not None and python > high):
                continue
        keys.append(value)
    return keys


class CheckedChangeList(ChangeList):
    """A change list whose query is built and compiled while its parameters are checked."""

    def get_queryset(self, request: HttpRequest, exclude_parameters=None) -> QuerySet:
        if has_nul(request.GET.lists()):
            raise IncorrectLookupParameters("NUL byte in the query string")
        try:
            queryset = super().get_queryset(request, exclude_parameters)
            queryset.query.get_compiler(using=queryset.db).as_sql()
        except (EmptyResultSet, FullResultSet):
            return queryset
        except (ValueError, OverflowError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


class _CheckedAutocompleteMixin:
    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field
        key_field = target.model._meta.get_field(getattr(target, "field_name", None) or "pk")
        return super().optgroups(name, valid_keys(key_field, value), attr)


class CheckedAutocompleteSelect(_CheckedAutocompleteMixin, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(_CheckedAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class CheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses, as an invalid choice, a value that cannot be a key before looking it up
    (SQLite cannot even hold a number beyond 64 bits as a parameter)."""

    def _check_values(self, value):
        model = self.queryset.model
        key_field = model._meta.get_field(self.to_field_name) if self.to_field_name else None
        key_field = key_field or model._meta.pk
        good = {str(key) for key in valid_keys(key_field, value)}
        for pk in value:
            if str(pk) not in good:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class CheckedWidgetsMixin:
    """For admins and inlines: autocomplete widgets and many-to-many fields that survive
    submitted non-keys."""

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", CheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class AdminInputGuardMixin(CheckedWidgetsMixin):
    """Put first in a ``ModelAdmin``'s bases (``ProgramScopedAdminMixin`` does)."""

    def get_changelist(self, request: HttpRequest, **kwargs):
        return CheckedChangeList

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        if NUL in search_term:
            return queryset.none(), False
        words = list(smart_split(search_term))[:MAX_SEARCH_WORDS]
        return super().get_search_results(request, queryset, " ".join(words))

    def response_action(self, request: HttpRequest, queryset: QuerySet):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        keys = valid_keys(self.model._meta.pk, selected)
        if len(keys) != len(selected):
            post = request.POST.copy()
            post.setlist(ACTION_CHECKBOX_NAME, keys)
            request.POST = post
        return super().response_action(request, queryset)


class _AxesAttemptTimeMixin:
    """django-axes' own "Clean up expired attempts" action reads the request's
    ``axes_attempt_time``, which axes sets only on sign-in requests: from the admin it was
    a 500 whatever was selected."""

    def response_action(self, request: HttpRequest, queryset: QuerySet):
        from axes.handlers.proxy import AxesProxyHandler

        AxesProxyHandler.update_request(request)
        return super().response_action(request, queryset)


def guard_every_admin(site: admin.AdminSite | None = None) -> None:
    """Give ``AdminInputGuardMixin`` to every registered admin that lacks it (those of
    Django's and other packages' apps). Run once every admin module is loaded."""
    site = site or admin.site
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AdminInputGuardMixin):
            continue
        cls = type(model_admin)
        bases = (AdminInputGuardMixin, cls)
        if hasattr(cls, "cleanup_expired_attempts"):
            bases = (_AxesAttemptTimeMixin, *bases)
        guarded = type(cls.__name__, bases, {"__module__": cls.__module__})
        site.unregister(model)
        site.register(model, guarded)
