"""The change histories' one format (``MatchingSettingsChange``, ``MembershipChange``).

A change records, for each field it changed, ``{"label", "old", "new"}`` in the words an
admin reads: "on"/"off" for a switch, a choice's label, a day as "30 March 2026", "—"
for blank, a long text cut short; written in the language active when the change was
made. ``summary`` shows a change as one line: "label: old → new; …".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from mentoring import when

SHOWN_TEXT = 80  # long texts are recorded shortened


def shown(instance: models.Model, field_name: str, value: Any) -> str:
    """``value`` of ``instance``'s field ``field_name`` as the history records it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("on") if value else _("off")
    if isinstance(value, date):
        return when.day(value)
    if isinstance(value, models.Model):
        return str(value)
    field = instance._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    text = str(value)
    return text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "…"


def apply_changes(instance: models.Model, changes: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Set on ``instance`` each field of ``changes`` whose value differs, and return
    those, recorded (``{field: {"label", "old", "new"}}``; empty: nothing changed)."""
    recorded: dict[str, dict[str, str]] = {}
    for field_name, new_value in changes.items():
        old_value = getattr(instance, field_name)
        if old_value == new_value:
            continue
        recorded[field_name] = {
            "label": str(instance._meta.get_field(field_name).verbose_name),
            "old": shown(instance, field_name, old_value),
            "new": shown(instance, field_name, new_value),
        }
        setattr(instance, field_name, new_value)
    return recorded


def summary(recorded: dict[str, dict[str, str]]) -> str:
    """A recorded change as one line: "label: old → new; …"."""
    return "; ".join(
        f"{item['label']}: {item['old']} → {item['new']}" for item in recorded.values()
    )
