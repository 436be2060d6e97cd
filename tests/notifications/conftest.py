import contextlib
import os

import pytest
from django.db import connection

from config.celery import app as celery_app
from tests.factories import ProgramFactory, UserFactory
from tests.notifications.backends import ScriptedBackend

REDIS_URL = os.environ.get("REDIS_URL", "")

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (row locks, SKIP LOCKED, real concurrent transactions); "
    "set DATABASE_URL=postgres://...",
)
needs_redis = pytest.mark.skipif(
    not REDIS_URL,
    reason="needs a Redis broker for a real Celery worker; set REDIS_URL=redis://...",
)


@pytest.fixture
def recipient(db):
    return UserFactory(username="ada", email="ada@example.org", display_name="Ada Lovelace")


@pytest.fixture
def notif_program(db):
    return ProgramFactory(name="Women in Tech 2026", slug="wit-2026")


@pytest.fixture
def scripted_backend(settings):
    """EMAIL_BACKEND that raises the errors you put in ``.script``, then delivers."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.ScriptedBackend"
    ScriptedBackend.script = []
    ScriptedBackend.calls = 0
    yield ScriptedBackend
    ScriptedBackend.script = []
    ScriptedBackend.calls = 0


@contextlib.contextmanager
def celery_mode(*, eager: bool, broker_url: str | None = None):
    """Switch the Celery app between in-process tasks and a real broker, then restore."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager = eager
    if broker_url is not None:
        conf.broker_url = broker_url
    _reset_producer_pool()
    try:
        yield celery_app
    finally:
        conf.task_always_eager, conf.broker_url = saved
        _reset_producer_pool()


def _reset_producer_pool() -> None:
    # Connections and producers are pooled (globally, per broker URL); close and forget
    # them so the new URL takes effect and no closed pool is handed out again.
    from kombu import pools

    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def _worker_db_connections(*, persistent: bool):
    """Optionally let the worker keep its DB connection between tasks.

    Celery's Django fixup closes every DB connection before and after each task (so a
    worker reconnects to PostgreSQL per email) unless CELERY_DB_REUSE_MAX is set; this
    sets it for the embedded worker and closes the kept connections once it stopped.
    """
    from celery.signals import task_prerun
    from django.db import connections

    if not persistent:
        yield
        return
    worker_fixups = [f.worker_fixup for f in celery_app._fixups if hasattr(f, "worker_fixup")]
    saved = [f.db_reuse_max for f in worker_fixups]
    seen = []

    def remember(**kwargs):
        wrapper = connections["default"]
        if wrapper not in seen:
            wrapper.inc_thread_sharing()  # so that this thread may close it afterwards
            seen.append(wrapper)

    for fixup in worker_fixups:
        fixup.db_reuse_max = 1000
    task_prerun.connect(remember, weak=False)
    try:
        yield
    finally:
        task_prerun.disconnect(remember)
        for fixup, value in zip(worker_fixups, saved, strict=True):
            fixup.db_reuse_max = value
        for wrapper in seen:
            wrapper.close()
            wrapper.dec_thread_sharing()


def wait_until(predicate, *, timeout: float = 20.0, interval: float = 0.02) -> float:
    """Poll until ``predicate()`` is true; return the seconds it took."""
    import time

    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - start


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def real_worker_factory(transactional_db, mailoutbox):
    """Start an embedded Celery worker (a thread in this process) on the Redis broker.

    Tasks stop running eagerly for the test; the locmem ``mailoutbox`` sees what the
    worker sends because the worker thread shares this process.
    """
    if not REDIS_URL:
        pytest.skip("needs a Redis broker for a real Celery worker; set REDIS_URL=redis://...")
    from celery.contrib.testing.worker import start_worker

    @contextlib.contextmanager
    def start(*, pool: str = "solo", concurrency: int = 1, persistent_db: bool = False):
        with (
            celery_mode(eager=False, broker_url=REDIS_URL) as app,
            _worker_db_connections(persistent=persistent_db),
        ):
            app.control.purge()  # leftovers from an earlier, interrupted run
            with start_worker(
                app,
                pool=pool,
                concurrency=concurrency,
                perform_ping_check=False,
                loglevel=os.environ.get("NOTIF_WORKER_LOGLEVEL", "WARNING"),
                shutdown_timeout=30,
            ) as worker:
                yield worker

    return start
