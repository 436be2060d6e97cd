"""The base of every domain error: a refusal with a message a person can read."""


class DomainError(Exception):
    """A rule of the product refused an action; ``message`` is shown to the person."""

    status_code = 409

    def __init__(self, message: str = "", *, code: str = "") -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or type(self).__name__


class NotAllowed(DomainError):
    """The person may not take this action (role, membership, program mode)."""

    status_code = 403


class IllegalTransition(DomainError):
    """The object is no longer in a state that allows this move."""


class InvalidInput(DomainError):
    """A value the service needs is missing or malformed."""

    status_code = 400
