"""Memberships, listed here rather than in ``mentoring.admin`` because the list shows each
mentor's ongoing slots (used/limit), which are matching's rule. Every change goes through
``services.membership_update`` (the participation page's service): the same bounds, the
same row lock, and the same change history, shown on the membership's page; an Add goes
through ``services.membership_create``, as the API's create does."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from matching import capacity, services
from matching.models import MatchingSettings, MembershipChange
from mentoring.admin_scoping import (
    ChangeHistoryInline,
    ProgramScopedAdminMixin,
    administered_program_ids,
    sees_everything,
)
from mentoring.errors import DomainError
from mentoring.models import Membership


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = (
            "user",
            "program",
            "role",
            "active",
            "headline",
            "bio",
            "expertise",
            "max_ongoing_mentees",
            "offers_ongoing",
            "offers_one_time",
            "max_flash_meetings_per_month",
            "paused_until",
            "goals",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk is None or self.errors:
            return cleaned
        settings = MatchingSettings.objects.filter(program_id=self.instance.program_id).first()
        if settings is None:
            return cleaned
        try:
            services.membership_check(
                membership=self.instance.__class__.objects.get(pk=self.instance.pk),
                settings=settings,
                changes={name: cleaned.get(name) for name in self.changed_data},
                by_admin=True,
            )
        except DomainError as error:
            field = getattr(error, "field", "")
            raise ValidationError(
                {field if field in self.fields else "__all__": error.message}
            ) from error
        return cleaned


class MembershipChangeInline(ChangeHistoryInline):
    model = MembershipChange
    program_path = "membership__program"
    fields = ("changed_at", "changed_by", "summary")


@admin.register(Membership)
class MembershipAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = (
        "user",
        "program",
        "role",
        "active",
        "max_ongoing_mentees",
        "ongoing_slots",
        "offers_ongoing",
        "offers_one_time",
        "paused_until",
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
                    "max_flash_meetings_per_month",
                    "paused_until",
                )
            },
        ),
        (_("Mentee"), {"fields": ("goals",)}),
    )
    inlines = [MembershipChangeInline]

    def get_inlines(self, request: HttpRequest, obj: Membership | None):
        return self.inlines if obj is not None else []  # no history before the first save

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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form checked the rules, but a Connect or a settings change may land between
        # that check and the service's own, under the lock: the service's refusal then
        # rolls the whole save back (changeform_view runs in one transaction) and is
        # shown as a message on the page again, never a 500.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Membership, form, change: bool) -> None:
        if not change:
            # The same service as the API's create: the program must be theirs, the person
            # one of their programs' people, and no second membership in the same role.
            created = services.membership_create(
                user=obj.user,
                program=obj.program,
                role=obj.role,
                actor=request.user,
                scope=None if sees_everything(request) else administered_program_ids(request),
                details={
                    name: form.cleaned_data[name]
                    for name in form.fields
                    if name not in ("user", "program", "role") and name in form.cleaned_data
                },
            )
            for field in Membership._meta.concrete_fields:
                setattr(obj, field.attname, getattr(created, field.attname))
            obj._state.adding, obj._state.db = False, created._state.db
            return
        # The form checked the rules (``membership_check``); the service checks them again
        # under the membership's lock and records the change.
        services.membership_update(
            membership=Membership.objects.get(pk=obj.pk),
            actor=request.user,
            changes={name: form.cleaned_data[name] for name in form.changed_data},
            by_admin=True,
        )
