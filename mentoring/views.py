from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mentoring import selectors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    memberships = list(selectors.memberships_for_user(user=request.user))
    return render(request, "mentoring/dashboard.html", {"memberships": memberships})
