"""A real PgBouncer in transaction-pooling mode, started by the tests that need it.

Debian's ``pgbouncer`` package (1.18 here: no prepared-statement support in transaction
mode). The API, for race tests and for the fleet test's subprocesses alike::

    from tests import pgbouncer

    pgbouncer.binary_or_skip()          # skips locally without it; fails in CI
    with pgbouncer.running() as port:   # 127.0.0.1:<port>, any database name
        url = pgbouncer.url(port, "mentoring")  # postgres://postgres@127.0.0.1:<port>/…
        ...                             # DJANGO_DB_PREPARED_STATEMENTS=false for Django
        pgbouncer.stats(port, "mentoring")["total_xact_count"]
        pgbouncer.admin(port, "SHOW POOLS")  # any admin console command, as dicts
        pgbouncer.close_server_connections(port, "mentoring")  # free PostgreSQL's slots

Stop it (leave the ``with``) before the database it forwards to is dropped: it keeps
idle server connections to it, and PostgreSQL refuses to drop a database in use.

``route_new_connections(port)`` points the Django connections that threads open from
then on at PgBouncer, with the settings ``DJANGO_DB_PREPARED_STATEMENTS=false`` gives;
the connection the test's own thread already holds stays direct.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import runpy
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import psycopg
import pytest

from tests.ports import free_port

BINARY = "/usr/sbin/pgbouncer"
SETTINGS = Path(__file__).resolve().parent.parent / "config" / "settings.py"
ADMIN_DATABASE = "pgbouncer"  # the admin console's virtual database
START_TIMEOUT = 10.0  # seconds for it to accept connections
STOP_TIMEOUT = 5.0  # seconds for each of SIGINT (finish transactions) and SIGTERM

CONFIG = """\
[databases]
; every database name goes to the same PostgreSQL, under the same name
* = host={upstream_host} port={upstream_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {auth_file}
admin_users = {user}
stats_users = {user}
pool_mode = transaction
default_pool_size = {pool_size}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = {max_client_conn}
; an outage is an error within seconds, not a hang
query_wait_timeout = {query_wait_timeout}
server_connect_timeout = {server_connect_timeout}
server_login_retry = 1
log_connections = 0
log_disconnections = 0
"""


def binary() -> str | None:
    """The pgbouncer executable, or None when it is not installed."""
    if os.access(BINARY, os.X_OK):
        return BINARY
    return shutil.which("pgbouncer")


def required() -> bool:
    """In CI (``PGBOUNCER_REQUIRED=1`` from .ci/run, or ``CI`` set) a missing pgbouncer
    fails the tests that need it instead of skipping them."""
    return os.environ.get("PGBOUNCER_REQUIRED", "") not in ("", "0") or bool(os.environ.get("CI"))


def binary_or_skip() -> str:
    """The executable; otherwise skip the calling test, or fail it in CI."""
    path = binary()
    if path is None:
        reason = f"needs PgBouncer at {BINARY} (apt-get install pgbouncer; .ci/run installs it)"
        if required():
            pytest.fail(f"PGBOUNCER_REQUIRED is set but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


def url(port: int, database: str, user: str = "postgres") -> str:
    """A ``DATABASE_URL`` that goes through the PgBouncer listening on ``port``."""
    return f"postgres://{user}@127.0.0.1:{port}/{database}"


def admin(port: int, command: str, user: str = "postgres") -> list[dict]:
    """Run one admin console command (``SHOW STATS``, ``SHOW POOLS``, ``SHOW CLIENTS``,
    ``SHOW SERVERS``…) and return its rows as dicts. The console speaks only the simple
    query protocol and refuses transactions: autocommit, no parameters."""
    with psycopg.connect(
        host="127.0.0.1",
        port=port,
        dbname=ADMIN_DATABASE,
        user=user,
        autocommit=True,
        connect_timeout=3,
    ) as conn:
        cursor = conn.execute(command)
        if cursor.description is None:
            return []
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def stats(port: int, database: str) -> dict[str, int]:
    """``SHOW STATS`` for one database: cumulative counters since PgBouncer started
    (``total_xact_count``, ``total_query_count``, …), all 0 before its first client."""
    for row in admin(port, "SHOW STATS"):
        if row["database"] == database:
            return {key: int(value) for key, value in row.items() if key != "database"}
    return {"total_xact_count": 0, "total_query_count": 0}


def close_server_connections(port: int, database: str) -> None:
    """Close PgBouncer's connections to ``database`` now (its clients' too), instead of
    keeping them idle for the next clients: ``KILL``, then ``RESUME`` so that new
    clients are served again. A 50-thread race leaves up to 50 idle server connections,
    which count against PostgreSQL's ``max_connections`` (100) for the tests after it."""
    admin(port, f'KILL "{database}"')
    admin(port, f'RESUME "{database}"')


