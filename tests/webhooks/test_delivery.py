"""Delivery to a real receiver on 127.0.0.1 (WEBHOOKS_ALLOW_PRIVATE_NETWORKS on): signed
Standard Webhooks requests, retries with backoff, failure after the last attempt.

Tasks run in-process (eagerly): a retry runs again at once, so a test sees every attempt
of a delivery; tests that look at the backoff itself call one attempt at a time."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.ports import free_port
from tests.webhooks.conftest import verify_signature
from webhooks import tasks
from webhooks.models import Delivery, Endpoint
from webhooks.services import (
    webhook_delivery_resend,
    webhook_emit,
    webhook_endpoint_rotate_secret,
)

pytestmark = pytest.mark.django_db

Status = Delivery.Status


@pytest.fixture
def connection(db):
    from tests.connections.factories import ConnectionFactory

    return ConnectionFactory()


@pytest.fixture
def endpoint(connection, receiver, make_endpoint, allow_private):
    return make_endpoint(connection.program, url=receiver.url)


def emit(connection, django_capture_on_commit_callbacks) -> list[Delivery]:
    with django_capture_on_commit_callbacks(execute=True):
        deliveries = webhook_emit(event="connection.created", instance=connection)
    return deliveries


def reloaded(delivery: Delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


# --- what the receiver gets --------------------------------------------------------------


def test_the_receiver_gets_a_signed_post_it_can_verify(
    endpoint, receiver, connection, django_capture_on_commit_callbacks
):
    [delivery] = emit(connection, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    assert request.path == "/hooks"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == delivery.event_id
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 10
    assert request.headers["webhook-signature"].startswith("v1,")
    assert verify_signature(secret=endpoint.secret, headers=request.headers, body=request.body)
    body = json.loads(request.body)
    assert body["type"] == "connection.created"
    assert body["data"]["id"] == connection.pk
    delivery = reloaded(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        Status.DELIVERED,
        1,
        200,
    )
    assert delivery.delivered_at is not None and delivery.last_response == "ok"


def test_a_tampered_body_timestamp_or_secret_does_not_verify(
    endpoint, receiver, connection, django_capture_on_commit_callbacks
):
    emit(connection, django_capture_on_commit_callbacks)
    [request] = receiver.requests
    headers, body = request.headers, request.body
    assert verify_signature(secret=endpoint.secret, headers=headers, body=body)
    assert not verify_signature(
        secret=endpoint.secret, headers=headers, body=body.replace(b'"active"', b'"ended"')
    )
    later = {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) + 1)}
    assert not verify_signature(secret=endpoint.secret, headers=later, body=body)
    other_id = {**headers, "webhook-id": "evt_someone_else"}
    assert not verify_signature(secret=endpoint.secret, headers=other_id, body=body)
    assert not verify_signature(
        secret=Endpoint(program_id=endpoint.program_id).secret, headers=headers, body=body
    )


def test_a_replayed_old_request_is_refused_by_the_timestamp_check(
    endpoint, receiver, connection, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks.time, "time", lambda: 1_000_000_000.0)  # signed in 2001
    emit(connection, django_capture_on_commit_callbacks)
    monkeypatch.undo()  # the receiver checks against the real clock
    [request] = receiver.requests
    assert request.headers["webhook-timestamp"] == "1000000000"
    assert not verify_signature(secret=endpoint.secret, headers=request.headers, body=request.body)


def test_after_rotation_both_secrets_verify_for_a_day_then_only_the_new_one(
    endpoint, receiver, connection, django_capture_on_commit_callbacks
):
    old = endpoint.secret
    webhook_endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")
    emit(connection, django_capture_on_commit_callbacks)
    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split()) == 2
    assert verify_signature(secret=endpoint.secret, headers=request.headers, body=request.body)
    assert verify_signature(secret=old, headers=request.headers, body=request.body)

    Endpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    Delivery.objects.all().delete()
    emit(connection, django_capture_on_commit_callbacks)
    request = receiver.requests[-1]
    assert verify_signature(secret=endpoint.secret, headers=request.headers, body=request.body)
    assert not verify_signature(secret=old, headers=request.headers, body=request.body)


def sweep_when_due() -> None:
    """The sweep, once the row's backoff and the grace period are over."""
    Delivery.objects.filter(status=Status.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    tasks.sweep_webhooks()


def test_every_endpoint_and_every_retry_of_an_event_carry_the_same_webhook_id(
    endpoint, receiver, connection, make_endpoint, django_capture_on_commit_callbacks
):
    make_endpoint(connection.program, url=receiver.url, name="second")
    receiver.answer_with((503, {}, b"busy"))  # the first request fails once
    emit(connection, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 2
    sweep_when_due()
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.DELIVERED}


# --- retries ---------------------------------------------------------------------------------


def test_retry_delays_double_with_jitter_up_to_the_cap(settings):
    settings.WEBHOOKS_RETRY_BASE_DELAY = 30
    settings.WEBHOOKS_RETRY_MAX_DELAY = 7200
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (6, 960), (9, 7200), (20, 7200)]:
        delays = {tasks.retry_delay(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, delays)
        assert len(delays) > 1  # jitter


@pytest.mark.parametrize(
    ("answer", "recorded"),
    [
        ((500, {}, b"boom"), "answered 500"),
        ((503, {}, b""), "answered 503"),
        ((429, {}, b""), "answered 429"),
        ((400, {}, b"bad"), "answered 400"),  # a 4xx is retried too (README: "Webhooks")
        ((401, {}, b""), "answered 401"),
        ((302, {"Location": "http://127.0.0.1:1/elsewhere"}, b""), "redirects are not followed"),
    ],
    ids=["500", "503", "429", "400", "401", "302"],
)
def test_a_failed_attempt_is_pending_again_after_a_backoff(
    endpoint, receiver, connection, answer, recorded, settings
):
    settings.WEBHOOKS_RETRY_BASE_DELAY = 30
    [delivery] = webhook_emit(event="connection.created", instance=connection)
    receiver.answer_with(answer)
    before = timezone.now()
    with pytest.raises(tasks._Retry):
        tasks._deliver(delivery.pk)
    delivery = reloaded(delivery)
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 1)
    assert recorded in delivery.last_error
    assert delivery.last_status_code == answer[0]
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 15 - 1 <= wait <= 30 + 1
    assert len(receiver.requests) == 1  # the redirect was not followed


