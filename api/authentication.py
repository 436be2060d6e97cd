"""Who is calling: a program's API key (``Authorization: Bearer mpk_…``) or the site's
own session (with its CSRF check, DRF's ``SessionAuthentication``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api import keys, services
from api.models import ApiKey


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """A program's key. The request acts as the person who made the key (services record
    them as the actor), with the powers of that program's admin and nothing else."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2 or not keys.looks_like_key(header[1]):
            raise exceptions.AuthenticationFailed(_("The Authorization header holds no API key."))
        api_key = (
            ApiKey.objects.select_related("program", "created_by")
            .filter(hashed_key=keys.hash_key(header[1]), revoked_at__isnull=True)
            .first()
        )
        if api_key is None or not api_key.program.active or not api_key.created_by.is_active:
            raise exceptions.AuthenticationFailed(
                _("This API key is not valid: it may have been revoked.")
            )
        services.api_key_mark_used(api_key=api_key)
        return api_key.created_by, api_key

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A program's API key, made by a program admin in Django admin.",
        }
