"""Which kinds of notification exist, the context each needs, and its templates.

Each app declares its kinds in ``<app>/notification_kinds.py``::

    from notifications.registry import NotificationKind, register

    register(NotificationKind(
        name="connection_request_received",
        required_context=("mentee_name", "request_path"),
        sample_context={"mentee_name": "Ada Lovelace", "request_path": "/requests/1/"},
        description="A mentor is told that a mentee asked for an ongoing connection.",
        label=_("A mentee asks you for ongoing mentoring"),
        why_always=ALWAYS_REQUEST_TO_YOU,
    ))

Whether a person may turn a kind off is part of its definition: ``optional=True`` for
nudges (reminders, invitations, prompts the site also shows), which then carry a
``List-Unsubscribe`` header and a footer link; everything else is mandatory (the
default, so a new kind is never silently skippable) and says in ``why_always`` why it
is always sent. ``label`` names the kind on the email preferences page.

A context is JSON written when the email is enqueued, in the actor's request, and
rendered later for the recipient in *their* language and zone (``rendering``). So it
holds no text already put into words: dates, times, choice labels and our own phrases
go in as marked values from ``notifications.localized`` (``span``, ``moment``, ``day``,
``text``, and ``by_language`` for a text written in several languages), written out at
render time; names, people's own words, codes, numbers and
paths go in as they are. ``sample_context`` follows the same rule, so that
``tests/notifications/test_languages.py`` renders every kind in each language.

``NotificationsConfig.ready()`` imports every installed app's ``notification_kinds``
module, so the registry is complete once Django is set up. Templates live in
``templates/notifications/<name>/`` as ``subject.txt``, ``body.txt`` and ``body.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


class NotificationKindError(LookupError):
    """A programming error: unknown kind, clashing registration or missing context."""


# Why a mandatory kind is always sent, in the words of the email preferences page; kinds
# sharing a reason are listed together there. A kind may also give a reason of its own.
ALWAYS_REQUEST_TO_YOU = _(
    "They are about a request addressed to you: one that waits for your answer, or one "
    "that no longer does."
)
ALWAYS_YOUR_REQUEST = _("They tell you what happened to a request you made.")
ALWAYS_YOUR_MEETING = _(
    "They tell you about a change to a meeting you take part in: when it is, or whether it happens."
)
ALWAYS_YOUR_CONNECTION = _("They tell you about a mentoring connection made or ended for you.")
ALWAYS_ADMIN_TEST = _("A program admin sends this only to check that email reaches you.")


@dataclass(frozen=True)
class NotificationKind:
    name: str
    required_context: tuple[str, ...] = ()
    sample_context: dict[str, Any] = field(default_factory=dict)
    description: str = ""  # for developers and admins
    # The email preferences page: a short name for people, whether they may turn it off,
    # and (mandatory kinds) why not.
    label: str = ""
    optional: bool = False
    why_always: str = ""

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
        if self.optional and self.why_always:
            raise NotificationKindError(
                f"{self.name}: an optional kind has no reason to be always sent."
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


def is_optional(name: str) -> bool:
    """Whether the person may turn this kind off; unknown kinds are not optional."""
    kind = _registry.get(name)
    return kind is not None and kind.optional


def optional_kinds() -> list[NotificationKind]:
    return [kind for kind in all_kinds() if kind.optional]
