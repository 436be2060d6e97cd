"""Every application model and rule the benchmark uses, imported in this one module.

The apps move models between them from time to time (``Connection`` and
``ConnectionRequest`` are on their way from ``mentoring`` to ``matching``); when they
do, this is the only file of the benchmark to change. Import it after
``django.setup()``.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session

from flash_meetings.models import FlashMeeting
from matching import capacity, eligibility, modes
from matching.models import FlashToOngoingPolicy, MatchingSettings
from mentoring.models import Connection, ConnectionRequest, Membership, Program, User
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
