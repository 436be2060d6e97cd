"""Views that belong to no product area."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def baseline(request: HttpRequest) -> HttpResponse:
    """The benchmark's floor: a signed-in page with the full middleware stack and session,
    rendering a tiny template and touching no table of ours."""
    return render(request, "baseline.html")
