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


# --- A person's own account (mentoring.services.user_*) ---------------------------------


class AccountRefusal(InvalidInput):
    """A change to one's own account refused; ``field`` names the form field it is about
    (None: the form as a whole)."""

    field: str | None = None

    def __init__(self, message: str = "", *, code: str = "", field: str | None = None) -> None:
        super().__init__(message, code=code)
        if field is not None:
            self.field = field


class WrongPassword(AccountRefusal):
    """The current password given to confirm a change is not the account's password."""

    field = "password"


class EmailTaken(AccountRefusal):
    """Another account already uses that email address."""

    field = "email"


class TooManyRequests(DomainError):
    """A rate limit was reached (password reset requests); try again later."""

    status_code = 429
