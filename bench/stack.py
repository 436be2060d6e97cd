"""The processes a benchmark run starts, all from the interpreter running it: the SMTP
sink, one Celery worker and gunicorn. Each process kind reaches PostgreSQL under its own
``application_name`` (``bench-web``, ``bench-worker``, ``bench-run`` for the benchmark
process itself), so the server's database sessions can be told apart from the others."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WEB, WORKER, RUNNER = "bench-web", "bench-worker", "bench-run"


def with_application_name(database_url: str, name: str) -> str:
    """The URL with ``application_name`` set in its query string (django-environ passes
    unknown query parameters on to the driver's OPTIONS)."""
    parts = urlsplit(database_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "application_name"]
    query.append(("application_name", name))
    return urlunsplit(parts._replace(query=urlencode(query)))


def database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def for_scale(database_url: str, scale: int) -> str:
    """Scale 1 uses the database as named; scale N its own ``<name>_xN``."""
    if scale == 1:
        return database_url
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{database_name(database_url)}_x{scale}"))


def flush_redis(url: str) -> None:
    """Empty the benchmark's own Redis database (only that one)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    client.flushdb()
    client.close()


def purge_broker() -> int:
    """Drop what earlier runs left in Celery's queue on the broker Django is set up with."""
    from config.celery import app

    return app.control.purge()


def broker_name() -> str:
    """The broker's scheme and address, without its credentials."""
    from django.conf import settings

    parts = urlsplit(settings.CELERY_BROKER_URL)
    return f"{parts.scheme}://{parts.hostname}:{parts.port}{parts.path}"


def _log(name: str):
    path = ROOT / "bench" / "results" / f"{name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w")


def start_smtp_sink() -> tuple[subprocess.Popen, int]:
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py")],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = sink.stdout.readline().split()
    if len(line) != 2 or line[0] != "ready":
        sink.kill()
        raise SystemExit(f"the SMTP sink did not start: {line}")
    return sink, int(line[1])


def stop_smtp_sink(sink: subprocess.Popen) -> dict[str, int]:
    sink.terminate()
    out, _ = sink.communicate(timeout=10)
    for line in out.splitlines():
        words = line.split()
        if len(words) == 3 and words[0] == "received":
            return {"messages": int(words[1]), "recipients": int(words[2])}
    return {"messages": -1, "recipients": -1}


def _env(database_url: str, name: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = with_application_name(database_url, name)
    env["PYTHONPATH"] = str(ROOT)
    return env


def start_worker(database_url: str, *, concurrency: int) -> subprocess.Popen:
    """One Celery worker (prefork, ``concurrency`` children) on the default queue."""
    log = _log("worker")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname",
            "bench@%h",
        ],
        cwd=ROOT,
        env=_env(database_url, WORKER),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from config.celery import app

    deadline = time.time() + 60
    while time.time() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the Celery worker stopped at start: see {log.name}")
        if app.control.ping(timeout=1.0):
            return worker
    worker.kill()
    raise SystemExit(f"the Celery worker did not answer within 60 s: see {log.name}")


def worker_task_counts() -> dict[str, int]:
    """Tasks the running worker has executed, by name (Celery's own statistics)."""
    from config.celery import app

    totals: dict[str, int] = {}
    for stats in (app.control.inspect(timeout=2.0).stats() or {}).values():
        for name, n in stats.get("total", {}).items():
            totals[name] = totals.get(name, 0) + n
    return totals


def start_server(database_url: str, *, port: int, workers: int, threads: int) -> subprocess.Popen:
    log = _log("gunicorn")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_env(database_url, WEB),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start: see {log.name}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not start within 30 s: see {log.name}")


def stop(process: subprocess.Popen | None, timeout: float = 30) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
