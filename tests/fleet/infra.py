"""The shared parts a fleet runs on, as the fleet tests start, restart and stop them:
a Redis server of the test's own (cache, beat's lock, and the broker when Redis is the
broker), the machine's RabbitMQ, and the machine's PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.fleet.processes import HOST
from tests.ports import free_port


class RedisServer:
    """``redis-server`` on a free port, nothing on disk; ``restart()`` loses what it held,
    as a Redis without persistence does."""

    def __init__(self, logs: Path) -> None:
        self.port = free_port()
        self.logs = logs
        self.popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.popen = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                HOST,
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=(self.logs / f"redis-{self.port}.log").open("a"),
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            self.popen.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def restart_rabbitmq() -> None:
    """Stop and start the broker application: every connection to it is closed, as in
    a restart; durable queues and persistent messages (Celery's default) survive it."""
    for action in ("stop_app", "start_app"):
        subprocess.run(["rabbitmqctl", "-q", action], check=True, timeout=120)  # noqa: S603, S607
    subprocess.run(["rabbitmqctl", "-q", "await_startup"], check=True, timeout=120)  # noqa: S603, S607


def postgresql_cluster() -> list[str] | None:
    """The machine's cluster as ``pg_ctlcluster`` names it, or None when there is no
    local cluster this test may stop."""
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return None
    versions = sorted(os.listdir("/etc/postgresql"))
    return [versions[-1], "main"] if versions else None


def _pg_ctl(action: str, *extra: str) -> None:
    cluster = postgresql_cluster()
    assert cluster, "no local PostgreSQL cluster"
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action, *extra],  # noqa: S607
        check=True,
        timeout=120,
    )


def postgresql_ready() -> bool:
    return (
        subprocess.run(["pg_isready", "-q", "-h", HOST], timeout=10).returncode == 0  # noqa: S603, S607
    )


@contextlib.contextmanager
def postgresql_stopped() -> Iterator[None]:
    """PostgreSQL down for the ``with`` block (fast shutdown: sessions are cut), and
    always started again after it, whatever happened inside."""
    _pg_ctl("stop", "-m", "fast")
    try:
        yield
    finally:
        _pg_ctl("start")
        deadline = time.monotonic() + 60
        while not postgresql_ready():
            if time.monotonic() > deadline:
                raise AssertionError("PostgreSQL did not come back within 60 s")
            time.sleep(0.2)
