"""Refusals of the flash-meeting rules: each carries the sentence a person reads."""

from mentoring.errors import DomainError


class FlashMeetingError(DomainError):
    """A flash-meeting rule refused the action."""


class NotOffered(FlashMeetingError):
    """One-time mentoring is off, or this mentor does not offer it."""


class InactiveMembership(FlashMeetingError):
    """The person is not (or no longer) an active member in that role."""

    status_code = 403


class NotAllowed(FlashMeetingError):
    """The person takes part in the meeting but may not do this."""

    status_code = 403


class SelfMeeting(FlashMeetingError):
    """A mentor cannot meet themselves."""


class TooSoon(FlashMeetingError):
    """The time is closer than the program's booking notice (or already past)."""


class SlotTaken(FlashMeetingError):
    """Someone else booked that slot first."""


class SlotOverlap(FlashMeetingError):
    """The time clashes with another slot or scheduled meeting of the mentor."""


class PendingLimitReached(FlashMeetingError):
    """The mentee already has the program's maximum of pending meeting requests."""


class MonthlyLimitReached(FlashMeetingError):
    """The mentor has no flash meeting left for that calendar month."""


class InvalidTransition(FlashMeetingError):
    """The meeting is not in a state that allows this."""


class BadRequest(FlashMeetingError):
    """The request itself is incomplete (for example no time chosen)."""

    status_code = 400


# --- the post-meeting follow-up -------------------------------------------------------


class FollowUpError(DomainError):
    status_code = 409


class FollowUpNotOpen(FollowUpError):
    """The meeting has not ended yet, or was cancelled / never scheduled."""

    def __init__(self, message: str = "", *, code: str = "") -> None:
        super().__init__(message, code=code or "meeting_not_over")  # eligibility's code


class FollowUpAlreadyAnswered(FollowUpError):
    """A different choice was already recorded."""

    def __init__(self, message: str = "", *, code: str = "") -> None:
        super().__init__(message, code=code or "already_answered")  # eligibility's code


class OfferNoLongerAvailable(FollowUpError):
    """Between page load and click, the offer went away (slot taken, feature off…);
    ``code`` is the eligibility reason (``mentor_full``, ``feature_off``…)."""


class OfferChanged(FollowUpError):
    """Between page load and click, the program switched the policy: the mentee must
    see what "yes" now means before it happens."""


class ConnectionNotOpen(FlashMeetingError):
    """A meeting within a connection: only its mentee, with its mentor, while it is active."""

    status_code = 409
