"""Context values written in the recipient's language when the email is rendered.

A notification's context is stored as JSON when it is enqueued, in the actor's request
(in the actor's language and zone), and rendered later by the worker for the recipient.
So nothing in a context may be text already put into words for someone: a date, a time,
a choice's label or a sentence of ours. Such a value is stored as a small marked object
instead, made by one of the builders below, and ``localize`` turns it into text inside
``mentoring.when.as_seen_by(recipient, program)`` (``notifications.rendering`` does
that), so the template sees plain text in the recipient's language and zone::

    context = {
        "meeting_when": localized.span(meeting.starts_at, meeting.ends_at),
        "ends_on": localized.day(connection.ends_on),
        "reason": localized.text(ConnectionRequest.DeclineReason(code).label),
        "extended_by_name": localized.text(gettext_noop("The program team")),
    }

* ``moment(datetime)``: "Monday 30 March 2026, 09:00 (New York time)" (``when.moment``)
* ``span(starts_at, ends_at)``: "Monday 30 March 2026, 09:00–09:30 (New York time)"
* ``day(date or datetime)``: "30 March 2026"; a datetime's date in the recipient's zone
* ``text(message, **params)``: ``gettext(message) % params`` in the recipient's language;
  ``message`` is a lazy string (``gettext_lazy``, a choice's ``label``) or a literal
  marked with ``gettext_noop``, so that ``makemessages`` finds it. Its English original
  is stored, never a translation. Params may be marked values too.
* ``by_language({"en": ..., "es": ...})``: a text somebody wrote in several languages (a
  survey's title): the recipient's, else the base language's (``LANGUAGE_CODE``).

A marked value is ``{"localized": <what>, ...}``, plain JSON; lists and dicts are walked,
so a list of spans works. Anything else passes through untouched: names, people's own
words, paths, numbers, and the already-written text of rows enqueued before this existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from mentoring import when

MARK = "localized"


class LocalizeError(ValueError):
    """A marked value this module cannot read: a bug in whoever built it."""


# --- Builders (at enqueue) ---------------------------------------------------------------


def moment(value: datetime | None) -> dict[str, Any] | str:
    if value is None:
        return ""
    return {MARK: "moment", "at": value.isoformat()}


def span(starts_at: datetime | None, ends_at: datetime | None = None) -> dict[str, Any]:
    return {
        MARK: "span",
        "starts_at": starts_at.isoformat() if starts_at else None,
        "ends_at": ends_at.isoformat() if ends_at else None,
    }


def day(value: date | datetime | None) -> dict[str, Any] | str:
    """A calendar date (a connection's end date) as it is; a datetime's date is the one
    in the recipient's zone when the email is rendered."""
    if value is None:
        return ""
    return {MARK: "day", "on": value.isoformat()}


def text(message: Any, **params: Any) -> dict[str, Any]:
    """Our own words, translated when rendered. ``message`` must reach ``makemessages``:
    a ``gettext_lazy`` string (or a choice's label) or a ``gettext_noop`` literal."""
    with translation.override(None):  # no catalogue: a lazy string gives its original
        original = str(message)
    value: dict[str, Any] = {MARK: "text", "message": original}
    if params:
        value["params"] = params
    return value


def by_language(texts: Mapping[str, str]) -> dict[str, Any]:
    """One text per language code, as its author wrote them; blank ones are left out."""
    return {MARK: "by_language", "texts": {code: text for code, text in texts.items() if text}}


# --- Rendering (inside as_seen_by) ---------------------------------------------------------


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _one(value: dict[str, Any]) -> str:
    what = value.get(MARK)
    if what == "moment":
        return when.moment(_datetime(value.get("at")))
    if what == "span":
        return when.span(_datetime(value.get("starts_at")), _datetime(value.get("ends_at")))
    if what == "day":
        on = value.get("on") or ""
        return when.day(datetime.fromisoformat(on) if "T" in on else date.fromisoformat(on))
    if what == "text":
        message = gettext(value["message"])
        params = value.get("params")
        return message % localize(params) if params else message
    if what == "by_language":
        texts = value.get("texts") or {}
        return (
            texts.get(translation.get_language())
            or texts.get(settings.LANGUAGE_CODE)
            or next(iter(texts.values()), "")
        )
    raise LocalizeError(f"Unknown localized value {what!r}.")


def localize(value: Any) -> Any:
    """``value`` with every marked value written in the active language and zone (call
    it inside ``when.as_seen_by``); everything else as it is."""
    if isinstance(value, dict):
        if MARK in value:
            return _one(value)
        return {key: localize(item) for key, item in value.items()}
    if isinstance(value, list):
        return [localize(item) for item in value]
    return value
