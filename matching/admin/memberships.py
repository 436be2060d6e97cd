"""Memberships, listed here rather than in ``mentoring.admin`` because the list shows each
mentor's ongoing slots (used/limit), which are matching's rule. Every change goes through
``services.membership_update`` (the participation page's service): the same bounds, the
same row lock, and the same change history, shown on the membership's page; an Add goes
through ``services.membership_create``, as the API's create does. A program's list of
members (``programs``) saves its rows the same way (``save_membership``)."""

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

# A membership's fields an admin's form may set (a form has others: a row's "Delete").
_FIELDS = frozenset(
    field.name
    for field in Membership._meta.concrete_fields
    if field.editable and not field.primary_key
)
# Those besides who, where and as what: an added membership's details.
_DETAILS = _FIELDS - {"user", "program", "role"}


def form_changes(form: forms.ModelForm) -> dict:
    """{field: new value} for the membership's fields the form changed."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in _FIELDS}


def check_changes(
    form: forms.ModelForm, membership: Membership, settings: MatchingSettings | None
) -> None:
    """A saved membership's form asks the participation rules (``membership_check``, as
    an admin) about the fields it changed, as stored before the form: a refusal is an
    error on its field, so the page comes back with the admin's input."""
    changes = form_changes(form)
    if settings is None or not changes:
        return
    try:
        services.membership_check(
            membership=membership, settings=settings, changes=changes, by_admin=True
        )
    except DomainError as error:
        field = getattr(error, "field", "")
        raise ValidationError(
            {field if field in form.fields else "__all__": error.message}
        ) from error


def save_membership(request: HttpRequest, form: forms.ModelForm, membership: Membership) -> None:
    """Save an admin's membership form, a membership's page or a row of a program's
    members, through the participation services, like the API: an Add through
    ``membership_create`` (the program must be the admin's, the person one of their
    programs' people, no second membership in the same role); a change through
    ``membership_update`` (the rules again under the membership's lock, and a line in its
    change history). ``membership`` is the form's instance; an added one gets its row."""
    if membership.pk is None:
        created = services.membership_create(
            user=membership.user,
            program=membership.program,
            role=membership.role,
            actor=request.user,
            scope=None if sees_everything(request) else administered_program_ids(request),
            details={name: value for name, value in form.cleaned_data.items() if name in _DETAILS},
        )
        for field in Membership._meta.concrete_fields:
            setattr(membership, field.attname, getattr(created, field.attname))
        membership._state.adding, membership._state.db = False, created._state.db
        return
    services.membership_update(
        membership=Membership.objects.get(pk=membership.pk),
        actor=request.user,
        changes=form_changes(form),
        by_admin=True,
    )


class ServiceRefusalAsMessageMixin:
    """The forms checked the rules, but a Connect or a settings change may land between
    that check and the service's own, under the lock: the service's refusal then rolls
    the whole save back (``changeform_view`` runs in one transaction) and is shown as a
    message on the page again, never a 500."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


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
        if self.instance.pk is not None and not self.errors:
            settings = MatchingSettings.objects.filter(program_id=self.instance.program_id).first()
            check_changes(self, Membership.objects.get(pk=self.instance.pk), settings)
        return cleaned


class MembershipChangeInline(ChangeHistoryInline):
    model = MembershipChange
    program_path = "membership__program"
    fields = ("changed_at", "changed_by", "summary")


@admin.register(Membership)
class MembershipAdmin(ServiceRefusalAsMessageMixin, ProgramScopedAdminMixin, admin.ModelAdmin):
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

    def save_model(self, request: HttpRequest, obj: Membership, form, change: bool) -> None:
        save_membership(request, form, obj)
