"""Views that belong to no product area."""

import sys

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


@login_required
def baseline(request: HttpRequest) -> HttpResponse:
    """The benchmark's floor: a signed-in page with the full middleware stack and session,
    rendering a tiny template and touching no table of ours."""
    return render(request, "baseline.html")


# --- error pages ------------------------------------------------------------------------------
#
# Django's own handlers wear ``requires_csrf_token``, which runs the CSRF middleware's
# check again and so reads ``request.POST`` again. When reading the body is what failed
# (a form declaring a non-UTF-8 charset, too many fields, too large a body), the handler
# raised the same error a second time and the person got a bare 500 from gunicorn instead
# of the page. These render the same templates without re-reading the body; the CSRF
# middleware has already put its token on the request, so forms on the page still work.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


# How long a client (or a proxy) is asked to wait before trying again while the
# database cannot be reached: a restart or a failover takes seconds, not minutes.
RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this inside the ``except`` block that caught the error, so
    ``sys.exc_info()`` is the exception. A database that cannot be reached (restarting,
    failing over, out of connections) or a transaction cut short by it is not a bug in
    this request: the person gets a 503 that says to try again in a moment, and load
    balancers a ``Retry-After``. Anything else is a 500."""
    # No request context: whatever failed may fail again (both pages are self-contained).
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
