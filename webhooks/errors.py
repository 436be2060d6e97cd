from mentoring.errors import DomainError


class EndpointInactive(DomainError):
    """The endpoint is turned off, so nothing is sent to it."""
