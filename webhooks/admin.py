"""Webhook endpoints (a program admin's own, with their signing secret) and the
deliveries (read-only history, with "Send again")."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentoring.admin_scoping import ProgramScopedAdminMixin
from mentoring.errors import DomainError
from webhooks import services
from webhooks.models import Delivery, Endpoint, EventType


class HttpsURLField(forms.URLField):
    def __init__(self, **kwargs) -> None:
        super().__init__(assume_scheme="https", **kwargs)


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the events this endpoint receives; each arrives as one POST."),
    )

    class Meta:
        model = Endpoint
        fields = ("program", "name", "url", "events", "active")
        field_classes = {"url": HttpsURLField}

    def clean_events(self) -> list[str]:
        chosen = set(self.cleaned_data["events"])
        return [value for value in EventType.values if value in chosen]  # a stable order


@admin.register(Endpoint)
class EndpointAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    form = EndpointForm
    list_display = ("name", "program", "url", "active", "event_labels", "secret_rotated_at")
    list_filter = ("active", "program")
    search_fields = ("name", "url")
    list_select_related = ("program",)
    actions = ["rotate_secret"]
    readonly_fields = (
        "signing_secret",
        "secret_rotated_at",
        "previous_secret_expires_at",
        "deactivated_reason",
        "created_at",
    )

    def get_fieldsets(self, request: HttpRequest, obj=None):
        main = (None, {"fields": ("program", "name", "url", "events", "active")})
        if obj is None:
            return (
                main,
                (
                    _("Signing secret"),
                    {
                        "fields": (),
                        "description": _(
                            "The platform creates the signing secret when you save; it is "
                            "shown here afterwards."
                        ),
                    },
                ),
            )
        return (
            main,
            (
                _("Signing secret"),
                {
                    "fields": (
                        "signing_secret",
                        "secret_rotated_at",
                        "previous_secret_expires_at",
                    ),
                    "description": _(
                        "Use “Rotate signing secret” in the list of endpoints to replace it; "
                        "the old secret keeps signing alongside the new one for 24 hours."
                    ),
                },
            ),
            (_("History"), {"fields": ("deactivated_reason", "created_at")}),
        )

    @admin.display(description=_("signing secret"))
    def signing_secret(self, endpoint: Endpoint) -> str:
        return format_html("<code>{}</code>", endpoint.secret)

    @admin.display(description=_("events"))
    def event_labels(self, endpoint: Endpoint) -> str:
        return ", ".join(endpoint.events or []) or "—"

    def save_model(self, request: HttpRequest, obj: Endpoint, form, change: bool) -> None:
        if obj.active:
            obj.deactivated_reason = ""
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                _(
                    "The endpoint was created. Copy its signing secret from the endpoint's "
                    "page into your receiver."
                ),
                level=messages.INFO,
            )

    @admin.action(description=_("Rotate signing secret"), permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        count = 0
        for endpoint in queryset.order_by("pk"):
            services.webhook_endpoint_rotate_secret(endpoint=endpoint)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d endpoint has a new signing secret; the old one keeps working for "
                "24 hours. Copy the new one into your receiver.",
                "%(count)d endpoints have a new signing secret; the old ones keep working for "
                "24 hours. Copy the new ones into your receivers.",
                count,
            )
            % {"count": count},
            level=messages.SUCCESS,
        )


@admin.register(Delivery)
class DeliveryAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    program_path = "endpoint__program"
    list_display = (
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "short_error",
        "delivered_at",
    )
    list_filter = ("status", "event_type", "endpoint", "created_at")
    search_fields = ("event_id", "endpoint__name", "endpoint__url")
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    actions = ["send_again"]
    fields = (
        "status",
        "event_type",
        "event_id",
        "endpoint",
        "attempts",
        "last_status_code",
        "last_error",
        "last_response",
        "created_at",
        "claimed_at",
        "next_attempt_at",
        "delivered_at",
        "payload",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows are written by services, never by hand

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # history, not a form; "Send again" asks for its own permission

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("webhooks.change_delivery")

    @admin.display(description=_("last error"))
    def short_error(self, delivery: Delivery) -> str:
        error = delivery.last_error
        return (error[:80] + "…") if len(error) > 80 else error

    @admin.action(description=_("Send again (failed deliveries only)"), permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        resent = skipped = 0
        refusals: list[str] = []
        for delivery in queryset.order_by("pk"):
            try:
                if services.webhook_delivery_resend(delivery=delivery):
                    resent += 1
                else:
                    skipped += 1
            except DomainError as error:
                refusals.append(error.message)
        if resent:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delivery was queued to be sent again.",
                    "%(count)d deliveries were queued to be sent again.",
                    resent,
                )
                % {"count": resent},
                level=messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delivery was skipped because it had not failed.",
                    "%(count)d deliveries were skipped because they had not failed.",
                    skipped,
                )
                % {"count": skipped},
                level=messages.WARNING,
            )
        for message in dict.fromkeys(refusals):
            self.message_user(request, message, level=messages.ERROR)
