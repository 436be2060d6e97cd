"""Django admin for people and program administrators. A program's page (with its
members) is registered by ``matching.admin.programs``: its list of members adds people
and switches memberships through matching's participation services, which sit above this
app. Memberships' own pages are ``matching.admin.memberships``, for the same reason."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mentoring import services
from mentoring.admin_language import LanguageChoiceMixin
from mentoring.admin_scoping import ProgramScopedAdminMixin, sees_everything
from mentoring.models import ProgramAdministrator, User


@admin.register(User)
class UserAdmin(LanguageChoiceMixin, ProgramScopedAdminMixin, DjangoUserAdmin):
    list_display = (
        "username",
        "display_name",
        "email",
        "time_zone",
        "language_name",
        "is_staff",
        "is_active",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "language")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "time_zone", "language")}),
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
