"""The one shape of every webhook body, built from the object an event is about.

```json
{"type": "connection.created",
 "timestamp": "2026-12-01T09:30:00.000000Z",
 "data": {"object": "connection", "id": 42, "program": {"id": 3, "slug": "demo"},
          "status": "active", "origin": "profile_request", "mentor_id": 7, ...}}
```

Only ids, states and times: no names, email addresses or messages (a receiver that needs
more asks the API). Each kind of object lists its fields here, so every service that
emits an event about it sends the same fields; webhooks reads them by model label and
never imports the apps above it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Model

# model label → (object name in the payload, fields read from the instance)
OBJECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "matching.connection": (
        "connection",
        (
            "status",
            "origin",
            "mentor_id",
            "mentee_id",
            "flash_meeting_id",
            "request_id",
            "started_at",
            "ends_on",
            "ended_at",
            "end_cause",
        ),
    ),
    "matching.connectionrequest": (
        "connection_request",
        (
            "status",
            "origin",
            "mentor_id",
            "mentee_id",
            "flash_meeting_id",
            "created_at",
            "responded_at",
            "decline_reason",
        ),
    ),
    "flash_meetings.flashmeeting": (
        "flash_meeting",
        (
            "status",
            "mentor_id",
            "mentee_id",
            "connection_id",
            "starts_at",
            "ends_at",
            "follow_up_choice",
            "follow_up_answered_at",
        ),
    ),
}


def as_json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def object_data(instance: Model, *, program: Model) -> dict[str, Any]:
    label = instance._meta.label_lower
    if label not in OBJECTS:
        raise ValueError(f"No webhook payload is defined for {label}.")
    name, fields = OBJECTS[label]
    data: dict[str, Any] = {
        "object": name,
        "id": instance.pk,
        "program": {"id": program.pk, "slug": program.slug},
    }
    for field in fields:
        data[field] = as_json_value(getattr(instance, field))
    return data


def build(
    *,
    event: str,
    instance: Model,
    program: Model,
    occurred_at: datetime,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data = object_data(instance, program=program)
    for key, value in (extra or {}).items():
        data[key] = as_json_value(value)
    return {"type": event, "timestamp": as_json_value(occurred_at), "data": data}


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed: compact, keys sorted (the same on every attempt,
    whatever order the database kept the JSON in)."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
