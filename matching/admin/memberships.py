"""Memberships, listed here rather than in ``mentoring.admin`` because the list shows each
mentor's ongoing slots (used/limit), which are matching's rule."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from matching import capacity
from mentoring.admin_scoping import ProgramScopedAdminMixin
from mentoring.models import Membership


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
        slots = capacity.mentor_slots(
            membership=membership, settings=membership.program.matching_settings
        )
        return f"{slots.used}/{slots.limit}"
