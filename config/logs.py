"""Logs a fleet can be read by: one line per request and per task, each carrying the
request id that follows a request into the tasks it enqueues.

- ``request_id`` is a context variable: set by :class:`RequestLogMiddleware` for the
  length of a request, and by the Celery signal receivers below for the length of a task.
  A task published while it is set (a view's ``transaction.on_commit`` hook runs in the
  request's own thread, so it still is) carries it in a message header, and the worker
  sets it again before the task runs.
- :class:`RequestIdFilter` puts it on every log record (``-`` outside a request or task),
  so the text format shows it and the JSON format has it as a field.
- ``LOG_FORMAT=json`` picks :class:`JsonFormatter`: one JSON object per line (what log
  shippers parse without a grok pattern); the default stays human text.

Nothing here touches the database or the session. The request's line names the URL
pattern (``/meetings/<int:meeting_id>/``), not the path it was filled with: a path can
carry a password-reset or unsubscribe token, and an id points at a person; the pattern
is what one aggregates by anyway.

These lines are for operators, not for people using the site: they are not translated.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

REQUEST_HEADER = "X-Request-ID"
# The Celery message header that carries the id from the publisher to the worker. Our own
# name, so it can never collide with one of Celery's (id, root_id, parent_id...).
TASK_HEADER = "mentoring_request_id"
# A client's (or a proxy's) id is kept only if it is a short token: it goes into every
# log line of the request and into a response header, so no spaces, no CR/LF, no markup.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_logger = logging.getLogger("mentoring_platform.requests")
task_logger = logging.getLogger("mentoring_platform.tasks")


def new_request_id() -> str:
    # 128 random bits as 32 hex digits, the shape of a uuid4's hex; os.urandom directly
    # costs a fifth of uuid.uuid4() (measured 0.4 against 2.7 us), on every request.
    return os.urandom(16).hex()


# --- records and formats -----------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (the current request's or task's id, ``-`` if none).

    Attached to the handler (config/settings.py, LOGGING), so it sees the records of every
    logger, Django's and Celery's included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return True


# Everything a LogRecord has of its own; whatever else is on a record came in ``extra=``
# and becomes a field of the JSON line.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
) | {"message", "asctime", "request_id", "taskName"}


def _unserialisable(value: object) -> str:
    # An extra that is no JSON value (Django's django.request logger passes the request
    # object): its type only, never its repr, which may carry a query string.
    return f"<{type(value).__name__}>"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message,
    request_id, then the record's extra fields; a traceback goes in ``exc_info`` as one
    string (its newlines escaped, so the line stays one line)."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get() or "-",
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in payload:
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(payload, default=_unserialisable, ensure_ascii=False)


# --- requests ----------------------------------------------------------------------------


def _route(request: HttpRequest) -> str:
    """The URL pattern the request matched; the path itself only when nothing matched
    (a 404, or a redirect answered before URL resolution), made safe for one log line."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return "/" + match.route
    path = request.path
    if len(path) > 200 or not path.isprintable():  # a scanner's junk: keep the line one line
        path = path[:200].encode("unicode_escape").decode("ascii")
    return path


class RequestLogMiddleware:
    """Gives each request an id and logs one line for it when it is answered.

    The id is the client's ``X-Request-ID`` when that is a short token (a proxy or load
    balancer in front usually sets one, so its logs and ours line up), else 32 new
    random hex digits. It is in the response's ``X-Request-ID`` and in every log record
    written while the request runs. The line: method, URL pattern, status, duration_ms,
    request_id; nothing about the person. Second in MIDDLEWARE, so the duration covers every other
    middleware; the health and metrics URLs are answered before it and are not logged
    (probes every few seconds from every balancer would drown the requests).

    Per request this costs a header lookup, a regex match or 16 random bytes, two clock
    reads and one log record; no database, and JSON only when the format is JSON. The
    record is most of it: about 30 us of CPU on the development machine (45 as JSON).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # The id is cleared when the response is closed, not when this returns: Django's
        # own 4xx/5xx line ("Not Found: ...") is written after the middleware, and should
        # carry it too.
        request_finished.connect(clear_request_id, dispatch_uid="config.logs.clear_request_id")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID")
        rid = given if given is not None and _SANE_ID.fullmatch(given) else new_request_id()
        request_id.set(rid)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_HEADER] = rid
        if request_logger.isEnabledFor(logging.INFO):
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            route = _route(request)
            status = response.status_code
            request_logger.log(
                logging.INFO if status < 500 else logging.WARNING,
                "%s %s %s %.1f ms",
                request.method,
                route,
                status,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": route,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
        return response


def clear_request_id(**kwargs: Any) -> None:
    """``request_finished``: the thread serves its next request under a new id, and
    whatever it logs in between under none."""
    request_id.set(None)


# --- tasks (receivers of Celery's signals, connected in config/celery.py) -----------------

# Per running task: when it started and the token that restores the id afterwards. Keyed
# by task id, since an eager task runs inside the request (or task) that called it.
_running: dict[str, tuple[float, Token[str | None]]] = {}


def add_request_id_header(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """``before_task_publish``: the current request's (or task's) id rides along."""
    rid = request_id.get()
    if rid is not None and headers is not None:
        headers.setdefault(TASK_HEADER, rid)


def _published_id(task: Any) -> str | None:
    request = getattr(task, "request", None)
    value = getattr(request, TASK_HEADER, None)
    if value is None:  # headers given to apply()/apply_async() by hand stay in .headers
        value = (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return value if isinstance(value, str) and _SANE_ID.fullmatch(value) else None


def task_started(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """``task_prerun``: the id the task was published with; in-process (eager) the id of
    the request or task running it; else a new one, so a periodic job's lines (and the
    tasks it enqueues) still share one id."""
    rid = _published_id(task) or request_id.get() or new_request_id()
    if task_id is not None:
        _running[task_id] = (time.perf_counter(), request_id.set(rid))


def task_finished(
    task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    """``task_postrun``: one line (task, id, state, runtime_ms, request_id), then the id
    the thread had before."""
    started = _running.pop(task_id, None) if task_id is not None else None
    if started is None:
        return
    start, token = started
    try:
        runtime_ms = round((time.perf_counter() - start) * 1000, 1)
        name = getattr(task, "name", "?")
        task_logger.log(
            logging.INFO if state == "SUCCESS" else logging.WARNING,
            "task %s %s %.1f ms",
            name,
            state,
            runtime_ms,
            extra={"task": name, "task_id": task_id, "state": state, "runtime_ms": runtime_ms},
        )
    finally:
        request_id.reset(token)
