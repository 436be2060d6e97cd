"""Writes for matching settings."""

from typing import Any

from django.db import transaction

from matching.models import MatchingSettings, MatchingSettingsChange
from mentoring.models import User


def _display(settings: MatchingSettings, field_name: str, value: Any) -> str:
    field = settings._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


@transaction.atomic
def matching_settings_update(
    *, matching_settings: MatchingSettings, actor: User | None, changes: dict[str, Any]
) -> MatchingSettingsChange | None:
    """Apply ``changes`` ({field: new value}) and record who changed what.

    Returns the audit row, or None when nothing actually changed.
    """
    locked = MatchingSettings.objects.select_for_update().get(pk=matching_settings.pk)
    recorded: dict[str, dict[str, str]] = {}
    for field_name, new_value in changes.items():
        old_value = getattr(locked, field_name)
        if old_value == new_value:
            continue
        recorded[field_name] = {
            "label": str(locked._meta.get_field(field_name).verbose_name),
            "old": _display(locked, field_name, old_value),
            "new": _display(locked, field_name, new_value),
        }
        setattr(locked, field_name, new_value)
        setattr(matching_settings, field_name, new_value)
    if not recorded:
        return None
    locked.full_clean()
    locked.save()
    return MatchingSettingsChange.objects.create(
        matching_settings=locked, changed_by=actor, changes=recorded
    )
