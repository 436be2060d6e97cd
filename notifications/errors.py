"""Refusals of the email preferences: each carries the sentence a person reads."""

from mentoring.errors import DomainError


class KindNotOptional(DomainError):
    """This kind of email cannot be turned off (or no such kind exists)."""

    status_code = 400
