"""Which mentoring modes a program and a mentor offer, and whether the
one-time-to-ongoing feature is available or in effect (DESIGN.md, "Mentoring modes"
and "The feature switch"). Plain functions over plain values, so every caller —
pages, services, admin, tests — asks the same question the same way.
"""

from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _


class ModeSwitches(Protocol):
    ongoing_enabled: bool
    one_time_enabled: bool
    preferred_mentoring_enabled: bool
    mentors_choose_modes: bool


class FeatureSwitches(ModeSwitches, Protocol):
    flash_to_ongoing_enabled: bool


class MentorModes(Protocol):
    offers_ongoing: bool
    offers_one_time: bool


@dataclass(frozen=True)
class ModesOffered:
    ongoing: bool
    one_time: bool

    @property
    def one_time_only(self) -> bool:
        return self.one_time and not self.ongoing


def flash_to_ongoing_available(settings: ModeSwitches) -> bool:
    """Both modes on and Preferred Mentoring off: only then can the feature be used."""
    return (
        settings.ongoing_enabled
        and settings.one_time_enabled
        and not settings.preferred_mentoring_enabled
    )


def flash_to_ongoing_in_effect(settings: FeatureSwitches) -> bool:
    """Available and switched on."""
    return flash_to_ongoing_available(settings) and settings.flash_to_ongoing_enabled


def flash_to_ongoing_unavailable_reason(settings: ModeSwitches) -> str:
    """One sentence telling a program admin what to change; empty when available."""
    missing = []
    if not settings.ongoing_enabled:
        missing.append(_("turn on ongoing mentoring"))
    if not settings.one_time_enabled:
        missing.append(_("turn on one-time mentoring"))
    if settings.preferred_mentoring_enabled:
        missing.append(_("turn off Preferred Mentoring"))
    if not missing:
        return ""
    steps = (
        missing[0]
        if len(missing) == 1
        else _("%(first)s and %(last)s") % {"first": ", ".join(missing[:-1]), "last": missing[-1]}
    )
    return _(
        "Offering ongoing mentoring after a one-time meeting needs both mentoring modes "
        "on and Preferred Mentoring off: %(steps)s under “Mentoring modes” to make it "
        "available."
    ) % {"steps": steps}


def mentor_modes_offered(*, settings: ModeSwitches, mentor: MentorModes) -> ModesOffered:
    """What a mentor offers: the program's modes, narrowed by the mentor's own choice
    only when the program lets mentors choose."""
    if settings.mentors_choose_modes:
        return ModesOffered(
            ongoing=settings.ongoing_enabled and mentor.offers_ongoing,
            one_time=settings.one_time_enabled and mentor.offers_one_time,
        )
    return ModesOffered(ongoing=settings.ongoing_enabled, one_time=settings.one_time_enabled)
