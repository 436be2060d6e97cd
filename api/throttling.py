"""Throttling per API key and per signed-in person (Django's cache: Redis in production,
so every web process counts together)."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey


class CallerRateThrottle(SimpleRateThrottle):
    """Each key has its own budget (``key``), each person theirs (``user``)."""

    def allow_request(self, request, view):
        self.scope = "key" if isinstance(request.auth, ApiKey) else "user"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        if getattr(self, "scope", None) is None:
            return None
        # Read on each request, not once at import: the settings may change (tests).
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = f"key-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return f"api-throttle:{ident}"
