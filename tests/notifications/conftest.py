import contextlib
import os

import pytest
from django.db import connection

from config.celery import app as celery_app
from tests.brokers import (  # noqa: F401 - fixtures for this package, and old imports
    broker_kind_fixture,
    broker_url_fixture,
    celery_mode,
    closed_port,
    wake,
)
from tests.factories import ProgramFactory, UserFactory
from tests.notifications.backends import ScriptedBackend

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (row locks, SKIP LOCKED, real concurrent transactions); "
    "set DATABASE_URL=postgres://...",
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


@pytest.fixture
def real_worker_factory(transactional_db, mailoutbox, broker_url):
    """Start an embedded Celery worker (a thread in this process) on each broker in turn.

    A test that takes it runs once on Redis and once on RabbitMQ (``tests.brokers``:
    skipped when the broker's variable is unset, failed when it is set but the broker
    does not answer). Tasks stop running eagerly for the test; the locmem ``mailoutbox``
    sees what the worker sends because the worker thread shares this process.
    """
    from celery.contrib.testing.worker import start_worker

    # One task at a time in a pool thread by default: the solo pool (tasks run inside the
    # consumer's event loop) with a prefetch of one stalls for up to 10 s between tasks
    # on RabbitMQ, where threads and prefork do not.
    @contextlib.contextmanager
    def start(*, pool: str = "threads", concurrency: int = 1, persistent_db: bool = False):
        from celery.worker import state

        with (
            celery_mode(eager=False, broker_url=broker_url) as app,
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
                try:
                    yield worker
                finally:
                    state.should_terminate = 0  # as start_worker does on leaving, then
                    wake(app, worker.hostname)  # so that it notices at once

    return start
