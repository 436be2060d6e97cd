from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from flash_meetings.exports import FlashMeetingExportResource, follow_up_report_dataset
from flash_meetings.follow_up_report import (
    follow_up_report,
    offer_and_answer,
    policy_label,
    reason_label,
)
from flash_meetings.models import AvailabilitySlot, FlashMeeting, ProposedTime
from matching import eligibility
from mentoring.admin_scoping import ProgramScopedAdminMixin, ProgramScopedInlineMixin
from mentoring.exports import SpreadsheetExportMixin


class ProposedTimeInline(ProgramScopedInlineMixin, admin.TabularInline):
    model = ProposedTime
    program_path = "meeting__program"
    extra = 0
    fields = ("starts_at", "ends_at", "by_mentor", "created_at")
    readonly_fields = ("created_at",)
    verbose_name_plural = _("Proposed times (UTC)")


class OfferReasonFilter(admin.AllValuesFieldListFilter):
    """Why no offer was shown, by each recorded reason's words ("label (code)", as the
    meeting's page and the report write them), among this admin's meetings. Django's
    plain filter listed the bare codes and an empty one, a link with no text, for the
    meetings that had none. Read only when the list is drawn (not for an export)."""

    def __init__(self, field, request, params, model, model_admin, field_path) -> None:
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = self.lookup_choices.exclude(**{field_path: ""})

    def choices(self, changelist):
        choices = super().choices(changelist)
        yield next(choices)  # "All"
        for code, choice in zip(self.lookup_choices, choices, strict=False):
            yield {**choice, "display": choice["display"].replace(code, reason_label(code), 1)}


@admin.register(FlashMeeting)
class FlashMeetingAdmin(ProgramScopedAdminMixin, SpreadsheetExportMixin, admin.ModelAdmin):
    list_display = (
        "topic",
        "program",
        "mentor",
        "mentee",
        "starts_at",
        "status",
        "follow_up_choice",
        "created_at",
    )
    list_filter = (
        "program",
        "status",
        "follow_up_choice",
        "follow_up_offer_shown",
        ("follow_up_offer_reason", OfferReasonFilter),
        ("mentor", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "topic",
        "mentor__username",
        "mentor__display_name",
        "mentor__email",
        "mentee__username",
        "mentee__display_name",
        "mentee__email",
    )
    list_select_related = ("program", "mentor", "mentee")
    raw_id_fields = ("mentor", "mentee", "slot", "cancelled_by", "outcome_recorded_by")
    date_hierarchy = "created_at"
    inlines = [ProposedTimeInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = (
        "connection",
        "created_at",
        "updated_at",
        "ics_sequence",
        "offer_decision_now",
        "follow_up_offer_shown",
        "follow_up_offer_reason_label",
        "follow_up_policy_label",
        "follow_up_offer_recorded_at",
        "follow_up_choice",
        "follow_up_answered_at",
    )
    change_list_template = "admin/flash_meetings/flashmeeting/change_list.html"
    resource_classes = [FlashMeetingExportResource]
    fieldsets = (
        (
            None,
            {
                # ``connection``: set for a meeting within an ongoing connection (no
                # one-time limit, no follow-up); empty for a flash meeting.
                "fields": (
                    "program",
                    "mentor",
                    "mentee",
                    "connection",
                    "topic",
                    "message",
                    "status",
                )
            },
        ),
        (
            _("Times (the requested slot, proposed times below, the chosen time)"),
            {"fields": ("slot", "starts_at", "ends_at", "counts_in_month", "expires_at")},
        ),
        (_("Where"), {"fields": ("location", "video_url")}),
        (
            _("Answers and outcome"),
            {
                "fields": (
                    "counter_proposed_at",
                    "responded_at",
                    "decline_reason",
                    "cancel_message",
                    "cancelled_by",
                    "outcome_recorded_at",
                    "outcome_recorded_by",
                )
            },
        ),
        (
            _("Post-meeting follow-up"),
            {
                "fields": (
                    "offer_decision_now",
                    "follow_up_offer_shown",
                    "follow_up_offer_reason_label",
                    "follow_up_policy_label",
                    "follow_up_offer_recorded_at",
                    "follow_up_choice",
                    "follow_up_answered_at",
                )
            },
        ),
        (
            _("Emails and calendar"),
            {"fields": ("ics_sequence", "reminder_sent_at", "follow_up_sent_at")},
        ),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: FlashMeeting | None = None):
        # A meeting's status moves only through its services (the state machine, its
        # emails and calendar updates); the admin shows it but never sets it.
        readonly = tuple(super().get_readonly_fields(request, obj))
        return (*readonly, "status") if obj is not None else readonly

    def get_queryset(self, request: HttpRequest):
        # Both people too: a queryset that already selects related rows makes Django's
        # change list skip list_select_related, and each row's name (its checkbox's
        # label) reads the mentee.
        return (
            super()
            .get_queryset(request)
            .select_related("program__matching_settings", "mentor", "mentee")
        )

    @admin.display(description=_("Why was no offer shown?"))
    def offer_decision_now(self, meeting: FlashMeeting) -> str:
        """Once answered: what the follow-up offered then and what the mentee chose.
        Before: the eligibility decision as it stands now, with its reason — what a
        program admin needs to answer "my mentee cannot connect with the mentor they
        met"."""
        if meeting.pk is None:
            return "—"
        if meeting.follow_up_choice:
            return format_html(
                "{}<br><span class='help'>{}</span>",
                offer_and_answer(meeting),
                gettext("As recorded when the mentee answered the follow-up."),
            )
        decision = eligibility.for_meeting(meeting=meeting)
        sentence = decision.mentee_message
        notes = [gettext("The mentee reads: “%s”") % sentence] if sentence else []
        notes.append(gettext("As it stands now (the follow-up is not answered yet)."))
        return format_html(
            "{}{}",
            decision.admin_message,
            format_html_join("", "<br><span class='help'>{}</span>", ((note,) for note in notes)),
        )

    @admin.display(description=_("why no offer was shown"))
    def follow_up_offer_reason_label(self, meeting: FlashMeeting) -> str:
        return reason_label(meeting.follow_up_offer_reason)

    @admin.display(description=_("policy in force"))
    def follow_up_policy_label(self, meeting: FlashMeeting) -> str:
        return policy_label(meeting.follow_up_policy)

    def get_urls(self):
        return [
            path(
                "follow-up-report/",
                self.admin_site.admin_view(self.follow_up_report_view),
                name="flash_meetings_follow_up_report",
            ),
            *super().get_urls(),
        ]

    def follow_up_report_view(self, request: HttpRequest) -> HttpResponse:
        return self.program_report(
            request,
            title=gettext("Flash-to-ongoing report"),
            template="admin/flash_meetings/flashmeeting/follow_up_report.html",
            build=lambda program: follow_up_report(program=program),
            changelist_url=reverse("admin:flash_meetings_flashmeeting_changelist"),
            dataset=follow_up_report_dataset,
            filename="flash-to-ongoing",
        )


@admin.register(AvailabilitySlot)
class AvailabilitySlotAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    list_display = ("mentor", "program", "starts_at", "ends_at")
    list_filter = ("program", ("mentor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("mentor__username", "mentor__display_name", "mentor__email")
    list_select_related = ("program", "mentor")
    raw_id_fields = ("mentor",)
    date_hierarchy = "starts_at"
