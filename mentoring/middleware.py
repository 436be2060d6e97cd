import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import has_vary_header, patch_cache_control

from mentoring import languages


class UserTimeZoneMiddleware:
    """Show every time in the signed-in person's own zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone_name = getattr(user, "time_zone", "") if user and user.is_authenticated else ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name)) if zone_name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class UserLanguageMiddleware:
    """Pages in the signed-in person's own language (``User.language``). Signed out, or
    before they have one, ``LocaleMiddleware``'s choice stands: the footer's cookie, then
    the browser's ``Accept-Language``, then ``LANGUAGE_CODE``. The user row is loaded
    anyway (``UserTimeZoneMiddleware``), so this costs no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user and user.is_authenticated else ""
        if languages.is_supported(chosen):
            # Left active: LocaleMiddleware's response half names it in Content-Language.
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


class PrivatePagesMiddleware:
    """``Cache-Control: private, no-store`` on every response that may carry one person's
    data: a shared cache (a proxy, a CDN) must never keep it and hand it to someone else,
    and a browser need not keep it on disk.

    That is every response to a request carrying a session cookie, and every response
    that varies on the cookie (the session was read, which is how anyone learns who is
    signed in, or the page holds a CSRF token). A view that set its own Cache-Control
    keeps it (admin's ``never_cache``); static files never get here (WhiteNoise answers
    them first, with their long cache). Sits outside the session and CSRF middleware, so
    it sees the ``Vary`` they add.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if settings.SESSION_COOKIE_NAME in request.COOKIES or has_vary_header(response, "Cookie"):
            patch_cache_control(response, private=True, no_store=True)
        return response
