"""Times entered and shown in a person's own zone; stored in UTC (zoneinfo, DST-safe)."""

import zoneinfo
from datetime import UTC, date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring import when
from mentoring.when import zone_of


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change in that zone."""


class UnrepresentableTime(ValueError):
    """A date at the edge of the calendar (year 1 east of UTC, year 9999 west of it) that
    has no UTC instant Python can hold: converting it raises ``OverflowError``."""


def make_aware_in(day: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in ``zone``.

    An ambiguous time (clocks going back) is its first occurrence; a time that does not
    exist (clocks going forward) is refused, and so is one with no UTC instant (year 1
    east of UTC, year 9999 west of it): both are ``ValueError``s with a message to show.
    """
    local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone).replace(fold=0)
    try:
        as_utc = local.astimezone(UTC)
        round_trip = as_utc.astimezone(zone)
    except (OverflowError, ValueError) as error:
        raise UnrepresentableTime(
            _("%(day)s is outside the calendar we can work with; please pick another date.")
            % {"day": day.isoformat()}
        ) from error
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(
            _("%(time)s does not exist on %(day)s in %(zone)s (the clocks change that day).")
            % {"time": at.strftime("%H:%M"), "day": day.isoformat(), "zone": when.zone_name(zone)}
        )
    return as_utc


def localize_naive(value: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """A naive datetime from a form, read as wall-clock time in ``zone``."""
    if timezone.is_aware(value):
        try:
            return value.astimezone(UTC)
        except OverflowError as error:
            raise UnrepresentableTime(
                _("%(day)s is outside the calendar we can work with; please pick another date.")
                % {"day": value.date().isoformat()}
            ) from error
    return make_aware_in(value.date(), value.time(), zone)


def format_when(starts_at: datetime, ends_at: datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    """“Monday 30 March 2026, 09:00–09:30 (London time)” in ``zone`` (``mentoring.when``)."""
    return when.span(starts_at, ends_at, zone)


def format_for(user, starts_at: datetime | None, ends_at: datetime | None = None) -> str:
    """The same in ``user``'s own zone: what an email to them says."""
    return when.span(starts_at, ends_at, zone_of(user))
