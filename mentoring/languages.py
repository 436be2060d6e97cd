"""Which language a person reads: their pages and every email sent to them.

A person's choice is ``User.language`` (My account, or the footer of any page). Until they
choose, the default is the browser's language (when it asks for one of ``LANGUAGES``; or
the one they chose in the footer before signing in), then their program's
(``Program.language``), then ``LANGUAGE_CODE``; it is stored when they first sign in
(``services.user_language_remember``), so that emails, which have no browser to ask,
follow it too.

Adding a language is one line in ``settings.LANGUAGES`` and its catalogue
``locale/<code>/LC_MESSAGES/django.po``: nothing here lists languages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


def supported() -> dict[str, str]:
    """``{code: name}`` of the languages people may choose, in the settings' order."""
    return dict(settings.LANGUAGES)


def is_supported(code: str | None) -> bool:
    return bool(code) and code in supported()


def requested_language(request: HttpRequest) -> str | None:
    """The language a signed-out visitor asked for: the one chosen in the footer (the
    language cookie) first, else the browser's; None when neither names one we offer."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if is_supported(chosen) else browser_language(request)


def browser_language(request: HttpRequest) -> str | None:
    """The first language the browser asks for (``Accept-Language``) that we offer, or
    None when it asks for none of them (or sends no header)."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def language_of(user: Any, program: Any = None) -> str:
    """The language to write to ``user`` in, without a browser to ask (an email): their
    choice, else ``program``'s (the program the message is about), else the default."""
    chosen = getattr(user, "language", "")
    if is_supported(chosen):
        return chosen
    if program is not None and is_supported(getattr(program, "language", "")):
        return program.language
    return settings.LANGUAGE_CODE
