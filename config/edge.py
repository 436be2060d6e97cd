"""The URLs answered before the site's own middleware: health and metrics.

:class:`EdgeMiddleware` is first in MIDDLEWARE. Load balancers, orchestrators and
Prometheus reach each web process directly, over plain http and by IP address; behind
SecurityMiddleware they would be redirected to https, behind the host check refused
(the IP is not in ALLOWED_HOSTS). Answered here, no session is read, no cookie set, no
CSRF check or sign-in throttle (django-axes) runs, and the request log and the request
metrics are not flooded with probes. Neither answer builds a URL from the Host header,
so skipping the host check is safe.

For every other request the cost is one dictionary lookup.

``/metrics`` answers only the clients :func:`config.metrics.allowed` lets in; for anyone
else the request goes on down the stack like any other and meets the same 404 (or, in
production over http, the same https redirect) as an unknown URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from config import health, metrics

READ_METHODS = ("GET", "HEAD")


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(json.dumps(body), content_type="application/json", status=status)


def _live(request: HttpRequest) -> HttpResponse:
    return _json(*health.live())


def _ready(request: HttpRequest) -> HttpResponse:
    response = _json(*health.ready())
    # Each failing check has logged one line saying what failed; Django's own "Service
    # Unavailable" line at ERROR, on every probe of an outage, would add nothing.
    response._has_been_logged = True  # type: ignore[attr-defined]  # read by log_response
    return response


def _metrics(request: HttpRequest) -> HttpResponse:
    return HttpResponse(metrics.render(), content_type=metrics.CONTENT_TYPE)


# Exact paths only: what an orchestrator's probe or a scrape config names.
ROUTES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/health/live": _live,
    "/health/ready": _ready,
    "/metrics": _metrics,
}
# Who may have an answer, for the routes that are not for everyone.
GUARDS: dict[str, Callable[[HttpRequest], bool]] = {"/metrics": metrics.allowed}


def _harden(response: HttpResponse) -> HttpResponse:
    # The headers the skipped middleware would have added, and never a cached copy: a
    # proxy must not answer the next probe with an old "ok".
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


class EdgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        metrics.allowed_networks()  # a malformed METRICS_ALLOWED_NETWORKS fails at start

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        route = ROUTES.get(path)
        if route is None:
            return self.get_response(request)
        guard = GUARDS.get(path)
        if guard is not None and not guard(request):
            return self.get_response(request)  # not advertised: an unknown URL's answer
        if request.method not in READ_METHODS:
            return _harden(HttpResponseNotAllowed(READ_METHODS))
        response = route(request)
        if request.method == "HEAD":
            response.content = b""
        return _harden(response)
