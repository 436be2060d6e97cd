from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mentoring import services
from mentoring.admin_scoping import (
    ProgramScopedAdminMixin,
    ProgramScopedInlineMixin,
    sees_everything,
)
from mentoring.models import Membership, Program, ProgramAdministrator, User


class LanguageChoiceMixin:
    """``language`` as a list of settings.LANGUAGES (the model lists none: adding a
    language is a setting and a catalogue, no migration). A person's may be blank: not
    chosen yet, the program's then applies."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "language":
            blank = [("", _("Not chosen: the program's"))] if db_field.blank else []
            return forms.ChoiceField(
                label=db_field.verbose_name.capitalize(),
                choices=[*blank, *settings.LANGUAGES],
                required=not db_field.blank,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("language"), ordering="language")
    def language_name(self, obj) -> str:
        return dict(settings.LANGUAGES).get(obj.language, "—")


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


class _PersonNamed(forms.Widget):
    """A membership's person, named rather than chosen again."""

    def __init__(self, person: User) -> None:
        super().__init__()
        self.person = person

    def render(self, name, value, attrs=None, renderer=None) -> str:
        return format_html("{}", self.person)


class MembershipInlineForm(forms.ModelForm):
    """A new row chooses its person; a saved row names its person (changed, if ever, on
    the membership's own page): no search box, and no query, per member."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            person = self.fields["user"]
            person.disabled = True
            person.widget = _PersonNamed(self.instance.user)


class MembershipInline(ProgramScopedInlineMixin, admin.TabularInline):
    # A mentor's limits, modes and pause are changed on the membership's own page (its
    # link here), where they go through the rules and the change history of matching's
    # participation service; this list adds people and switches memberships on and off.
    model = Membership
    form = MembershipInlineForm
    extra = 0
    fields = ("user", "role", "active")
    autocomplete_fields = ("user",)
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row's label names its person and program: read with the rows, not a
        # query each.
        return super().get_queryset(request).select_related("user", "program")


@admin.register(Program)
class ProgramAdmin(LanguageChoiceMixin, ProgramScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "active",
        "language_name",
        "matching_settings_link",
        "created_at",
    )
    list_filter = ("active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("matching_settings_link",)
    inlines = [MembershipInline]

    @admin.display(description=_("matching settings"))
    def matching_settings_link(self, program: Program) -> str:
        # By URL name only: matching (a layer above) owns the settings and their page.
        if not program.pk:
            return "—"
        url = reverse("admin:matching_matchingsettings_program", args=[program.pk])
        return format_html('<a href="{}">{}</a>', url, _("Matching settings"))


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
