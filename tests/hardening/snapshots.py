"""A picture of every row a person's action could change, to prove that a refused
request changed nothing."""

from __future__ import annotations

from django.apps import apps
from django.db import connection

# Columns that change when someone merely signs in (force_login stamps last_login).
_IGNORED = {"last_login"}
_APPS = ("mentoring", "matching", "flash_meetings", "surveys", "notifications")


def _queries() -> list[tuple[str, str]]:
    queries = []
    quote = connection.ops.quote_name
    for label in _APPS:
        for model in apps.get_app_config(label).get_models():
            columns = [f.column for f in model._meta.concrete_fields if f.column not in _IGNORED]
            sql = "SELECT {} FROM {} ORDER BY {}".format(  # noqa: S608 - names from the models
                ", ".join(quote(c) for c in columns),
                quote(model._meta.db_table),
                quote(model._meta.pk.column),
            )
            queries.append((model._meta.label, sql))
    return queries


def db_snapshot() -> dict[str, list[tuple]]:
    """Every row of every model of our apps (one query per table)."""
    picture: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        for label, sql in _queries():
            cursor.execute(sql)
            picture[label] = cursor.fetchall()
    return picture
