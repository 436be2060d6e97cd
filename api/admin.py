"""API keys in admin: a program admin makes one (shown once), sees when each was last
used, and revokes it. Keys are never edited: a new scope is a new key."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from api import services
from api.models import ApiKey
from mentoring.admin_scoping import ProgramScopedAdminMixin
from mentoring.models import Program


@admin.register(ApiKey)
class ApiKeyAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "program", "scope", "prefix", "created_by", "last_used_at", "status")
    list_filter = ("program", "scope")
    search_fields = ("name", "prefix")
    list_select_related = ("program", "created_by")
    actions = ["revoke"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        # Most program admins run one program: it is already chosen for them.
        initial = super().get_changeform_initial_data(request)
        programs = list(
            self.scoped(request, Program.objects.order_by("name")).values_list("pk", flat=True)[:2]
        )
        if len(programs) == 1:
            initial.setdefault("program", programs[0])
        return initial

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None):
        if obj is None:
            return ("program", "name", "scope")
        return (
            "program",
            "name",
            "scope",
            "prefix",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None):
        if obj is None:
            return ()
        return self.get_fields(request, obj)

    @admin.display(description=_("status"))
    def status(self, api_key: ApiKey) -> str:
        return gettext("Active") if api_key.active else gettext("Revoked")

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:
        if change:
            return  # nothing of a key changes after it is made (every field is read-only)
        api_key, plain = services.api_key_create(
            program=obj.program,
            name=obj.name,
            scope=obj.scope,
            actor=request.user,
        )
        obj.pk = api_key.pk
        obj.prefix = api_key.prefix
        messages.warning(
            request,
            gettext(
                "Copy this key now, it will not be shown again: %(key)s — send it as "
                "“Authorization: Bearer <key>”."
            )
            % {"key": plain},
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: the key's record stays, with when it was last used

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset) -> None:
        revoked = sum(services.api_key_revoke(api_key=api_key) for api_key in queryset)
        if not revoked:
            self.message_user(request, gettext("Those keys were already revoked."), messages.INFO)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d key revoked: it stops working at once.",
                "%(count)d keys revoked: they stop working at once.",
                revoked,
            )
            % {"count": revoked},
            messages.SUCCESS,
        )