@contextlib.contextmanager
def running(
    *,
    upstream_host: str = "127.0.0.1",
    upstream_port: int = 5432,
    user: str = "postgres",
    pool_size: int = 50,
    max_client_conn: int = 500,
    query_wait_timeout: int = 10,
    server_connect_timeout: int = 3,
) -> Iterator[int]:
    """Start PgBouncer on a free port of 127.0.0.1 and yield the port; stop it on exit.

    Transaction pooling, any database name forwarded to ``upstream_host:upstream_port``
    under the same name, ``user`` trusted (as PostgreSQL trusts it) and allowed on the
    admin console. At most ``pool_size`` server connections per database: 50 lets the
    50-thread races run truly side by side; a smaller pool makes clients queue for a
    server (and share one), as in production. A client that waits longer than
    ``query_wait_timeout`` for a server, or a server that cannot be reached within
    ``server_connect_timeout``, is an error, not a hang.
    """
    executable = binary_or_skip()
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    try:
        # As root, pgbouncer switches to the postgres user (it refuses to run as root),
        # which must be able to read its configuration.
        workdir.chmod(0o755)
        auth_file = workdir / "userlist.txt"
        auth_file.write_text(f'"{user}" ""\n')  # trust: the name must be listed
        command = [executable]
        if os.geteuid() == 0:
            command += ["-u", "postgres"]
        for _attempt in range(3):  # another process may take the free port first
            port = free_port()
            config = workdir / "pgbouncer.ini"
            config.write_text(
                CONFIG.format(
                    upstream_host=upstream_host,
                    upstream_port=upstream_port,
                    port=port,
                    auth_file=auth_file,
                    user=user,
                    pool_size=pool_size,
                    max_client_conn=max_client_conn,
                    query_wait_timeout=query_wait_timeout,
                    server_connect_timeout=server_connect_timeout,
                )
            )
            for path in (auth_file, config):
                path.chmod(0o644)
            log = workdir / "pgbouncer.log"
            with log.open("ab") as log_file:
                process = subprocess.Popen(  # noqa: S603  (our own arguments)
                    [*command, str(config)],
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            if _wait_until_ready(process, port, user):
                break
            _stop(process)
            if "Address already in use" not in log.read_text():
                raise RuntimeError(f"PgBouncer did not start:\n{log.read_text()[-2000:]}")
        else:
            raise RuntimeError(f"PgBouncer found no free port:\n{log.read_text()[-2000:]}")
        try:
            yield port
        finally:
            _stop(process)
            _report_problems(log)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _report_problems(log: Path) -> None:
    """PgBouncer's warnings and errors (a client that waited too long for a server, a
    server it could not reach) to stderr: pytest shows them beside a failing test."""
    problems = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if any(level in line for level in (" WARNING ", " ERROR ", " FATAL "))
    ]
    if problems:
        print("PgBouncer reported:", *problems[-20:], sep="\n", file=sys.stderr)


def _wait_until_ready(process: subprocess.Popen, port: int, user: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            admin(port, "SHOW VERSION", user=user)
        except psycopg.OperationalError:
            time.sleep(0.05)
        else:
            return True
    return False


def _stop(process: subprocess.Popen) -> None:
    """SIGINT: finish the running transactions, close the server connections, exit;
    SIGTERM, then SIGKILL, if that takes too long."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT)


# --- Django connections through PgBouncer ------------------------------------------------


def database_settings(*, prepared_statements: bool) -> dict:
    """The ``DATABASES["default"]`` entries that ``DJANGO_DB_PREPARED_STATEMENTS`` sets,
    read by running config/settings.py itself with that value: ``OPTIONS`` (psycopg's
    ``server_side_binding`` and ``prepare_threshold``) and ``DISABLE_SERVER_SIDE_CURSORS``."""
    return copy.deepcopy(_database_settings(prepared_statements))


@functools.cache
def _database_settings(prepared_statements: bool) -> dict:
    value = "true" if prepared_statements else "false"
    with mock.patch.dict(os.environ, {"DJANGO_DB_PREPARED_STATEMENTS": value}):
        namespace = runpy.run_path(str(SETTINGS), run_name="settings_probe")
    default = namespace["DATABASES"]["default"]
    assert default["ENGINE"] == "django.db.backends.postgresql", default["ENGINE"]
    return {
        "OPTIONS": default.get("OPTIONS", {}),
        "DISABLE_SERVER_SIDE_CURSORS": default.get("DISABLE_SERVER_SIDE_CURSORS", False),
    }


def django_upstream() -> dict:
    """``running()``'s upstream arguments for the PostgreSQL Django's default
    connection uses (the tests' database server)."""
    from django.db import connection

    direct = connection.settings_dict
    return {
        "upstream_host": direct["HOST"] or "127.0.0.1",
        "upstream_port": int(direct["PORT"] or 5432),
        "user": direct["USER"] or "postgres",
    }


@contextlib.contextmanager
def route_new_connections(
    port: int, *, prepared_statements: bool = False, **overrides
) -> Iterator[None]:
    """Until exit, every Django connection opened from now on (each new thread opens its
    own) goes to the test database through the PgBouncer on ``port``, configured as
    ``DJANGO_DB_PREPARED_STATEMENTS`` says (``overrides``: other ``DATABASES`` keys).
    Connections already open, such as the test thread's own, stay as they are: Django
    builds a connection from ``connections.settings["default"]`` when a thread first
    uses it."""
    from django.db import DEFAULT_DB_ALIAS, connections

    original = connections.settings[DEFAULT_DB_ALIAS]
    routed = copy.deepcopy(original)  # NAME is already the test database's
    routed.update(HOST="127.0.0.1", PORT=port)
    routed.update(database_settings(prepared_statements=prepared_statements))
    routed.update(overrides)
    connections.settings[DEFAULT_DB_ALIAS] = routed
    try:
        yield
    finally:
        connections.settings[DEFAULT_DB_ALIAS] = original
