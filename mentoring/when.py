"""Dates, times and numbers as people read them, in their language and time zone: the
one helper for every page and email.

A moment is written "Monday 30 March 2026, 09:00" ("lunes, 30 de marzo de 2026, 09:00")
and a span "Monday 30 March 2026, 09:00–09:30", followed by the zone as people know it
("New York time", not "America/New_York"); a day is "30 March 2026". The formats are
translated with the rest of the catalogue (``pgettext`` "date format"), so a new
language brings its own word order. The 24-hour clock never ends in a full stop
("p.m."), which used to double up at the end of a sentence. Numbers take the language's
separators: "1,234.5" in English, "1234,5" in Spanish.

Pages use the active language and zone (the signed-in person's: ``UserLanguageMiddleware``
and ``UserTimeZoneMiddleware``); an email is rendered inside ``as_seen_by(recipient)``.
The template filters live in ``mentoring/templatetags/when.py``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mentoring import languages, zones


def moment_format() -> str:
    # Translators: a Django date format (https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date):
    # weekday, day, month, year, 24-hour time. Escape literal letters with a backslash.
    return pgettext("date format", "l j F Y, H:i")


def time_format() -> str:
    # Translators: a Django time format: hours and minutes on the 24-hour clock.
    return pgettext("date format", "H:i")


def day_format() -> str:
    # Translators: a Django date format: day, month name, year.
    return pgettext("date format", "j F Y")


# Keys that name no city: shown as the abbreviation the zone uses at that moment.
_NO_CITY = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Universal", "Zulu", "Etc/Universal"}


def zone_name(zone: tzinfo, at: datetime | None = None) -> str:
    """The zone as people say it: "New York time", "Buenos Aires time", "UTC"."""
    key = getattr(zone, "key", None) or str(zone)
    if key in _NO_CITY or "/" not in key:
        abbreviation = (at or timezone.now()).astimezone(zone).tzname() or key
        return abbreviation if abbreviation.isalpha() else key
    city = zones.city_name(key, translation.get_language() or settings.LANGUAGE_CODE)
    return _("%(city)s time") % {"city": city}


def _zone(zone: tzinfo | None) -> tzinfo:
    return zone if zone is not None else timezone.get_current_timezone()


def moment(value: datetime | None, zone: tzinfo | None = None) -> str:
    """ "Monday 30 March 2026, 09:00 (New York time)" in ``zone`` (default: active)."""
    if value is None:
        return ""
    zone = _zone(zone)
    local = value.astimezone(zone)
    return _("%(when)s (%(zone)s)") % {
        "when": formats.date_format(local, moment_format()),
        "zone": zone_name(zone, value),
    }


def span(starts_at: datetime | None, ends_at: datetime | None, zone: tzinfo | None = None) -> str:
    """ "Monday 30 March 2026, 09:00–09:30 (New York time)"; the end's date is written
    too when the span crosses midnight in that zone."""
    if starts_at is None:
        return _("time not set yet")
    if ends_at is None:
        return moment(starts_at, zone)
    zone = _zone(zone)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    end_format = time_format() if end.date() == start.date() else moment_format()
    return _("%(start)s–%(end)s (%(zone)s)") % {
        "start": formats.date_format(start, moment_format()),
        "end": formats.date_format(end, end_format),
        "zone": zone_name(zone, starts_at),
    }


def day(value: date | datetime | None, zone: tzinfo | None = None) -> str:
    """ "30 March 2026": a date, or a moment's date in ``zone`` (default: active)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_zone(zone)).date()
    return formats.date_format(value, day_format())


def number(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    """A number in the active language: "1,234" / "1.234"; ``decimals`` fixes the places."""
    if value is None:
        return ""
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def percent(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """A share from 0 to 1 as a percentage in the active language: "42%" / "42 %"."""
    if value is None:
        return ""
    # Translators: a percentage; some languages put a space before the sign.
    return _("%(number)s%%") % {"number": number(value * 100, decimals)}


@contextmanager
def as_seen_by(person: Any, program: Any = None) -> Iterator[None]:
    """Render for ``person`` away from their browser (an email, a task): their language
    (``languages.language_of``: their choice, else ``program``'s) and their zone."""
    language = languages.language_of(person, program)
    with translation.override(language), timezone.override(zone_of(person)):
        yield


def zone_of(user) -> zoneinfo.ZoneInfo:
    """The person's own zone (UTC when they have none or it is unknown)."""
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def program_date(moment: datetime | None = None) -> date:
    """The date of ``moment`` (default: now) on the program's calendar: the site's zone
    (``TIME_ZONE``), never the signed-in person's. A connection's end date and check-in
    day are such dates, so a page, an email and the periodic jobs agree on them whoever
    looks and wherever the request was made."""
    return timezone.localdate(moment or timezone.now(), timezone.get_default_timezone())


def program_day_start(day: date) -> datetime:
    """The first moment of ``day`` on the program's calendar (the site's zone)."""
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_default_timezone())
