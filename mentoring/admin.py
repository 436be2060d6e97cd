from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mentoring.models import Membership, Program, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "active", "max_ongoing_mentees", "offers_ongoing", "offers_one_time")
    autocomplete_fields = ("user",)
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
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
class MembershipAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "program",
        "role",
        "active",
        "max_ongoing_mentees",
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
    list_select_related = ("user", "program")
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
