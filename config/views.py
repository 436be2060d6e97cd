"""Views that belong to no product area."""

from django.contrib.auth.decorators import login_required
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


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever failed may fail again (500.html is self-contained).
    return HttpResponseServerError(loader.get_template("500.html").render())
