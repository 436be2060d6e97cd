"""Times entered and shown in a person's own zone; stored in UTC (zoneinfo, DST-safe)."""

import zoneinfo
from datetime import UTC, date, datetime, time

from django.utils import formats, timezone
from django.utils.translation import gettext as _


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change in that zone."""


def zone_of(user) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def make_aware_in(day: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in ``zone``.

    An ambiguous time (clocks going back) is its first occurrence; a time that does not
    exist (clocks going forward) is refused.
    """
    local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone).replace(fold=0)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(
            _("%(time)s does not exist on %(day)s in %(zone)s (the clocks change that day).")
            % {"time": at.strftime("%H:%M"), "day": day.isoformat(), "zone": zone.key}
        )
    return as_utc


def localize_naive(value: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """A naive datetime from a form, read as wall-clock time in ``zone``."""
    if timezone.is_aware(value):
        return value.astimezone(UTC)
    return make_aware_in(value.date(), value.time(), zone)


def format_when(starts_at: datetime, ends_at: datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    """“Monday 30 March 2026, 09:00–09:30 (Europe/London)” in ``zone``."""
    start = starts_at.astimezone(zone)
    text = formats.date_format(start, "l j F Y, H:i")
    if ends_at is not None:
        text += "–" + formats.date_format(ends_at.astimezone(zone), "H:i")
    return f"{text} ({zone.key})"


def format_for(user, starts_at: datetime | None, ends_at: datetime | None = None) -> str:
    if starts_at is None:
        return _("time not set yet")
    return format_when(starts_at, ends_at, zone_of(user))
