"""Dates and times as people read them: one format for every page and email.

A moment is written "Monday 30 March 2026, 09:00" and a span "Monday 30 March 2026,
09:00–09:30", followed by the zone as people know it ("New York time", not
"America/New_York"); a day is "30 March 2026". The 24-hour clock and the day before the
month read the same in every locale we serve and never end in a full stop ("p.m."),
which used to double up at the end of a sentence.

Pages pass the active zone (the signed-in person's, set by ``UserTimeZoneMiddleware``);
emails pass the recipient's. The template filters live in
``mentoring/templatetags/when.py``.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, tzinfo

from django.utils import formats, timezone
from django.utils.translation import gettext as _

MOMENT_FORMAT = "l j F Y, H:i"
TIME_FORMAT = "H:i"
DAY_FORMAT = "j F Y"

# Keys that name no city: shown as the abbreviation the zone uses at that moment.
_NO_CITY = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Universal", "Zulu", "Etc/Universal"}


def zone_name(zone: tzinfo, at: datetime | None = None) -> str:
    """The zone as people say it: "New York time", "Buenos Aires time", "UTC"."""
    key = getattr(zone, "key", None) or str(zone)
    if key in _NO_CITY or "/" not in key:
        abbreviation = (at or timezone.now()).astimezone(zone).tzname() or key
        return abbreviation if abbreviation.isalpha() else key
    city = key.rsplit("/", 1)[-1].replace("_", " ")
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
        "when": formats.date_format(local, MOMENT_FORMAT),
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
    end_format = TIME_FORMAT if end.date() == start.date() else MOMENT_FORMAT
    return _("%(start)s–%(end)s (%(zone)s)") % {
        "start": formats.date_format(start, MOMENT_FORMAT),
        "end": formats.date_format(end, end_format),
        "zone": zone_name(zone, starts_at),
    }


def day(value: date | datetime | None, zone: tzinfo | None = None) -> str:
    """ "30 March 2026": a date, or a moment's date in ``zone`` (default: active)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_zone(zone)).date()
    return formats.date_format(value, DAY_FORMAT)


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
