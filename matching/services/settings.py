"""Writes for matching settings."""

from typing import Any

from django.db import transaction

from matching import history
from matching.models import MatchingSettings, MatchingSettingsChange
from mentoring.models import User


@transaction.atomic
def matching_settings_update(
    *, matching_settings: MatchingSettings, actor: User | None, changes: dict[str, Any]
) -> MatchingSettingsChange | None:
    """Apply ``changes`` ({field: new value}) and record who changed what.

    Returns the audit row, or None when nothing actually changed.
    """
    locked = MatchingSettings.objects.select_for_update().get(pk=matching_settings.pk)
    recorded = history.apply_changes(locked, changes)
    for field_name in recorded:
        setattr(matching_settings, field_name, getattr(locked, field_name))
    if not recorded:
        return None
    locked.full_clean()
    locked.save()
    return MatchingSettingsChange.objects.create(
        matching_settings=locked, changed_by=actor, changes=recorded
    )
