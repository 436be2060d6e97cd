"""The time zones people pick from: real places, grouped by region, named as people say
them ("New York", "Argentina / Buenos Aires"; in Spanish "Nueva York", "Buenos Aires"),
plus UTC.

In the base language (``LANGUAGE_CODE``, English) a place is its IANA name; in any other
language it is the city as the Unicode CLDR writes it in that language (Babel), so a
Spanish reader sees "Londres" and "hora de Nueva York".

``zoneinfo.available_timezones()`` also holds legacy aliases ("US/Eastern", "EST5EDT",
"Etc/GMT+5") and the system's own "localtime" and "Factory"; ``validate_time_zone``
still accepts those (a zone set in Django admin), but the list people choose from on
"My account" offers only the region/city zones.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from babel import UnknownLocaleError
from babel.dates import get_timezone_location
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# The IANA regions, in the order the list shows them, with their names as people read them.
REGIONS = {
    "Africa": _("Africa"),
    "America": _("Americas"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific"),
}
UTC = "UTC"


@cache
def city_name(key: str, language: str) -> str:
    """The zone's city in ``language``: "New York" (the IANA name, in the base language),
    "Nueva York" (CLDR's, in Spanish); the IANA name where CLDR has none."""
    iana = key.rsplit("/", 1)[-1].replace("_", " ")
    if language == settings.LANGUAGE_CODE:
        return iana
    try:
        return get_timezone_location(key, locale=translation.to_locale(language), return_city=True)
    except (LookupError, ValueError, UnknownLocaleError):
        return iana


def place_label(key: str, language: str | None = None) -> str:
    """ "America/Argentina/Buenos_Aires" -> "Argentina / Buenos Aires" in the base language;
    the city in ``language`` (default: the active one) otherwise."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if language != settings.LANGUAGE_CODE and "/" in key:
        return city_name(key, language)
    return " / ".join(part.replace("_", " ") for part in key.split("/")[1:]) or key


@cache
def selectable_zones() -> frozenset[str]:
    """Every zone the list offers: UTC and the zones of ``REGIONS``."""
    return frozenset(
        key
        for key in zoneinfo.available_timezones()
        if key == UTC or key.split("/", 1)[0] in REGIONS and "/" in key
    )


def zone_choices(*, keep: str = "") -> list:
    """Grouped choices for a ``<select>``: UTC first, then one group per region, sorted
    by label. ``keep`` (a person's current zone) is offered even when it is a legacy
    alias outside the list, so that saving the form does not change it unasked."""
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    for key in selectable_zones() - {UTC}:
        groups[key.split("/", 1)[0]].append((key, place_label(key)))
    choices: list = [(UTC, _("UTC (coordinated universal time)"))]
    if keep and keep not in selectable_zones() and keep in zoneinfo.available_timezones():
        choices.append((keep, keep))
    for region, label in REGIONS.items():
        choices.append((label, sorted(groups[region], key=lambda choice: choice[1])))
    return choices
