"""The participants' pages: ``dashboard``; ``mentors`` (the directory and a mentor's
profile, with Connect, Preferred Mentoring and the flash-meeting request); ``ongoing``
(connection requests, connections and the preferred list). Thin: parse, call one
service, redirect (POST-redirect-GET); reads come from each app's selectors."""

from django.contrib import messages
from django.http import HttpRequest

from mentoring.errors import DomainError


def refused(request: HttpRequest, error: DomainError) -> int:
    """Show the refusal's sentence on the page that comes back; its HTTP status."""
    messages.error(request, error.message)
    return error.status_code
