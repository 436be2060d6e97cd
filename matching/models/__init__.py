"""Matching's models, one module per aggregate:

* ``settings``: how one program matches mentors and mentees: ``MatchingSettings``
  (exactly one per program) and its ``FlashToOngoingPolicy``, with their audit trail:
  ``MatchingSettingsChange`` (who changed which setting, when, old → new) and
  ``MembershipChange`` (the same for one membership's own terms);
* ``connections``: what matching produces: ``Connection`` (it holds one of the
  mentor's slots while active) and its ``ConnectionExtension``s, ``ConnectionRequest``
  (a pending one holds a slot) and ``PreferredMentor`` (a mentee's ranked list in a
  Preferred Mentoring program).

The two modules do not import each other. Callers import the models from here
(``from matching.models import Connection``); Django's app label and the model names
are those of the single ``models.py`` this package replaced (over 400 lines).
"""

from matching.models.connections import (
    Connection,
    ConnectionExtension,
    ConnectionRequest,
    PreferredMentor,
)
from matching.models.settings import (
    FlashToOngoingPolicy,
    MatchingSettings,
    MatchingSettingsChange,
    MembershipChange,
)

__all__ = [
    "Connection",
    "ConnectionExtension",
    "ConnectionRequest",
    "FlashToOngoingPolicy",
    "MatchingSettings",
    "MatchingSettingsChange",
    "MembershipChange",
    "PreferredMentor",
]
