from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matching import capacity
from mentoring import services
from mentoring.admin_scoping import (
    ProgramScopedAdminMixin,
    ProgramScopedInlineMixin,
    sees_everything,
)
from mentoring.errors import DomainError
from mentoring.models import (
    Connection,
    ConnectionRequest,
    Membership,
    PreferredMentor,
    Program,
    ProgramAdministrator,
    User,
)


@admin.register(User)
class UserAdmin(ProgramScopedAdminMixin, DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "time_zone", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "time_zone")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "display_name", "password1", "password2"),
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if sees_everything(request):
            return readonly
        # Only superusers hand out staff status, superuser status and permissions.
        return (*readonly, "is_staff", "is_superuser", "groups", "user_permissions")


class MembershipInline(ProgramScopedInlineMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "active", "max_ongoing_mentees", "offers_ongoing", "offers_one_time")
    autocomplete_fields = ("user",)
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "active", "matching_settings_link", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("matching_settings_link",)
    list_select_related = ("matching_settings",)
    inlines = [MembershipInline]

    @admin.display(description=_("matching settings"))
    def matching_settings_link(self, program: Program) -> str:
        if not program.pk or not hasattr(program, "matching_settings"):
            return "—"
        url = reverse("admin:matching_matchingsettings_change", args=[program.matching_settings.pk])
        return format_html('<a href="{}">{}</a>', url, _("Matching settings"))


@admin.register(Membership)
class MembershipAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "user",
        "program",
        "role",
        "active",
        "max_ongoing_mentees",
        "ongoing_slots",
        "offers_ongoing",
        "offers_one_time",
    )
    list_filter = ("program", "role", "active")
    search_fields = (
        "user__username",
        "user__display_name",
        "user__first_name",
        "user__last_name",
        "user__email",
    )
    list_select_related = ("user", "program__matching_settings")
    autocomplete_fields = ("user", "program")
    fieldsets = (
        (None, {"fields": ("user", "program", "role", "active")}),
        (
            _("Mentor profile"),
            {
                "fields": (
                    "headline",
                    "bio",
                    "expertise",
                    "max_ongoing_mentees",
                    "offers_ongoing",
                    "offers_one_time",
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        # Slots used/limit for every row in the same query as the list itself.
        return capacity.with_slots(super().get_queryset(request))

    @admin.display(description=_("ongoing slots used"))
    def ongoing_slots(self, membership: Membership) -> str:
        if membership.role != Membership.Role.MENTOR:
            return "—"
        return f"{membership.slots_used}/{membership.slot_limit}"


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


@admin.register(Connection)
class ConnectionAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    list_display = ("mentor", "mentee", "program", "status", "origin", "started_at", "ended_at")
    list_filter = ("program", "status", "origin")
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
    )
    actions = ["end_connections"]

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
                return redirect("admin:mentoring_connection_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Create connection"),
            "form": form,
            "errors": form.errors if request.method == "POST" else None,
        }
        return TemplateResponse(
            request,
            "mentoring/admin/connection_create.html",
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


@admin.register(ConnectionRequest)
class ConnectionRequestAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
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
        if not request.user.has_perm("mentoring.add_connection"):
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


@admin.register(ProgramAdministrator)
class ProgramAdministratorAdmin(admin.ModelAdmin):
    """Who administers which program: superusers only. Adding one makes the person staff
    and a member of the "Program admins" group (services.program_administrator_add)."""

    list_display = ("user", "program", "created_at")
    list_filter = ("program",)
    search_fields = ("user__username", "user__display_name", "user__email", "program__name")
    list_select_related = ("user", "program")
    autocomplete_fields = ("user", "program")
    fields = ("program", "user")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return sees_everything(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return sees_everything(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return sees_everything(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # remove the row and add another

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return sees_everything(request)

    def save_model(self, request: HttpRequest, obj: ProgramAdministrator, form, change) -> None:
        saved = services.program_administrator_add(program=obj.program, user=obj.user)
        obj.pk, obj.created_at = saved.pk, saved.created_at
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: ProgramAdministrator) -> None:
        services.program_administrator_remove(administrator=obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for administrator in queryset.select_related("user"):
            services.program_administrator_remove(administrator=administrator)
