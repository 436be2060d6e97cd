"""Writes for flash meetings, one module per part of a meeting's life:

* ``availability``: a mentor's open slots;
* ``requests``: a meeting request and its answer (scheduled, declined, withdrawn);
* ``outcomes``: cancelled before the start, held or not held after the end;
* ``follow_up``: the mentee's answer to the post-meeting follow-up (the flash-to-ongoing
  offer);
* ``jobs``: the periodic expiry, reminders and follow-up emails;
* ``common``: the checks, the lock and the email context they share.

Callers import the services from here (``from flash_meetings import services``); the
refusals are in ``flash_meetings.errors``.
"""

from flash_meetings.services.availability import (
    MAX_REPEAT_WEEKS,
    availability_slot_remove,
    availability_slots_create,
)
from flash_meetings.services.follow_up import follow_up_answer
from flash_meetings.services.jobs import (
    flash_meetings_expire_requests,
    flash_meetings_send_follow_ups,
    flash_meetings_send_reminders,
)
from flash_meetings.services.outcomes import (
    flash_meeting_cancel,
    flash_meeting_complete,
    flash_meeting_record_not_held,
)
from flash_meetings.services.requests import (
    MAX_PROPOSED_TIMES,
    check_time_choice,
    flash_meeting_accept,
    flash_meeting_accept_proposal,
    flash_meeting_decline,
    flash_meeting_propose_time,
    flash_meeting_request,
    flash_meeting_withdraw,
)

__all__ = [
    "MAX_PROPOSED_TIMES",
    "MAX_REPEAT_WEEKS",
    "availability_slot_remove",
    "availability_slots_create",
    "check_time_choice",
    "flash_meeting_accept",
    "flash_meeting_accept_proposal",
    "flash_meeting_cancel",
    "flash_meeting_complete",
    "flash_meeting_decline",
    "flash_meeting_propose_time",
    "flash_meeting_record_not_held",
    "flash_meeting_request",
    "flash_meeting_withdraw",
    "flash_meetings_expire_requests",
    "flash_meetings_send_follow_ups",
    "flash_meetings_send_reminders",
    "follow_up_answer",
]