def test_retry_after_is_honoured(endpoint, receiver, connection):
    [delivery] = webhook_emit(event="connection.created", instance=connection)
    receiver.answer_with((503, {"Retry-After": "600"}, b""))
    before = timezone.now()
    with pytest.raises(tasks._Retry):
        tasks._deliver(delivery.pk)
    assert (reloaded(delivery).next_attempt_at - before).total_seconds() >= 600


def test_a_slow_receiver_times_out_and_is_retried(endpoint, receiver, connection, settings):
    settings.WEBHOOKS_TIMEOUT = 0.3
    receiver.answer_with(lambda: time.sleep(1) or (200, {}, b"late"))
    [delivery] = webhook_emit(event="connection.created", instance=connection)
    started = time.monotonic()
    with pytest.raises(tasks._Retry):
        tasks._deliver(delivery.pk)
    assert time.monotonic() - started < 1
    delivery = reloaded(delivery)
    assert delivery.status == Status.PENDING
    assert "timed out" in delivery.last_error.lower()


def test_a_refused_connection_is_retried(connection, make_endpoint, allow_private):
    endpoint = make_endpoint(connection.program, url=f"http://127.0.0.1:{free_port()}/hooks")
    [delivery] = webhook_emit(event="connection.created", instance=connection)
    with pytest.raises(tasks._Retry):
        tasks._deliver(delivery.pk)
    delivery = reloaded(delivery)
    assert delivery.status == Status.PENDING and delivery.endpoint == endpoint
    assert "ConnectionRefused" in delivery.last_error


def test_after_the_last_attempt_the_delivery_fails_with_the_error_kept(
    endpoint, receiver, connection, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    receiver.answer_with(*[(500, {}, b"still down")] * 5)
    [delivery] = emit(connection, django_capture_on_commit_callbacks)
    for attempts in (1, 2):
        assert reloaded(delivery).status == Status.PENDING
        assert len(receiver.requests) == attempts
        sweep_when_due()
    assert len(receiver.requests) == 3
    delivery = reloaded(delivery)
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 3)
    assert "answered 500" in delivery.last_error and delivery.last_response == "still down"


