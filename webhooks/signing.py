"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

Each request carries three headers:

- ``webhook-id``: the event's id (``evt_…``), the same for every endpoint and retry;
- ``webhook-timestamp``: seconds since the epoch when this attempt was signed;
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, keyed
  with the base64-decoded part of the ``whsec_…`` secret; while a rotated-out secret is
  in its grace period a second signature follows, separated by a space.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SECRET_PREFIX = "whsec_"  # noqa: S105  # nosec B105


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(*, secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature."""
    signed = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(*, secrets: list[str], event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(secret=secret, event_id=event_id, timestamp=timestamp, body=body)
            for secret in secrets
        ),
    }


def verify(
    *,
    secret: str,
    headers: dict[str, str],
    body: bytes,
    now: int,
    tolerance: int = 300,
) -> bool:
    """What a receiver does (the README shows the same in a few lines): the timestamp is
    recent, and one of the signatures matches, compared in constant time."""
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        event_id = lowered["webhook-id"]
        timestamp = int(lowered["webhook-timestamp"])
        signatures = lowered["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, event_id=event_id, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
