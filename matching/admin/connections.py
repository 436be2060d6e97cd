"""Connections (made through ``services.connection_create``, ended through
``services.connection_end``), connection requests (read-only: they move through the
services) and each mentee's preferred list (whose action makes the connection)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matching import services
from matching.exports import ConnectionExportResource, ConnectionRequestExportResource
from matching.models import (
    Connection,
    ConnectionExtension,
    ConnectionRequest,
    PreferredMentor,
)
from mentoring.admin_scoping import ProgramScopedAdminMixin, ProgramScopedInlineMixin
from mentoring.errors import DomainError
from mentoring.exports import SpreadsheetExportMixin
from mentoring.models import Membership


def _person_search(prefix: str) -> tuple[str, ...]:
    return tuple(
        f"{prefix}__{field}"
        for field in ("username", "display_name", "first_name", "last_name", "email")
    )


class _MembershipChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.name} ({obj.user.username}) · {obj.program.name}"


class ConnectionCreateForm(forms.Form):
    mentor = _MembershipChoice(
        label=_("Mentor"),
        queryset=Membership.objects.filter(role=Membership.Role.MENTOR, active=True)
        .select_related("user", "program")
        .order_by("program__name", "user__display_name", "user__username"),
    )
    mentee = _MembershipChoice(
        label=_("Mentee"),
        queryset=Membership.objects.filter(role=Membership.Role.MENTEE, active=True)
        .select_related("user", "program")
        .order_by("program__name", "user__display_name", "user__username"),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        mentor, mentee = cleaned.get("mentor"), cleaned.get("mentee")
        if mentor and mentee and mentor.program_id != mentee.program_id:
            raise forms.ValidationError(
                gettext("Choose a mentor and a mentee of the same program.")
            )
        return cleaned


class ConnectionExtensionInline(ProgramScopedInlineMixin, admin.TabularInline):
    """The connection's extensions, asked and answered (read-only: they move through the
    services; the "Extend" action adds one)."""

    model = ConnectionExtension
    program_path = "connection__program"
    fk_name = "connection"
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "requested_by",
        "by_admin",
        "days",
        "status",
        "responded_by",
        "responded_at",
        "previous_ends_on",
        "new_ends_on",
    )
    readonly_fields = fields
    verbose_name_plural = _("Extensions")
    ordering = ("-created_at", "-pk")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        # A row's name is its connection's (mentor → mentee (program)): read with the rows.
        return (
            super()
            .get_queryset(request)
            .select_related(
                "requested_by",
                "responded_by",
                "connection__mentor",
                "connection__mentee",
                "connection__program",
            )
        )


@admin.register(Connection)
class ConnectionAdmin(ProgramScopedAdminMixin, SpreadsheetExportMixin, admin.ModelAdmin):
    list_display = (
        "mentor",
        "mentee",
        "program",
        "status",
        "origin",
        "started_at",
        "ends_on",
        "ended_at",
    )
    list_filter = ("program", "status", "origin", "end_cause")
    inlines = [ConnectionExtensionInline]
    search_fields = (*_person_search("mentor"), *_person_search("mentee"))
    list_select_related = ("mentor", "mentee", "program")
    date_hierarchy = "started_at"
    readonly_fields = (
        "program",
        "mentor",
        "mentee",
        "status",
        "origin",
        "flash_meeting",
        "request",
        "started_at",
        "ended_at",
        "ended_by",
        "end_reason",
        "end_cause",
        "ends_on",
        "check_in_on",
        "end_reminder_sent_at",
    )
    actions = ["end_connections", "extend_connections"]
    resource_classes = [ConnectionExportResource]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # connections end (through the service); they are never deleted

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        """ "Create connection": the same service mentees' requests and Preferred
        Mentoring use, so capacity and limits hold here too."""
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = ConnectionCreateForm(request.POST or None)
        for name in ("mentor", "mentee"):  # only people of the admin's programs
            form.fields[name].queryset = self.scoped(request, form.fields[name].queryset)
        if request.method == "POST" and form.is_valid():
            mentor, mentee = form.cleaned_data["mentor"], form.cleaned_data["mentee"]
            try:
                connection = services.connection_create(
                    program=mentor.program,
                    mentor=mentor.user,
                    mentee=mentee.user,
                    origin=Connection.Origin.ADMIN,
                    actor=request.user,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.log_addition(request, connection, [{"added": {}}])
                self.message_user(
                    request,
                    gettext("%(mentor)s and %(mentee)s are now connected; both were emailed.")
                    % {"mentor": mentor.user.name, "mentee": mentee.user.name},
                    messages.SUCCESS,
                )
                return redirect("admin:matching_connection_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Create connection"),
            "form": form,
            "errors": form.errors if request.method == "POST" else None,
        }
        return TemplateResponse(
            request,
            "matching/admin/connection_create.html",
            context,
            status=400 if request.method == "POST" else 200,
        )

    @admin.action(description=_("End connection"), permissions=["change"])
    def end_connections(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        ended = 0
        for connection in queryset.filter(status=Connection.Status.ACTIVE):
            try:
                services.connection_end(
                    connection=connection,
                    actor=request.user,
                    reason=gettext("Ended by the program team."),
                )
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                ended += 1
        self.message_user(
            request, gettext("%(count)d connection(s) ended.") % {"count": ended}, messages.SUCCESS
        )

    @admin.action(description=_("Extend by the program's extension period"), permissions=["change"])
    def extend_connections(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        """The same service as the participants' extensions: the program's period, recorded
        as an accepted extension, both people emailed."""
        extended = 0
        for connection in queryset.filter(status=Connection.Status.ACTIVE):
            try:
                services.connection_extend_by_admin(connection=connection, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{connection}: {error.message}", messages.ERROR)
            else:
                extended += 1
        self.message_user(
            request,
            gettext("%(count)d connection(s) extended; both people were emailed.")
            % {"count": extended},
            messages.SUCCESS,
        )


@admin.register(ConnectionRequest)
class ConnectionRequestAdmin(ProgramScopedAdminMixin, SpreadsheetExportMixin, admin.ModelAdmin):
    list_display = (
        "mentee",
        "mentor",
        "program",
        "status",
        "origin",
        "created_at",
        "responded_at",
    )
    list_filter = ("program", "status", "origin", "decline_reason")
    search_fields = (*_person_search("mentor"), *_person_search("mentee"))
    list_select_related = ("mentor", "mentee", "program")
    date_hierarchy = "created_at"
    resource_classes = [ConnectionRequestExportResource]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # mentees send requests from mentor profiles

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # states move only through the services

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PreferredMentor)
class PreferredMentorAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    """Each mentee's ranked list; the action connects the pair (Preferred Mentoring)."""

    list_display = ("mentee", "rank", "mentor", "program", "created_at")
    list_filter = ("program",)
    search_fields = (*_person_search("mentee"), *_person_search("mentor"))
    list_select_related = ("mentor", "mentee", "program")
    ordering = ("program", "mentee__display_name", "mentee__username", "rank")
    actions = ["create_connections"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # mentees keep their own list

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Create connection"), permissions=["view"])
    def create_connections(self, request: HttpRequest, queryset: QuerySet[PreferredMentor]) -> None:
        if not request.user.has_perm("matching.add_connection"):
            self.message_user(request, gettext("You may not create connections."), messages.ERROR)
            return
        created = 0
        for entry in queryset.order_by("mentee_id", "rank"):
            try:
                services.connection_create(
                    program=entry.program,
                    mentor=entry.mentor,
                    mentee=entry.mentee,
                    origin=Connection.Origin.PREFERRED_MENTORING,
                    actor=request.user,
                )
            except DomainError as error:
                self.message_user(
                    request,
                    f"{entry.mentee.name} → {entry.mentor.name}: {error.message}",
                    messages.ERROR,
                )
            else:
                created += 1
        if created:
            self.message_user(
                request,
                gettext("%(count)d connection(s) created; both sides were emailed.")
                % {"count": created},
                messages.SUCCESS,
            )
