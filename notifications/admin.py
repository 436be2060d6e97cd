from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentoring.admin_scoping import ProgramScopedAdminMixin
from notifications.models import Notification
from notifications.rendering import render_notification
from notifications.services import notification_resend


@admin.register(Notification)
class NotificationAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "status",
        "kind",
        "recipient",
        "to_email",
        "program",
        "attempts",
        "short_error",
        "sent_at",
    )
    list_filter = ("status", "kind", "program", "created_at")
    search_fields = (
        "dedupe_key",
        "to_email",
        "kind",
        "recipient__username",
        "recipient__email",
        "recipient__display_name",
    )
    list_select_related = ("recipient", "program")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    actions = ["send_again"]
    fields = (
        "status",
        "kind",
        "recipient",
        "to_email",
        "program",
        "dedupe_key",
        "attempts",
        "last_error",
        "suppressed_reason",
        "created_at",
        "claimed_at",
        "next_attempt_at",
        "sent_at",
        "rendered_subject",
        "rendered_text",
        "context",
        "attachment_names",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ["css/admin.css"]}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows are written by services, never by hand

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The change page is a read-only view: the outbox is history, not a form. The
        # "Send again" action asks for the change permission itself (has_resend_permission).
        return False

    @admin.display(description=_("last error, or why not sent"))
    def short_error(self, notification: Notification) -> str:
        # A suppressed row (the recipient turned the kind off) says why it was not sent.
        error = notification.last_error or notification.suppressed_reason
        return (error[:80] + "…") if len(error) > 80 else error

    def _rendered(self, notification: Notification):
        cache = getattr(notification, "_rendered_cache", None)
        if cache is None:
            try:
                cache = render_notification(notification)
            except Exception as error:  # shown to the admin, not raised
                cache = error
            notification._rendered_cache = cache
        return cache

    @admin.display(description=_("rendered subject"))
    def rendered_subject(self, notification: Notification) -> str:
        rendered = self._rendered(notification)
        if isinstance(rendered, Exception):
            return _("Cannot render: %(error)s") % {"error": rendered}
        return rendered.subject

    @admin.display(description=_("rendered text"))
    def rendered_text(self, notification: Notification) -> str:
        rendered = self._rendered(notification)
        if isinstance(rendered, Exception):
            return _("Cannot render: %(error)s") % {"error": rendered}
        # Styled by static/css/admin.css: the policy blocks inline style attributes.
        return format_html('<pre class="notification-text">{}</pre>', rendered.text)

    @admin.display(description=_("attachments"))
    def attachment_names(self, notification: Notification) -> str:
        names = [a.get("filename", "?") for a in notification.attachments or []]
        return ", ".join(names) or "—"

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_notification")

    @admin.action(description=_("Send again (failed notifications only)"), permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        resent = skipped = 0
        for notification in queryset.order_by("pk"):
            if notification_resend(notification=notification):
                resent += 1
            else:
                skipped += 1
        if resent:
            self.message_user(
                request,
                ngettext(
                    "%(count)d notification was queued to be sent again.",
                    "%(count)d notifications were queued to be sent again.",
                    resent,
                )
                % {"count": resent},
                level=messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d notification was skipped because it had not failed.",
                    "%(count)d notifications were skipped because they had not failed.",
                    skipped,
                )
                % {"count": skipped},
                level=messages.WARNING,
            )
