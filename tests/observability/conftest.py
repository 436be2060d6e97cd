"""Helpers for the health, metrics and log tests."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from io import StringIO

import pytest

from config import health
from config.logs import JsonFormatter, RequestIdFilter
from tests.brokers import celery_mode


def broker(url: str):
    """Tasks published to ``url`` instead of running in-process, for the ``with`` block."""
    return celery_mode(eager=False, broker_url=url)


@pytest.fixture(autouse=True)
def _fresh_process(monkeypatch):
    """Each test starts as a fresh process would: migrations not yet seen applied, and
    no periodic job's success remembered by an earlier test."""
    from django.core.cache import cache

    monkeypatch.setattr(health, "_migrations_applied", False)
    cache.clear()


class JsonLines:
    """The JSON lines written by the given loggers while the fixture is active."""

    def __init__(self) -> None:
        self.stream = StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.addFilter(RequestIdFilter())
        self.handler.setFormatter(JsonFormatter())

    def attach(self) -> None:
        """(Again: a Celery worker starting in this process runs django.setup(), which
        configures logging afresh and drops the handler.)"""
        root = logging.getLogger()
        if self.handler not in root.handlers:
            root.addHandler(self.handler)

    def records(self, logger: str | None = None) -> list[dict]:
        lines = [json.loads(line) for line in self.stream.getvalue().splitlines()]
        return [line for line in lines if logger is None or line["logger"] == logger]


@pytest.fixture
def json_lines() -> Iterator[JsonLines]:
    """What ``LOG_FORMAT=json`` writes, captured: the production handler's filter and
    formatter on the root logger, at INFO."""
    lines = JsonLines()
    root = logging.getLogger()
    saved_level = root.level
    lines.attach()
    root.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        root.removeHandler(lines.handler)
        root.setLevel(saved_level)
