"""Reads of the email preferences: which optional kinds a person turned off, and why a
notification is not to be sent."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from mentoring.when import day
from notifications.models import EmailOptOut
from notifications.registry import NotificationKind, all_kinds, is_optional


def turned_off_kinds(*, user_id: int) -> set[str]:
    """The optional kinds this person turned off (rows for other kinds do not count)."""
    kinds = EmailOptOut.objects.filter(user_id=user_id).values_list("kind", flat=True)
    return {kind for kind in kinds if is_optional(kind)}


def suppression_reason(*, user_id: int, kind: str) -> str:
    """Why a notification of ``kind`` to this person must not be sent; "" to send it.

    Mandatory kinds are always sent, whatever rows exist (no query for them). The reason
    is written for the admin's outbox, in the site's language.
    """
    if not is_optional(kind):
        return ""
    opt_out = EmailOptOut.objects.filter(user_id=user_id, kind=kind).first()
    if opt_out is None:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Turned off by the recipient on %(day)s, through %(via)s.") % {
            "day": day(opt_out.created_at),
            "via": opt_out.get_via_display(),
        }


@dataclass(frozen=True)
class AlwaysSent:
    """Mandatory kinds that share one reason, for the preferences page."""

    reason: str
    labels: list[str]


def always_sent() -> list[AlwaysSent]:
    """The kinds nobody can turn off, grouped by why, in the order reasons first appear
    among the kinds sorted by name; labels sorted within a group."""
    groups: dict[str, list[str]] = {}
    fallback = _("They are about something that concerns you directly.")
    for kind in all_kinds():
        if kind.optional:
            continue
        groups.setdefault(str(kind.why_always or fallback), []).append(_label(kind))
    return [AlwaysSent(reason, sorted(labels)) for reason, labels in groups.items()]


def _label(kind: NotificationKind) -> str:
    return str(kind.label or kind.description or kind.name)
