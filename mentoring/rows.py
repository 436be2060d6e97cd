"""Model instances from hand-written rows, for the reads kept in SQL (each app's
``queries.py``: the follow-up's meeting, the dashboard's meetings and surveys): whole
models by their concrete columns, people by their name columns, and datetimes that
SQLite hands back as text. They come back exactly as the ORM would build them
(tests/foundation/test_rows.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import cache, cached_property
from typing import Any

from django.db import connection, models
from django.utils.dateparse import parse_date, parse_datetime

from mentoring.models import User


def person_columns(alias: str) -> str:
    """The five columns ``person`` takes, in its order, for the user table ``alias``."""
    return f"{alias}.id, " + ", ".join(f"{alias}.{name}" for name in User.NAME_FIELDS)


def person(pk: int, display_name: str, first_name: str, last_name: str, username: str) -> User:
    """A User carrying what ``User.name`` reads (the rest deferred)."""
    return instance(
        User,
        id=pk,
        display_name=display_name,
        first_name=first_name,
        last_name=last_name,
        username=username,
    )


def instance(model: type[models.Model], **values: Any) -> Any:
    """A loaded instance carrying only ``values`` (by attribute name); its other fields
    are deferred, so reading one is a query that the pages' query-count tests catch.
    Built the way the ORM builds rows: ``Model(**values)`` computed every other field's
    default, several times the cost on the dashboard's lists."""
    names = _attnames(model)
    loaded = [name for name in names if name in values]
    if len(loaded) != len(values):
        unknown = sorted(set(values) - set(names))
        raise TypeError(f"{model.__name__} has no fields {unknown}")
    return model.from_db(connection.alias, loaded, [values[name] for name in loaded])


@cache
def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


def aware(value: datetime | str | None) -> datetime | None:
    """PostgreSQL returns aware datetimes; SQLite returns naive UTC (or text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def day(value: date | str | None) -> date | None:
    """A date column: PostgreSQL returns a date; SQLite returns text."""
    if isinstance(value, str):
        return parse_date(value)
    return value


class ModelColumns:
    """A model's concrete columns under one table alias, for a hand-written SELECT, and
    the way back from a row to an instance: the same database converters the ORM applies
    (SQLite's integers for booleans, naive or text datetimes), then ``Model.from_db``.

    For the reads kept in SQL: ``columns = model_columns(Program, "p")``;
    ``f"SELECT {columns.sql} ..."``;
    ``program = columns.load(row, start)``."""

    def __init__(self, model: type[models.Model], alias: str, exclude: tuple[str, ...]):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in exclude]
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(f.column)}" for f in self.fields)
        self._converters = [
            (index, field.get_col(alias), converters)
            for index, field in enumerate(self.fields)
            if (
                converters := connection.ops.get_db_converters(field.get_col(alias))
                + field.get_db_converters(connection)
            )
        ]
        # ``from_db`` takes the attribute names only when some columns are left out.
        self._names = self.attnames if exclude else None

    def load(self, row: Sequence[Any], start: int = 0) -> Any:
        """The instance in ``row[start:start + width]``, or None when its primary key is
        NULL (the far side of a LEFT JOIN that found nothing)."""
        values = list(row[start : start + self.width])
        if values[self._pk_index] is None:
            return None
        for index, expression, converters in self._converters:
            value = values[index]
            for convert in converters:
                value = convert(value, expression, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self._names, values)

    @cached_property
    def _pk_index(self) -> int:
        return self.attnames.index(self.model._meta.pk.attname)


@cache
def model_columns(
    model: type[models.Model], alias: str, exclude: tuple[str, ...] = ()
) -> ModelColumns:
    """``ModelColumns`` built once per process for each model, alias and exclusion."""
    return ModelColumns(model, alias, exclude)


def storable_id(value: int) -> bool:
    """Whether ``value`` could be a primary key at all. A larger number matches no row
    (as the ORM answers), and SQLite raises OverflowError when one is bound."""
    low, high = connection.ops.integer_field_range("BigAutoField")
    return low <= value <= high
