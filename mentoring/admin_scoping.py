"""Program admins see and change only their programs' objects in Django admin.

A *program admin* is a staff user with one or more ``ProgramAdministrator`` rows (and the
"Program admins" group's model permissions, see ``services.program_administrator_add``).
Superusers see everything; every other staff user sees only the programs they
administer (none if they administer none).

Every ``ModelAdmin`` of the project mixes in ``ProgramScopedAdminMixin`` and names, in
``program_path``, the lookup from its model to ``Program`` ("program",
"survey__program", ...). The mixin then scopes, in one place:

- lists, change/delete/history pages and actions (``get_queryset``; an object outside
  the scope is a 404, never the "doesn't exist, perhaps deleted" redirect);
- object permissions (``has_view/change/delete_permission(obj)``);
- the choices of every foreign key on its forms, raw-id and autocomplete fields included
  (programs to theirs, people to members and admins of their programs, other objects
  through their own admin's scope);
- related list filters (only their programs' objects: no other program's names);
- saving: an object whose program is not one of theirs is refused with a 403.

Autocompletes are scoped because Django's autocomplete view starts from the target
admin's ``get_queryset``. Inlines use ``ProgramScopedInlineMixin``: their parent's page is
already scoped; the mixin scopes their rows and their foreign-key choices. A record's
audit trail (settings, membership and goal changes) is a ``ChangeHistoryInline``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import tablib
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentoring.admin_input import AdminInputGuardMixin, CheckedWidgetsMixin
from mentoring.admin_names import NamedInputsMixin
from mentoring.exports import dataset_download, download_format
from mentoring.models import Membership, Program, ProgramAdministrator, User

_CACHE_ATTRIBUTE = "_administered_program_ids"


def sees_everything(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def administered_program_ids(request: HttpRequest) -> frozenset[int]:
    """The programs this request's user administers (one query per request)."""
    ids = getattr(request, _CACHE_ATTRIBUTE, None)
    if ids is None:
        ids = frozenset(
            ProgramAdministrator.objects.filter(user_id=request.user.pk).values_list(
                "program_id", flat=True
            )
        )
        setattr(request, _CACHE_ATTRIBUTE, ids)
    return ids


def users_of_programs(program_ids: Iterable[int]) -> Q:
    """People of those programs: their members (any role) and their program admins."""
    program_ids = list(program_ids)
    return Q(pk__in=Membership.objects.filter(program_id__in=program_ids).values("user_id")) | Q(
        pk__in=ProgramAdministrator.objects.filter(program_id__in=program_ids).values("user_id")
    )


def scope_queryset(
    qs: QuerySet, *, program_ids: Iterable[int], program_path: str | None
) -> QuerySet:
    """``qs`` limited to rows of the given programs; ``program_path`` None means "cannot
    be scoped", which shows nothing."""
    program_ids = list(program_ids)
    if qs.model is Program:
        return qs.filter(pk__in=program_ids)
    if issubclass(qs.model, User):
        return qs.filter(users_of_programs(program_ids))
    if program_path is None:
        return qs.none()
    return qs.filter(**{f"{program_path}__in": program_ids})


def object_program_ids(obj: Model, program_path: str | None) -> set[int]:
    """The program(s) an object belongs to, following ``program_path`` attribute by
    attribute (so an unsaved object's chosen program counts)."""
    if isinstance(obj, Program):
        return {obj.pk} if obj.pk is not None else set()
    if isinstance(obj, User):
        if obj.pk is None:
            return set()
        return set(Membership.objects.filter(user=obj).values_list("program_id", flat=True)) | set(
            ProgramAdministrator.objects.filter(user=obj).values_list("program_id", flat=True)
        )
    if not program_path:
        return set()
    *hops, last = program_path.split("__")
    target: object = obj
    for hop in hops:
        target = getattr(target, hop, None)  # RelatedObjectDoesNotExist is an AttributeError
        if target is None:
            return set()
    program_id = getattr(target, f"{last}_id", None)
    return {program_id} if program_id is not None else set()


