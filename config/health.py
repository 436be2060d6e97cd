"""Liveness and readiness, for load balancers and orchestrators.

- ``/health/live``: the process answers. No dependency is asked: a database outage must
  not get every web process restarted (it would not help, and they come back on their
  own once the database does).
- ``/health/ready``: this process can serve: the database answers, every migration of
  this code is applied, the broker accepts a connection (or none is used: tasks run
  in-process) and the cache stores and returns a value. 503 when one of them fails.

Both are answered by :class:`config.edge.EdgeMiddleware`, first in MIDDLEWARE, so no
session, cookie, CSRF check, sign-in throttle, https redirect or ALLOWED_HOSTS check
runs: a balancer's plain-http probe to an IP address gets the real answer. The bodies
are JSON with each check's status, its time and, on failure, a short reason (the
exception's class name: its message may name hosts and users). The full error goes to
the log. No check reads or writes anything about a person.

``HEALTH_READY_OPTIONAL`` names checks that are reported but do not make readiness fail.
The broker is the usual candidate: the site keeps working without it (the outbox holds every
email until the sweep hands it to a worker), and a readiness check that fails on every
web process at once takes the whole site out of the balancer.

These bodies are for machines and operators, not for people: not translated.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

logger = logging.getLogger(__name__)

OK = "ok"
FAIL = "fail"
NOT_USED = "not used"

# The database the site runs on (a module attribute, so a test can point it elsewhere).
DATABASE = DEFAULT_DB_ALIAS
# A probe must answer well inside a balancer's timeout (often 2-5 s), whatever is down.
DATABASE_STATEMENT_TIMEOUT_MS = 1000
BROKER_CONNECT_TIMEOUT = 1.0
CACHE_PROBE_SECONDS = 30

Check = dict[str, Any]

# Set once this process has seen every migration applied: migrations are only ever added
# by a deploy, which starts new processes, so the answer cannot go back to "no". Until
# then each probe asks again (the migrate job may still be running).
_migrations_applied = False


class CheckFailed(Exception):
    """A check's own verdict of failure, with the short reason to report."""


def check_database() -> None:
    connection = connections[DATABASE]
    with transaction.atomic(using=DATABASE), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # For this transaction only (safe behind a transaction-pooling PgBouncer);
            # a function call, so it also works with server-side parameter binding.
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [f"{DATABASE_STATEMENT_TIMEOUT_MS}ms"],
            )
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    # Imported here: the migration machinery is wanted only until the first "yes".
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DATABASE])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise CheckFailed(f"{len(plan)} migrations not applied")
    _migrations_applied = True


def check_broker() -> str:
    from config.celery import app as celery_app

    if celery_app.conf.task_always_eager:
        return NOT_USED  # no broker configured: tasks run in the web process itself
    with celery_app.connection_for_write(
        connect_timeout=BROKER_CONNECT_TIMEOUT,
        heartbeat=0,
        # Redis reads (a broker that accepts and never answers); amqp's handshake is
        # bounded by connect_timeout.
        transport_options={
            "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
            "socket_timeout": BROKER_CONNECT_TIMEOUT,
        },
    ) as broker:
        broker.ensure_connection(max_retries=0)  # one attempt: no retry loop in a probe
    return OK


def check_cache() -> None:
    # A key of this process's own, so two processes probing at once cannot read each
    # other's value; it expires on its own.
    key = f"health:probe:{socket.gethostname()}:{os.getpid()}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=CACHE_PROBE_SECONDS)
    if cache.get(key) != value:
        raise CheckFailed("the value read back differs")


def _run(name: str, check: Callable[[], str | None]) -> Check:
    started = time.perf_counter()
    try:
        status = check() or OK
    except CheckFailed as failure:
        logger.warning("readiness: %s failed: %s", name, failure)
        return {"status": FAIL, "reason": str(failure)}
    except Exception as error:
        # One line, no traceback: a balancer asks every few seconds during an outage.
        logger.warning("readiness: %s failed: %s: %s", name, type(error).__name__, error)
        return {"status": FAIL, "reason": type(error).__name__}
    result: Check = {"status": status}
    if status == OK:
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def live() -> tuple[int, dict[str, Any]]:
    return 200, {"status": OK}


def ready() -> tuple[int, dict[str, Any]]:
    checks: dict[str, Check] = {"database": _run("database", check_database)}
    if checks["database"]["status"] == OK:
        checks["migrations"] = _run("migrations", check_migrations)
    else:  # asking again would only wait for the same timeout twice
        checks["migrations"] = {"status": FAIL, "reason": "database unreachable"}
    checks["broker"] = _run("broker", check_broker)
    checks["cache"] = _run("cache", check_cache)
    optional = set(getattr(settings, "HEALTH_READY_OPTIONAL", ()))
    failed = [name for name, result in checks.items() if result["status"] == FAIL]
    serving = not [name for name in failed if name not in optional]
    return (200 if serving else 503), {"status": OK if serving else FAIL, "checks": checks}
