"""Program admins read their programs' goals (with their history) and shared notes, and
see each connection's health: when anything last happened in it, the quiet ones, and a
nudge to both people; and the outcomes of their connections by origin (a report beside
the flash-to-ongoing one).

Read-only: goals and notes are the pair's own words. Private notes never appear here:
only their author ever reads them (a private note counts as activity; its text is never
shown)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from matching.models import Connection
from mentoring.admin_scoping import (
    ChangeHistoryInline,
    ProgramScopedAdminMixin,
    ProgramScopedInlineMixin,
)
from ongoing import health
from ongoing.exports import outcomes_report_dataset
from ongoing.models import ConnectionHealth, ConnectionNudge, Goal, GoalChange, Note
from ongoing.outcomes import outcomes_report


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class GoalChangeInline(ChangeHistoryInline):
    model = GoalChange
    program_path = "goal__connection__program"
    fields = ("changed_at", "changed_by", "field", "old_value", "new_value")


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


class ConnectionNudgeInline(_ReadOnly, ProgramScopedInlineMixin, admin.TabularInline):
    model = ConnectionNudge
    program_path = "connection__program"
    fk_name = "connection"
    extra = 0
    fields = ("nudged_at", "nudged_by")
    readonly_fields = fields
    verbose_name_plural = _("Nudges")
    ordering = ("-nudged_at", "-pk")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("nudged_by")


class QuietFilter(admin.SimpleListFilter):
    """Compares each row with its own program's ``inactivity_nudge_days``."""

    title = _("No activity in the last N days (program setting)")
    parameter_name = "quiet"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [
            ("yes", gettext("No activity in the last N days")),
            ("no", gettext("Some activity in the last N days")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return health.quiet(queryset)
        if self.value() == "no":
            return queryset.exclude(pk__in=health.quiet(queryset).values("pk"))
        return queryset


@admin.register(ConnectionHealth)
class ConnectionHealthAdmin(_ReadOnly, ProgramScopedAdminMixin, admin.ModelAdmin):
    """Each connection with when anything last happened in it (its start, a goal change,
    a note, a meeting asked for or held), computed in the list's one query."""

    program_path = "program"
    list_display = (
        "pair",
        "program",
        "status",
        "started_at",
        "ends_on",
        "last_activity",
    )
    list_filter = (QuietFilter, "status", "program")
    list_select_related = ("mentor", "mentee", "program")
    search_fields = (
        "mentor__username",
        "mentor__display_name",
        "mentee__username",
        "mentee__display_name",
    )
    ordering = ("-started_at", "-pk")
    fields = ("pair", "program", "status", "started_at", "ends_on", "last_activity")
    readonly_fields = fields
    inlines = [ConnectionNudgeInline]
    actions = ["nudge_both"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return health.with_last_activity(super().get_queryset(request))

    @admin.display(description=_("pair"), ordering="mentor__display_name")
    def pair(self, obj: Connection) -> str:
        return f"{obj.mentor.name} → {obj.mentee.name}"

    @admin.display(description=_("last activity"), ordering="last_activity")
    def last_activity(self, obj: Connection):
        return obj.last_activity

    def get_urls(self):
        return [
            path(
                "outcomes-by-origin/",
                self.admin_site.admin_view(self.outcomes_report_view),
                name="ongoing_outcomes_report",
            ),
            *super().get_urls(),
        ]

    def outcomes_report_view(self, request: HttpRequest) -> HttpResponse:
        """Outcomes by origin, per program (beside the flash-to-ongoing report)."""
        return self.program_report(
            request,
            title=gettext("Outcomes by origin"),
            template="admin/ongoing/outcomes_report.html",
            build=lambda program: outcomes_report(program=program),
            changelist_url=reverse("admin:ongoing_connectionhealth_changelist"),
            dataset=outcomes_report_dataset,
            filename="outcomes-by-origin",
        )

    def has_nudge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("ongoing.nudge_connection")

    @admin.action(description=_("Nudge both people"), permissions=["nudge"])
    def nudge_both(self, request: HttpRequest, queryset: QuerySet) -> None:
        """One email to each of the two people of every chosen active connection, through
        the outbox, recorded; again the same day changes nothing."""
        nudged = skipped = 0
        for connection in queryset.select_related("mentor", "mentee", "program"):
            if health.connection_nudge(connection=connection, actor=request.user):
                nudged += 1
            else:
                skipped += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d connection nudged; both people were emailed.",
                "%(count)d connections nudged; both people were emailed.",
                nudged,
            )
            % {"count": nudged},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d connection skipped: ended, or already nudged today.",
                    "%(count)d connections skipped: ended, or already nudged today.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
