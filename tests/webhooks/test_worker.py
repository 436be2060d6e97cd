"""Through a real Celery worker on each broker, and through a broker outage: the outbox
guarantees of the email outbox hold for webhooks (tests.brokers: REDIS_URL, RABBITMQ_URL;
without a broker's variable its real-worker tests skip)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.brokers import (  # noqa: F401 - fixtures
    broker_kind_fixture,
    broker_url_fixture,
    celery_mode,
    closed_port,
    url_at,
    url_for,
)
from tests.connections.factories import ConnectionFactory
from tests.notifications.conftest import wait_until
from tests.webhooks.conftest import verify_signature
from webhooks.models import Delivery
from webhooks.services import webhook_emit
from webhooks.tasks import sweep_due_ids, sweep_webhooks

pytestmark = pytest.mark.django_db(transaction=True)

Status = Delivery.Status


@pytest.fixture
def endpoint(receiver, make_endpoint, allow_private):
    return make_endpoint(ConnectionFactory().program, url=receiver.url)


def _emit(endpoint) -> Delivery:
    connection = ConnectionFactory(program=endpoint.program)
    with transaction.atomic():
        [delivery] = webhook_emit(event="connection.created", instance=connection)
    return delivery


def _status(delivery: Delivery) -> str:
    return Delivery.objects.get(pk=delivery.pk).status


def test_a_real_worker_delivers_a_signed_webhook(real_worker_factory, endpoint, receiver):
    with real_worker_factory():
        delivery = _emit(endpoint)
        wait_until(lambda: _status(delivery) == Status.DELIVERED)
    [request] = receiver.requests
    assert request.headers["webhook-id"] == delivery.event_id
    assert verify_signature(secret=endpoint.secret, headers=request.headers, body=request.body)


def test_a_real_worker_retries_until_the_receiver_is_back(
    real_worker_factory, endpoint, receiver, settings
):
    settings.WEBHOOKS_RETRY_BASE_DELAY = 0.2  # fast backoff: a test, not a policy
    receiver.answer_with((503, {}, b""), (500, {}, b""))
    with real_worker_factory():
        delivery = _emit(endpoint)
        wait_until(lambda: _status(delivery) == Status.DELIVERED)
    assert len(receiver.requests) == 3
    assert Delivery.objects.get(pk=delivery.pk).attempts == 3


def test_with_the_broker_down_the_commit_is_fast_and_the_sweep_delivers_once(
    broker_kind, endpoint, receiver, request, settings
):
    # 1. The broker is down: the transaction still commits, quickly; the row waits.
    with celery_mode(eager=False, broker_url=url_at(broker_kind, closed_port())):
        started = time.monotonic()
        delivery = _emit(endpoint)
        assert time.monotonic() - started < 2
    assert (_status(delivery), receiver.requests) == (Status.PENDING, [])

    # 2. Within the grace period the sweep leaves it alone (a worker may be on it).
    assert sweep_due_ids() == []

    # 3. Later the broker is back and beat runs the sweep, twice: delivered once.
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=settings.WEBHOOKS_PENDING_GRACE + 1)
    )
    if url_for(broker_kind):
        with request.getfixturevalue("real_worker_factory")():
            sweep_webhooks.delay()
            sweep_webhooks.delay()
            wait_until(lambda: _status(delivery) == Status.DELIVERED)
            time.sleep(0.5)  # room for a duplicate to show up, if there were one
    else:
        with celery_mode(eager=True):
            sweep_webhooks()
            sweep_webhooks()
    assert _status(delivery) == Status.DELIVERED
    assert len(receiver.requests) == 1


def test_the_sweep_takes_back_a_row_stuck_in_sending(endpoint, receiver, settings):
    with celery_mode(eager=False, broker_url=url_at("redis", closed_port())):
        delivery = _emit(endpoint)
    long_ago = timezone.now() - timedelta(seconds=settings.WEBHOOKS_STUCK_AFTER + 1)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING, claimed_at=long_ago, attempts=1
    )  # its worker died mid-send
    with celery_mode(eager=True):
        assert sweep_webhooks() == 1
    delivery = Delivery.objects.get(pk=delivery.pk)
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 2)
    assert len(receiver.requests) == 1


def test_the_sweep_leaves_rows_that_are_not_due_and_finished_rows_alone(endpoint):
    with celery_mode(eager=False, broker_url=url_at("redis", closed_port())):
        waiting = _emit(endpoint)  # pending, due now: a worker may still get it
        delivered = _emit(endpoint)
        failed = _emit(endpoint)
    long_ago = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(pk=delivered.pk).update(
        status=Status.DELIVERED, delivered_at=long_ago, next_attempt_at=long_ago
    )
    Delivery.objects.filter(pk=failed.pk).update(status=Status.FAILED, next_attempt_at=long_ago)
    Delivery.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)  # a retry's backoff
    )
    assert sweep_due_ids() == []
