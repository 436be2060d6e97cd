from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiKey


class KeyScope(BasePermission):
    """A read-only key may only read."""

    message = _("This API key may only read; ask a program admin for a read and write key.")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or not isinstance(request.auth, ApiKey):
            return True
        return request.auth.can_write
