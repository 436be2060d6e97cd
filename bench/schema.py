"""Every application model and rule the benchmark uses, imported in this one module.

When the apps move a model between them, this is the only file of the benchmark to
change. Import it after ``django.setup()``.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session

from flash_meetings.models import FlashMeeting
from matching import capacity, eligibility, modes
from matching.models import Connection, ConnectionRequest, FlashToOngoingPolicy, MatchingSettings
from mentoring.models import Membership, Program, User
from notifications.models import Notification
from surveys.models import Answer, Question, Survey, SurveyResponse

# The apps whose tables make up the benchmark's dataset (emptied by a rebuild that
# owns its database, see bench.dataset).
DATASET_APPS = ("mentoring", "matching", "flash_meetings", "surveys", "notifications")

__all__ = [
    "DATASET_APPS",
    "Answer",
    "Connection",
    "ConnectionRequest",
    "FlashMeeting",
    "FlashToOngoingPolicy",
    "MatchingSettings",
    "Membership",
    "Notification",
    "Program",
    "Question",
    "Session",
    "Survey",
    "SurveyResponse",
    "User",
    "capacity",
    "eligibility",
    "modes",
]
