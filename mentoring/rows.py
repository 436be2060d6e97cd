"""Building light model instances from raw rows, for the few hot reads written in SQL
(the dashboard's lists): people by their name columns, and datetimes that SQLite hands
back as text."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

from mentoring.models import User

# The columns ``person`` needs, for a user table alias ``{alias}``.
PERSON_COLUMNS = (
    "{alias}.id, {alias}.display_name, {alias}.first_name, {alias}.last_name, {alias}.username"
)


def person_columns(alias: str) -> str:
    return PERSON_COLUMNS.format(alias=alias)


def person(pk: int, display_name: str, first_name: str, last_name: str, username: str) -> User:
    """An unsaved User carrying what ``User.name`` reads."""
    return User(
        pk=pk,
        display_name=display_name,
        first_name=first_name,
        last_name=last_name,
        username=username,
    )


def aware(value: datetime | str | None) -> datetime | None:
    """PostgreSQL returns aware datetimes; SQLite returns naive UTC (or text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