def test_410_gone_fails_at_once_and_turns_the_endpoint_off(
    endpoint, receiver, connection, django_capture_on_commit_callbacks
):
    receiver.answer_with((410, {}, b"gone"))
    [delivery] = emit(connection, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1
    assert reloaded(delivery).status == Status.FAILED
    endpoint.refresh_from_db()
    assert not endpoint.active and "410" in endpoint.deactivated_reason
    emit(connection, django_capture_on_commit_callbacks)  # nothing more goes there
    assert len(receiver.requests) == 1


def test_a_delivery_whose_endpoint_was_turned_off_meanwhile_is_not_sent(
    endpoint, receiver, connection
):
    [delivery] = webhook_emit(event="connection.created", instance=connection)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert tasks._deliver(delivery.pk) == "failed"
    assert receiver.requests == []
    assert "turned off" in reloaded(delivery).last_error


def test_a_long_answer_is_read_only_up_to_the_cap(
    endpoint, receiver, connection, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_MAX_RESPONSE_BYTES = 2048
    receiver.answer_with((200, {}, b"x" * 5_000_000))
    [delivery] = emit(connection, django_capture_on_commit_callbacks)
    delivery = reloaded(delivery)
    assert delivery.status == Status.DELIVERED
    assert len(delivery.last_response) == 1000  # the excerpt kept on the row


def test_a_short_wait_goes_back_to_the_queue_with_a_countdown(
    endpoint, receiver, connection, monkeypatch
):
    receiver.answer_with((503, {}, b""))
    [delivery] = webhook_emit(event="connection.created", instance=connection)
    retried = []

    def retry(**kwargs):
        retried.append(kwargs)
        return RuntimeError("retry")

    monkeypatch.setattr(tasks.deliver_webhook, "retry", retry)
    with pytest.raises(RuntimeError):
        tasks.deliver_webhook.run(delivery.pk)  # as a worker runs it (not in-process)
    [kwargs] = retried
    assert 15 <= kwargs["countdown"] <= 30 and kwargs["max_retries"] == 3


def test_in_process_tasks_leave_retries_to_the_sweep(
    endpoint, receiver, connection, django_capture_on_commit_callbacks
):
    """Without a broker (`make run`) the task runs inside the request that committed: it
    makes one attempt and never retries there."""
    receiver.answer_with(*[(500, {}, b"")] * 3)
    [delivery] = emit(connection, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1
    assert reloaded(delivery).status == Status.PENDING


def test_a_claimed_row_is_not_sent_twice(endpoint, receiver, connection):
    [delivery] = webhook_emit(event="connection.created", instance=connection)
    assert tasks._deliver(delivery.pk) == "delivered"
    assert tasks._deliver(delivery.pk) == "skipped"
    tasks.deliver_webhook.apply(args=(delivery.pk,))
    assert len(receiver.requests) == 1


def test_a_wait_longer_than_a_task_message_may_carry_is_left_to_the_sweep(
    endpoint, receiver, connection, settings, monkeypatch
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 5
    receiver.answer_with((503, {"Retry-After": "7000"}, b""))
    [delivery] = webhook_emit(event="connection.created", instance=connection)
    retried = []
    monkeypatch.setattr(tasks.deliver_webhook, "retry", lambda **kw: retried.append(kw))
    assert tasks.deliver_webhook.run(delivery.pk) == "later"
    assert retried == []  # no task message with a countdown beyond the brokers' limits
    delivery = reloaded(delivery)
    assert delivery.status == Status.PENDING and len(receiver.requests) == 1
    assert (delivery.next_attempt_at - timezone.now()).total_seconds() > tasks.countdown_cap()


# --- Send again ------------------------------------------------------------------------


def test_send_again_delivers_a_failed_row_with_the_same_webhook_id(
    endpoint, receiver, connection, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    receiver.answer_with((500, {}, b""))
    [delivery] = emit(connection, django_capture_on_commit_callbacks)
    assert reloaded(delivery).status == Status.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_delivery_resend(delivery=delivery) is True
    delivery = reloaded(delivery)
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 1)
    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.event_id] * 2
    assert webhook_delivery_resend(delivery=delivery) is False  # delivered: nothing to do
