"""The brokers a real Celery worker runs on in the tests: Redis and RabbitMQ.

Each comes from its own environment variable, and CI (``.ci/run``) sets both:
``REDIS_URL`` (redis://127.0.0.1:6379/0) and ``RABBITMQ_URL``
(amqp://guest:guest@127.0.0.1:5672//). A test that takes the ``broker_url`` fixture runs
once per broker (ids ``redis`` and ``rabbitmq``): it skips, naming the variable to set,
when that variable is unset, and fails when the variable is set but the broker does not
answer, so that CI can never pass by skipping.

Test modules outside ``tests/notifications/`` (whose conftest imports them) use the
fixtures by importing them:
``from tests.brokers import broker_kind_fixture, broker_url_fixture  # noqa: F401``.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator

import pytest
from kombu import Connection

from config.celery import app as celery_app
from tests.ports import free_port

KINDS = ("redis", "rabbitmq")
ENV_VARS = {"redis": "REDIS_URL", "rabbitmq": "RABBITMQ_URL"}


def url_for(kind: str) -> str:
    """The broker of this kind from the environment, or "" when it is not configured."""
    return os.environ.get(ENV_VARS[kind], "")


def url_at(kind: str, port: int) -> str:
    """A URL of this broker kind on a local port (for outage tests: nothing real there)."""
    return {
        "redis": f"redis://127.0.0.1:{port}/1",
        "rabbitmq": f"amqp://guest:guest@127.0.0.1:{port}//",
    }[kind]


def closed_port() -> int:
    """A local port with no broker behind it."""
    return free_port()


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """A local port that accepts connections and never says a word: a hung broker, or
    one behind a network path that has stopped delivering its replies."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)  # the kernel completes the handshakes; nobody ever reads
        yield sock.getsockname()[1]


def message_count(url: str, queue: str | None = None) -> int:
    """Messages waiting in ``queue`` (default: Celery's) for a consumer.

    Messages a worker has taken and not yet acknowledged are not counted: RabbitMQ holds
    them against the worker's connection, kombu's Redis transport in its ``unacked`` hash.
    """
    queue = queue or celery_app.conf.task_default_queue
    with Connection(url) as conn, conn.channel() as channel:
        try:
            return channel.queue_declare(queue=queue, passive=True).message_count
        except conn.channel_errors:
            return 0  # no such queue: never declared, or (Redis) an empty list


def purge(url: str, queue: str | None = None) -> int:
    """Drop the messages waiting in ``queue`` (default: Celery's); return how many."""
    queue = queue or celery_app.conf.task_default_queue
    with Connection(url) as conn, conn.channel() as channel:
        try:
            return channel.queue_purge(queue) or 0
        except conn.channel_errors:
            return 0  # no such queue


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


def wake(app, hostname: str) -> None:
    """Make an idle worker's event loop look up now (best effort), say once it was asked
    to stop: on RabbitMQ an idle worker waits on its socket for up to 10 s (kombu's
    longest timer wait) before it notices, where on Redis it looks every second. A
    remote-control message for it arrives on that socket."""
    with contextlib.suppress(Exception):
        app.control.broadcast("ping", destination=[hostname], reply=False)


def _reset_producer_pool() -> None:
    # Connections and producers are pooled (globally, per broker URL); close and forget
    # them so the new URL takes effect and no closed pool is handed out again.
    from kombu import pools

    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


# Named with ``name=`` so that a module importing them (for pytest to see them) can still
# take ``broker_url`` as an argument without shadowing the import.
@pytest.fixture(name="broker_kind", params=KINDS)
def broker_kind_fixture(request) -> str:
    """Each broker kind in turn; for tests that need no broker of that kind running."""
    return request.param


@pytest.fixture(name="broker_url")
def broker_url_fixture(broker_kind) -> str:
    """The URL of a running broker of each kind in turn (see the module's docstring)."""
    return require(broker_kind)


def require(kind: str) -> str:
    """The URL of the running broker of this kind: skips when its variable is unset,
    fails when it is set and nothing answers."""
    url = url_for(kind)
    variable = ENV_VARS[kind]
    if not url:
        pytest.skip(f"needs {kind} for a real Celery worker; set {variable}")
    try:
        with Connection(url, connect_timeout=5) as conn:
            conn.ensure_connection(max_retries=2)
    except Exception as error:
        pytest.fail(
            f"{variable} is set ({Connection(url).as_uri()}) but that broker does not "
            f"answer: {error}. Start it, or unset {variable} to skip its tests.",
            pytrace=False,
        )
    return url
