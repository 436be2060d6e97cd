"""Webhooks in Django admin: a program admin manages only their programs' endpoints and
sees only their deliveries; the endpoint form (events as labelled checkboxes, the SSRF
rule as a form error, the secret shown, "Rotate signing secret"); deliveries read-only
with filters and "Send again"."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from mentoring import services as mentoring_services
from tests.factories import ProgramFactory, UserFactory
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

ENDPOINTS = reverse("admin:webhooks_endpoint_changelist")
ADD_ENDPOINT = reverse("admin:webhooks_endpoint_add")
DELIVERIES = reverse("admin:webhooks_delivery_changelist")


def _change(model: str, pk: int) -> str:
    return reverse(f"admin:webhooks_{model}_change", args=[pk])


@pytest.fixture
def alpha(db):
    return ProgramFactory(name="Alpha Program", slug="alpha")


@pytest.fixture
def bravo(db):
    return ProgramFactory(name="Bravo Program", slug="bravo")


@pytest.fixture
def alpha_client(client, alpha):
    admin_user = UserFactory(username="alpha-admin")
    mentoring_services.program_administrator_add(program=alpha, user=admin_user)
    client.force_login(admin_user)
    return client


@pytest.fixture
def endpoints(alpha, bravo, make_endpoint):
    return {
        "alpha": make_endpoint(alpha, name="Alpha HR system"),
        "bravo": make_endpoint(bravo, name="Bravo chat bot"),
    }


def _delivery(endpoint: Endpoint, *, status=Delivery.Status.FAILED, event_id="evt_a") -> Delivery:
    return Delivery.objects.create(
        endpoint=endpoint,
        event_id=f"{event_id}_{endpoint.pk}",
        event_type="connection.created",
        payload={"type": "connection.created", "data": {"id": 1}},
        status=status,
        attempts=3 if status == Delivery.Status.FAILED else 0,
        last_error="The receiver answered 500." if status == Delivery.Status.FAILED else "",
        delivered_at=timezone.now() if status == Delivery.Status.DELIVERED else None,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _form(program, **overrides) -> dict:
    data = {
        "program": program.pk,
        "name": "HR system",
        "url": "https://hooks.example.org/in",
        "events": ["connection.ended", "connection.created"],
        "active": "on",
        "_save": "Save",
    }
    data.update(overrides)
    return data


# --- scoping ---------------------------------------------------------------------------


def test_a_program_admin_sees_only_their_programs_endpoints_and_deliveries(alpha_client, endpoints):
    alpha_delivery, bravo_delivery = _delivery(endpoints["alpha"]), _delivery(endpoints["bravo"])
    page = alpha_client.get(ENDPOINTS)
    assert page.status_code == 200
    assert "Alpha HR system" in page.text and "Bravo chat bot" not in page.text
    page = alpha_client.get(DELIVERIES)
    assert page.status_code == 200
    assert [d.pk for d in page.context["cl"].result_list] == [alpha_delivery.pk]
    assert "Bravo chat bot" not in page.text  # not even as a filter choice
    assert alpha_client.get(_change("endpoint", endpoints["bravo"].pk)).status_code == 404
    assert alpha_client.get(_change("delivery", bravo_delivery.pk)).status_code == 404
    assert alpha_client.get(_change("endpoint", endpoints["alpha"].pk)).status_code == 200
    assert alpha_client.get(_change("delivery", alpha_delivery.pk)).status_code == 200


def test_a_program_admin_cannot_create_an_endpoint_for_another_program(alpha_client, bravo, dns):
    response = alpha_client.post(ADD_ENDPOINT, _form(bravo))
    assert response.status_code == 200
    assert "program" in response.context["adminform"].form.errors
    assert not Endpoint.objects.exists()


def test_a_staff_member_who_administers_no_program_sees_no_webhooks(client, endpoints):
    client.force_login(UserFactory(username="staff", is_staff=True))
    assert client.get(ENDPOINTS).status_code == 403
    assert client.get(DELIVERIES).status_code == 403


# --- the endpoint form -------------------------------------------------------------------


def test_the_add_form_offers_the_events_as_labelled_checkboxes(alpha_client):
    page = alpha_client.get(ADD_ENDPOINT)
    assert page.status_code == 200
    assert page.text.count('type="checkbox" name="events"') == 8
    for label in ("A connection was created", "A mentor declined a connection request"):
        assert label in page.text
    assert "reachable on the public internet" in page.text  # the URL's help text
    assert "creates the signing secret when you save" in page.text


def test_a_program_admin_registers_an_endpoint_and_gets_a_secret(alpha_client, alpha, dns):
    response = alpha_client.post(ADD_ENDPOINT, _form(alpha))
    assert response.status_code == 302, response.context["adminform"].form.errors
    endpoint = Endpoint.objects.get()
    assert (endpoint.program, endpoint.url) == (alpha, "https://hooks.example.org/in")
    assert endpoint.events == ["connection.created", "connection.ended"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert any("Copy its signing secret" in m for m in _messages(response))
    page = alpha_client.get(_change("endpoint", endpoint.pk))
    assert f"<code>{endpoint.secret}</code>" in page.text
    assert 'name="secret"' not in page.text  # shown, never edited


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/in", "Use an https:// URL."),
        ("https://internal.example.org/in", "points to 10.1.2.3"),
        ("https://127.0.0.1/in", "webhooks go only to public addresses"),
        ("https://[::ffff:169.254.169.254]/in", "webhooks go only to public addresses"),
    ],
)
def test_a_non_public_url_is_a_form_error_beside_the_field(alpha_client, alpha, dns, url, message):
    response = alpha_client.post(ADD_ENDPOINT, _form(alpha, url=url))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["url"] and message in errors["url"][0]
    assert not Endpoint.objects.exists()


def test_at_least_one_event_is_required(alpha_client, alpha, dns):
    response = alpha_client.post(ADD_ENDPOINT, _form(alpha, events=[]))
    assert "events" in response.context["adminform"].form.errors


def test_rotating_the_secret_keeps_the_old_one_for_a_day(alpha_client, endpoints):
    endpoint = endpoints["alpha"]
    old = endpoint.secret
    response = alpha_client.post(
        ENDPOINTS,
        {"action": "rotate_secret", "_selected_action": [endpoint.pk, endpoints["bravo"].pk]},
        follow=True,
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret_rotated_at is not None
    assert any("1 endpoint has a new signing secret" in m for m in _messages(response))
    bravo = endpoints["bravo"]
    assert Endpoint.objects.get(pk=bravo.pk).secret == bravo.secret  # not theirs: untouched


# --- deliveries --------------------------------------------------------------------------


def test_deliveries_are_read_only(alpha_client, endpoints):
    delivery = _delivery(endpoints["alpha"])
    page = alpha_client.get(_change("delivery", delivery.pk))
    assert 'name="_save"' not in page.text
    assert "The receiver answered 500." in page.text
    assert alpha_client.get(reverse("admin:webhooks_delivery_add")).status_code == 403
    before = Delivery.objects.get(pk=delivery.pk).status
    alpha_client.post(_change("delivery", delivery.pk), {"status": "delivered"})
    assert Delivery.objects.get(pk=delivery.pk).status == before


def test_deliveries_filter_by_status_event_and_endpoint(alpha_client, endpoints, make_endpoint):
    second = make_endpoint(endpoints["alpha"].program, name="Alpha data team")
    failed = _delivery(endpoints["alpha"])
    _delivery(endpoints["alpha"], status=Delivery.Status.PENDING, event_id="evt_b")
    _delivery(second)
    page = alpha_client.get(
        DELIVERIES,
        {
            "status__exact": "failed",
            "event_type__exact": "connection.created",
            "endpoint__id__exact": endpoints["alpha"].pk,
        },
    )
    assert page.status_code == 200
    assert [d.pk for d in page.context["cl"].result_list] == [failed.pk]
    for label in ("By status", "By event", "By endpoint", "Alpha data team"):
        assert label in page.text


def test_send_again_queues_failed_deliveries_of_their_programs_only(
    alpha_client, endpoints, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr("webhooks.services.enqueue_delivery", queued.append)
    failed = _delivery(endpoints["alpha"])
    delivered = _delivery(endpoints["alpha"], status=Delivery.Status.DELIVERED, event_id="evt_d")
    theirs = _delivery(endpoints["bravo"])
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha_client.post(
            DELIVERIES,
            {
                "action": "send_again",
                "_selected_action": [failed.pk, delivered.pk, theirs.pk],
            },
            follow=True,
        )
    messages = _messages(response)
    assert "1 delivery was queued to be sent again." in messages
    assert "1 delivery was skipped because it had not failed." in messages
    assert queued == [failed.pk]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Delivery.Status.PENDING, 0)
    assert Delivery.objects.get(pk=theirs.pk).status == Delivery.Status.FAILED


def test_send_again_to_a_turned_off_endpoint_says_what_to_do(alpha_client, endpoints):
    failed = _delivery(endpoints["alpha"])
    Endpoint.objects.filter(pk=endpoints["alpha"].pk).update(active=False)
    response = alpha_client.post(
        DELIVERIES, {"action": "send_again", "_selected_action": [failed.pk]}, follow=True
    )
    assert any("is turned off; turn it on before sending again" in m for m in _messages(response))
    assert Delivery.objects.get(pk=failed.pk).status == Delivery.Status.FAILED


def test_turning_an_endpoint_on_again_clears_why_it_was_turned_off(alpha_client, endpoints, dns):
    endpoint = endpoints["alpha"]
    Endpoint.objects.filter(pk=endpoint.pk).update(
        active=False, deactivated_reason="The receiver answered 410 Gone."
    )
    response = alpha_client.post(
        _change("endpoint", endpoint.pk),
        _form(endpoint.program, name=endpoint.name, url="https://hooks.example.org/in"),
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.deactivated_reason == ""
