"""Helpers for the health, metrics and log tests."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from collections.abc import Iterator
from io import StringIO

import pytest

from config import health
from config.celery import app as celery_app
from config.logs import JsonFormatter, RequestIdFilter

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


@contextlib.contextmanager
def broker(url: str) -> Iterator[None]:
    """Tasks published to ``url`` instead of running in-process, for the test's length."""
    from kombu import pools

    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager, conf.broker_url = False, url

    def forget_connections() -> None:
        # Producers and connections are pooled per broker URL: drop them so the new URL
        # takes effect and no pool of the old one is handed out again.
        pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    forget_connections()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = saved
        forget_connections()


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
