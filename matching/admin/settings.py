"""Each program's matching settings, with their change history; every save goes through
``services.matching_settings_update``, which records who changed what."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matching import modes, services
from matching.models import (
    FlashToOngoingPolicy,
    MatchingSettings,
    MatchingSettingsChange,
)
from mentoring.admin_scoping import ChangeHistoryInline, ProgramScopedAdminMixin

MODE_FIELDS = (
    "ongoing_enabled",
    "one_time_enabled",
    "preferred_mentoring_enabled",
    "mentors_choose_modes",
)
ONGOING_FIELDS = (
    "default_max_ongoing_mentees",
    "mentor_max_ongoing_mentees",
    "max_ongoing_mentors_per_mentee",
    "max_pending_requests_per_mentee",
    "request_expiry_days",
    "decline_cooldown_days",
    "connection_duration_days",
    "connection_end_reminder_days",
    "connection_extension_days",
    "connection_check_in_enabled",
    "connection_closing_survey_enabled",
    "inactivity_nudge_days",
)
FEATURE_FIELDS = ("flash_to_ongoing_enabled", "flash_to_ongoing_policy")
MEETING_FIELDS = (
    "meeting_length_minutes",
    "min_booking_notice_hours",
    "max_pending_meeting_requests_per_mentee",
    "meeting_request_expiry_days",
    "mentor_max_flash_meetings_per_month",
)


class _Switches:
    """The mode switches as this form would save them."""

    def __init__(self, data: dict) -> None:
        for name in (*MODE_FIELDS, "flash_to_ongoing_enabled"):
            setattr(self, name, bool(data.get(name)))


class MatchingSettingsForm(forms.ModelForm):
    class Meta:
        model = MatchingSettings
        fields = (*MODE_FIELDS, *ONGOING_FIELDS, *MEETING_FIELDS, *FEATURE_FIELDS)
        widgets = {"flash_to_ongoing_policy": forms.RadioSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["flash_to_ongoing_policy"].choices = FlashToOngoingPolicy.choices
        if self.instance.pk and not modes.flash_to_ongoing_available(self.instance):
            # Not offered on the page, but kept (as hidden values) so that saving other
            # settings never silently switches the feature off.
            for name in FEATURE_FIELDS:
                self.fields[name].widget = forms.HiddenInput()

    def clean(self) -> dict:
        cleaned = super().clean()
        switches = _Switches(cleaned)
        turning_on = switches.flash_to_ongoing_enabled and (
            "flash_to_ongoing_enabled" in self.changed_data
        )
        if turning_on and not modes.flash_to_ongoing_available(switches):
            raise ValidationError(
                gettext("Ongoing mentoring after a one-time meeting can't be switched on yet. %s")
                % modes.flash_to_ongoing_unavailable_reason(switches),
                code="flash_to_ongoing_unavailable",
            )
        return cleaned


class MatchingSettingsChangeInline(ChangeHistoryInline):
    model = MatchingSettingsChange
    program_path = "matching_settings__program"
    fields = ("changed_at", "changed_by", "summary")
    # A row's name is its settings' ("Matching settings of <program>").
    rows_select_related = ("changed_by", "matching_settings__program")


@admin.register(MatchingSettings)
class MatchingSettingsAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    form = MatchingSettingsForm
    list_display = (
        "program",
        "ongoing_enabled",
        "one_time_enabled",
        "preferred_mentoring_enabled",
        "mentors_choose_modes",
        "flash_to_ongoing_status",
    )
    list_filter = (
        "ongoing_enabled",
        "one_time_enabled",
        "preferred_mentoring_enabled",
        "flash_to_ongoing_enabled",
        "flash_to_ongoing_policy",
    )
    search_fields = ("program__name", "program__slug")
    list_select_related = ("program",)
    readonly_fields = ("program", "flash_to_ongoing_explanation")
    inlines = [MatchingSettingsChangeInline]

    def get_fieldsets(self, request: HttpRequest, obj: MatchingSettings | None = None):
        one_time: tuple[str, ...] = FEATURE_FIELDS
        if obj is not None and not modes.flash_to_ongoing_available(obj):
            # The switch is replaced by the sentence saying how to make it available.
            one_time = ("flash_to_ongoing_explanation", *FEATURE_FIELDS)
        return (
            (None, {"fields": ("program",)}),
            (_("Mentoring modes"), {"fields": MODE_FIELDS}),
            (_("Ongoing mentoring"), {"fields": ONGOING_FIELDS}),
            (_("One-time Mentoring Settings"), {"fields": (*MEETING_FIELDS, *one_time)}),
        )

    @admin.display(description=_("ongoing mentoring after a one-time meeting"))
    def flash_to_ongoing_explanation(self, obj: MatchingSettings) -> str:
        return modes.flash_to_ongoing_unavailable_reason(obj)

    @admin.display(description=_("one-time to ongoing"))
    def flash_to_ongoing_status(self, obj: MatchingSettings) -> str:
        if modes.flash_to_ongoing_in_effect(obj):
            return obj.get_flash_to_ongoing_policy_display()
        if obj.flash_to_ongoing_enabled:
            return gettext("Switched on, not in effect")
        if not modes.flash_to_ongoing_available(obj):
            return gettext("Not available")
        return gettext("Off")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created with its program

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        # "program/<id>/": the settings of one program, so that pages that know only the
        # program (the Programs list links here by URL name) need not know this model.
        view = self.admin_site.admin_view(self.for_program_view)
        return [
            path("program/<int:program_id>/", view, name="matching_matchingsettings_program"),
            *super().get_urls(),
        ]

    def for_program_view(self, request: HttpRequest, program_id: int) -> HttpResponse:
        settings = self.get_queryset(request).filter(program_id=program_id).first()
        if settings is None or not self.has_view_or_change_permission(request, settings):
            raise Http404
        return redirect("admin:matching_matchingsettings_change", settings.pk)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            if (
                obj is not None
                and obj.flash_to_ongoing_enabled
                and not modes.flash_to_ongoing_available(obj)
            ):
                messages.warning(
                    request,
                    gettext(
                        "Ongoing mentoring after a one-time meeting is switched on but not in "
                        "effect: mentees are not offered it. %s"
                    )
                    % modes.flash_to_ongoing_unavailable_reason(obj),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: MatchingSettings, form, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        original = MatchingSettings.objects.get(pk=obj.pk)
        services.matching_settings_update(
            matching_settings=original,
            actor=request.user,
            changes={name: form.cleaned_data[name] for name in form.changed_data},
        )
