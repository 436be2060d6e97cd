"""Refusals of the capacity rules (DESIGN.md, "Capacity"): each carries the sentence a
person reads and the rule's reason code (``capacity.MENTOR_FULL``…) as ``code``."""

from mentoring.errors import DomainError


class MentorFull(DomainError):
    """The mentor has no free ongoing slot."""


class MenteeAtLimit(DomainError):
    """The mentee already has as many ongoing mentors, or pending requests, as allowed."""


class AlreadyConnected(DomainError):
    """The pair already has an active connection in this program."""


class RequestAlreadyPending(DomainError):
    """The pair already has a pending connection request in this program."""


class MentorDeclined(DomainError):
    """The mentor declined this mentee's request within the program's cool-off."""


class MentorPaused(DomainError):
    """The mentor is not taking new mentees until a date still to come."""


class ParticipationRefused(DomainError):
    """A change to a membership that the program's rules do not allow; ``field`` names the
    form field it is about (empty: the change as a whole)."""

    status_code = 400

    def __init__(self, message: str = "", *, field: str = "", code: str = "") -> None:
        super().__init__(message, code=code)
        self.field = field


class MembershipExists(DomainError):
    """The person already has that role in that program (active or not)."""
