"""Real processes for the fleet tests: gunicorn servers, Celery workers and beats, each a
subprocess of this interpreter with its own log file, in its own process group (so a
SIGKILL reaches it and nothing else), stopped when the ``with`` block ends.

Every process gets the production-like settings (``config.settings``, not the test
settings): a real broker, the Redis cache, the outbox delivered by workers. The
database is the test database (``test_<name>``), which this pytest process created.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def database_url(*, port: int | None = None, name: str | None = None) -> str:
    """The test database as a URL for a subprocess (``port``: through a PgBouncer)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = db["HOST"] or HOST
    return f"postgres://{auth}@{host}:{port or db['PORT'] or 5432}/{name or db['NAME']}"


def app_env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",  # the real error pages (the 503), not Django's debug page
        "DATABASE_URL": database_url(),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("EMAIL_URL", "EMAIL_BACKEND", "CACHE_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    env.update(overrides)
    return env


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log_path = logs / f"{name}.log"
        self._log = self.log_path.open("w")
        self.popen = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL, to the whole process group (a worker's children too)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()

    def wait_for_log(self, text: str, *, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} stopped:\n{tail(self)}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: {text!r} not logged:\n{tail(self)}")
            time.sleep(0.1)


def tail(process: Process, lines: int = 40) -> str:
    return "\n".join(process.log().splitlines()[-lines:])


@contextlib.contextmanager
def started(*processes: Process) -> Iterator[tuple[Process, ...]]:
    try:
        yield processes
    except BaseException:
        for process in processes:
            print(f"--- {process.name}\n{tail(process)}")
        raise
    finally:
        for process in processes:
            process.stop()


def gunicorn(name: str, *, port: int, env: dict[str, str], logs: Path) -> Process:
    """A server as production runs it (gthread workers), answering /health/live."""
    server = Process(
        name,
        [
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.py",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        env,
        logs,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/health/live", timeout=2):  # noqa: S310
                return server
        except (urllib.error.URLError, OSError):
            if server.popen.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise AssertionError(f"{name} did not start:\n{tail(server)}") from None
            time.sleep(0.2)


def celery(name: str, command: str, *extra: str, env: dict[str, str], logs: Path) -> Process:
    return Process(
        name,
        ["-m", "celery", "-A", "config", command, "--loglevel=INFO", *extra],
        env,
        logs,
    )


def worker(name: str, *, env: dict[str, str], logs: Path, concurrency: int = 2) -> Process:
    process = celery(
        name,
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        "--without-gossip",
        "--without-mingle",
        f"--hostname={name}@%h",
        env=env,
        logs=logs,
    )
    process.wait_for_log("ready.")
    return process


def beat(name: str, *, env: dict[str, str], logs: Path) -> Process:
    return celery(name, "beat", f"--pidfile={logs / (name + '.pid')}", env=env, logs=logs)
