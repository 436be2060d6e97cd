"""The base of every domain error: a refusal with a message a person can read."""


class DomainError(Exception):
    """A rule of the product refused an action; ``message`` is shown to the person."""

    status_code = 409

    def __init__(self, message: str = "", *, code: str = "") -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or type(self).__name__
