"""The dates people may enter, and the dates an admin may store.

A person's date is for something ahead of them (a meeting time, an open slot, a pause):
from today up to ``YEARS_AHEAD`` years ahead. Anything else is a form error that says the
range, never a 500: a date at the edge of the calendar (year 1, year 9999) cannot even be
converted between time zones, and adding a meeting length or a few weeks to one
overflows Python's ``datetime``.

An admin may also record the past (a meeting that took place, a connection that began
before the platform), so a stored moment only has to lie in ``EARLIEST_YEAR`` ..
``LATEST_YEAR``: ``validate_sane_moment`` / ``validate_sane_date`` on the model fields.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring import when

YEARS_AHEAD = 2
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100

OUT_OF_RANGE = _("Pick a date from today (%(today)s) up to %(latest)s, two years ahead.")
NOT_STORABLE = _("Enter a date from the year %(earliest)d up to the year %(latest)d.")


def today_in(zone: tzinfo | None = None) -> date:
    """Today's date in ``zone`` (UTC when none)."""
    return timezone.now().astimezone(zone or UTC).date()


def latest_for_people(today: date) -> date:
    """The last date a person may pick: ``YEARS_AHEAD`` years after ``today``."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_people_date(value: date | datetime | None, *, zone: tzinfo | None = None) -> None:
    """Refuse a date a person picked outside today .. ``YEARS_AHEAD`` years ahead (a
    naive datetime is read as wall-clock time in ``zone``)."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    today = today_in(zone)
    latest = latest_for_people(today)
    if not today <= day <= latest:
        raise ValidationError(
            OUT_OF_RANGE,
            code="date_out_of_range",
            params={"today": when.day(today), "latest": when.day(latest)},
        )


def _check_year(year: int) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValidationError(
            NOT_STORABLE,
            code="date_not_storable",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


def validate_sane_moment(value: datetime | None) -> None:
    """A stored moment (model DateTimeField) lies in ``EARLIEST_YEAR``..``LATEST_YEAR``."""
    if value is not None:
        _check_year(value.year)


def validate_sane_date(value: date | None) -> None:
    """A stored date (model DateField) lies in ``EARLIEST_YEAR``..``LATEST_YEAR``."""
    if value is not None:
        _check_year(value.year)
