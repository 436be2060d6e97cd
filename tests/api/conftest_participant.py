"""What the participant resources' tests share (directory, requests, connections,
follow-up): the problem-body check and an outbox reader. Clients and keys come from
tests/api/conftest.py."""

from __future__ import annotations

from notifications.models import Notification


def problem(response, status: int, code: str) -> dict:
    """The response is a problem-details body with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["code"]) == (status, code), body
    assert body["title"] and body["detail"]
    return body


def outbox() -> list[tuple[str, str]]:
    """(kind, recipient's username) of every queued email, oldest first."""
    return list(Notification.objects.order_by("pk").values_list("kind", "recipient__username"))