def in_scope(request: HttpRequest, obj: Model, program_path: str | None) -> bool:
    if sees_everything(request):
        return True
    return bool(object_program_ids(obj, program_path) & administered_program_ids(request))


# Models without an admin of their own (edited inline), by "app_label.model_name".
_INLINE_PATHS = {
    "matching.matchingsettingschange": "matching_settings__program",
    "flash_meetings.proposedtime": "meeting__program",
    "surveys.question": "survey__program",
    "surveys.answer": "response__survey__program",
    "ongoing.connectionnudge": "connection__program",
}


def program_path_for(model: type[Model], admin_site: admin.AdminSite | None = None) -> str | None:
    """How to reach ``Program`` from ``model``: its admin's ``program_path``, a known
    inline path, or its ``program`` field; None when there is no way."""
    site = admin_site or admin.site
    model_admin = site._registry.get(model)
    if isinstance(model_admin, ProgramScopedAdminMixin):
        return model_admin.program_path
    if model._meta.label_lower in _INLINE_PATHS:
        return _INLINE_PATHS[model._meta.label_lower]
    try:
        model._meta.get_field("program")
    except FieldDoesNotExist:
        return None
    return "program"


class _ScopedFormfieldsMixin(CheckedWidgetsMixin):
    """Foreign-key choices (select, raw id, autocomplete) limited to the admin's scope."""

    def scoped(self, request: HttpRequest, qs: QuerySet) -> QuerySet:
        """Any queryset limited to the request's programs (unchanged for superusers)."""
        if sees_everything(request):
            return qs
        return scope_queryset(
            qs,
            program_ids=administered_program_ids(request),
            program_path=program_path_for(qs.model, self.admin_site),
        )

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if not sees_everything(request) and "queryset" not in kwargs:
            using = kwargs.get("using")
            queryset = self.get_field_queryset(using, db_field, request)
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.using(using).all()
            kwargs["queryset"] = self.scoped(request, queryset)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A related filter offering only the related objects of the admin's programs. It is
    always applied, even with a single choice (Django skips a filter with one choice,
    which would silently ignore ``?program__id__exact=<another program>``)."""

    def field_choices(self, field, request: HttpRequest, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = model_admin.scoped(request, field.remote_field.model._default_manager.all())
        return field.get_choices(
            include_blank=False,
            ordering=ordering,
            limit_choices_to={"pk__in": related.values("pk")},
        )

    def has_output(self) -> bool:
        return True


def _keeping_current_choices(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """The form, with each foreign key's saved value kept valid even when it is outside
    the scope (say, a meeting's outcome recorded by a superuser, or a mentor who has
    since left the program): saving other fields must not fail on it. Only the value
    already stored is added, never one sent in the POST."""

    class KeepingCurrentChoices(form_class):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            for name, field in self.fields.items():
                if not isinstance(field, forms.ModelChoiceField) or isinstance(
                    field, forms.ModelMultipleChoiceField
                ):
                    continue
                current = self.initial.get(name)
                if current is None or current == "":
                    continue
                model = field.queryset.model
                key = field.to_field_name or "pk"
                if not field.queryset.filter(**{key: current}).exists():
                    field.queryset = field.queryset | model._default_manager.filter(
                        **{key: current}
                    )

    KeepingCurrentChoices.__name__ = form_class.__name__
    return KeepingCurrentChoices


class ProgramScopedAdminMixin(AdminInputGuardMixin, NamedInputsMixin, _ScopedFormfieldsMixin):
    """Put first in a ``ModelAdmin``'s bases; set ``program_path`` when the model's
    program is not its ``program`` field. ``Program`` and ``User`` need no path."""

    program_path: str | None = "program"

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None or sees_everything(request):
            return form
        return _keeping_current_choices(form)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scoped(request, super().get_queryset(request))

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not sees_everything(request):
            # Another program's object looks exactly like one that does not exist.
            raise Http404(gettext("There is no such object among your programs."))
        return obj

    def _object_allowed(self, request: HttpRequest, obj) -> bool:
        return obj is None or in_scope(request, obj, self.program_path)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._object_allowed(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._object_allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._object_allowed(request, obj)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        allowed = super().has_add_permission(request, *args)
        return allowed and (sees_everything(request) or bool(administered_program_ids(request)))

    def get_list_filter(self, request: HttpRequest):
        """Related filters offer only objects of the admin's programs."""
        list_filter = super().get_list_filter(request)
        if sees_everything(request):
            return list_filter
        scoped = []
        for entry in list_filter:
            if isinstance(entry, str) and self._is_relation(entry):
                entry = (entry, ScopedRelatedFieldListFilter)
            scoped.append(entry)
        return scoped

    def _is_relation(self, path: str) -> bool:
        try:
            return bool(get_fields_from_path(self.model, path)[-1].is_relation)
        except (FieldDoesNotExist, NotRelationField):
            return False

    def program_report(
        self,
        request: HttpRequest,
        *,
        title: str,
        template: str,
        build: Callable[[Program], object],
        changelist_url: str,
        dataset: Callable[[Any], tablib.Dataset],
        filename: str,
    ) -> HttpResponse:
        """A per-program report page (templates/admin/program_report.html): 403 without
        view permission on this admin; the chooser offers the request's programs only;
        ``?program=<id>`` of any other program is a 404; without it, the first program.
        ``&download=csv`` or ``xlsx``: the same report as ``dataset(report)``, a file
        (``mentoring.exports``), under the same checks."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        programs = self.scoped(request, Program.objects.order_by("name"))
        program_id = request.GET.get("program", "")
        program = (
            get_object_or_404(programs, pk=program_id) if program_id.isdigit() else programs.first()
        )
        report = build(program) if program else None
        file_format = download_format(request)
        if file_format and report is not None:
            return dataset_download(
                dataset(report), file_format=file_format, filename=f"{filename}-{program.slug}"
            )
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "programs": programs,
            "program": program,
            "report": report,
            "changelist_url": changelist_url,
        }
        return TemplateResponse(request, template, context)

    def save_form(self, request: HttpRequest, form, change: bool):
        obj = super().save_form(request, form, change)
        if not in_scope(request, obj, self.program_path):
            raise PermissionDenied(gettext("You may only change your own programs."))
        return obj


class ProgramScopedInlineMixin(NamedInputsMixin, _ScopedFormfieldsMixin):
    """For inlines: rows and foreign-key choices scoped (the parent page is already).

    In a table (``TabularInline``) a row's "Delete" box is named by that word, as a
    screen reader reads it (its other inputs: ``NamedInputsMixin``)."""

    program_path: str | None = "program"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if sees_everything(request):
            return qs
        return scope_queryset(
            qs, program_ids=administered_program_ids(request), program_path=self.program_path
        )

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not isinstance(self, admin.TabularInline):
            return formset

        class NamedDeleteBoxes(formset):
            def add_fields(self, form, index) -> None:
                super().add_fields(form, index)
                delete = form.fields.get("DELETE")
                if delete is not None:
                    delete.widget.attrs.setdefault("aria-label", gettext("Delete"))

        return NamedDeleteBoxes


class ChangeHistoryInline(ProgramScopedInlineMixin, admin.TabularInline):
    """A record's change history under it, newest first, read-only: the services write
    it, nobody edits it. A subclass names ``model``, ``program_path`` and ``fields``;
    each row's author comes in the rows' own query (one query however long the history)."""

    extra = 0
    can_delete = False
    verbose_name_plural = _("Change history")
    ordering = ("-changed_at", "-pk")
    # Read with the rows: each row's author, and whatever its name (``__str__``, the
    # row's label) reads; a subclass adds the latter.
    rows_select_related: tuple[str, ...] = ("changed_by",)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related(*self.rows_select_related)
