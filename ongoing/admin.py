"""Program admins read their programs' goals (with their history) and shared notes.

Read-only: goals and notes are the pair's own words. Private notes never appear here:
only their author ever reads them."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from mentoring.admin_scoping import ProgramScopedAdminMixin, ProgramScopedInlineMixin
from ongoing.models import Goal, GoalChange, Note


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class GoalChangeInline(_ReadOnly, ProgramScopedInlineMixin, admin.TabularInline):
    model = GoalChange
    program_path = "goal__connection__program"
    extra = 0
    fields = ("changed_at", "changed_by", "field", "old_value", "new_value")
    readonly_fields = fields


@admin.register(Goal)
class GoalAdmin(_ReadOnly, ProgramScopedAdminMixin, admin.ModelAdmin):
    program_path = "connection__program"
    list_display = ("title", "connection", "status", "target_date", "created_at")
    list_filter = ("status",)
    search_fields = ("title",)
    list_select_related = ("connection__mentor", "connection__mentee", "connection__program")
    date_hierarchy = "created_at"
    fields = (
        "connection",
        "title",
        "description",
        "target_date",
        "status",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [GoalChangeInline]


@admin.register(Note)
class NoteAdmin(_ReadOnly, ProgramScopedAdminMixin, admin.ModelAdmin):
    """Shared notes only: a private note is not in this admin's queryset at all."""

    program_path = "connection__program"
    list_display = ("__str__", "connection", "author", "created_at")
    search_fields = ("body",)
    list_select_related = (
        "author",
        "connection__mentor",
        "connection__mentee",
        "connection__program",
    )
    date_hierarchy = "created_at"
    fields = ("connection", "author", "body", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(visibility=Note.Visibility.SHARED)
