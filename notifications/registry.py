"""Which kinds of notification exist, the context each needs, and its templates.

Each app declares its kinds in ``<app>/notification_kinds.py``::

    from notifications.registry import NotificationKind, register

    register(NotificationKind(
        name="connection_request_received",
        required_context=("mentee_name", "request_path"),
        sample_context={"mentee_name": "Ada Lovelace", "request_path": "/requests/1/"},
        description="A mentor is told that a mentee asked for an ongoing connection.",
    ))

``NotificationsConfig.ready()`` imports every installed app's ``notification_kinds``
module, so the registry is complete once Django is set up. Templates live in
``templates/notifications/<name>/`` as ``subject.txt``, ``body.txt`` and ``body.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class NotificationKindError(LookupError):
    """A programming error: unknown kind, clashing registration or missing context."""


@dataclass(frozen=True)
class NotificationKind:
    name: str
    required_context: tuple[str, ...] = ()
    sample_context: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").isalnum():
            raise NotificationKindError(
                f"Notification kind name {self.name!r} must be letters, digits and '_'."
            )
        if isinstance(self.required_context, str):
            raise NotificationKindError(
                f"{self.name}: required_context must be a tuple of names, not a string."
            )
        missing = [key for key in self.required_context if key not in self.sample_context]
        if missing:
            raise NotificationKindError(
                f"{self.name}: sample_context lacks required keys {', '.join(missing)}."
            )

    @property
    def template_names(self) -> dict[str, str]:
        """The three templates a kind must have, by part."""
        base = f"notifications/{self.name}"
        return {
            "subject": f"{base}/subject.txt",
            "text": f"{base}/body.txt",
            "html": f"{base}/body.html",
        }

    def missing_context(self, context: dict[str, Any]) -> list[str]:
        return [key for key in self.required_context if key not in context]


_registry: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    """Add a kind; registering the same definition again is harmless."""
    existing = _registry.get(kind.name)
    if existing is not None and existing != kind:
        raise NotificationKindError(
            f"Notification kind {kind.name!r} is already registered with another definition."
        )
    _registry[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests that register throwaway kinds clean up with this)."""
    _registry.pop(name, None)


def get_kind(name: str) -> NotificationKind:
    try:
        return _registry[name]
    except KeyError:
        raise NotificationKindError(
            f"Unknown notification kind {name!r}: declare it in <app>/notification_kinds.py."
        ) from None


def all_kinds() -> list[NotificationKind]:
    return sorted(_registry.values(), key=lambda kind: kind.name)
