"""The dashboard: the person's programs, connections, flash meetings and surveys
waiting, each from its own app's selectors."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from flash_meetings import selectors as meeting_selectors
from matching import selectors
from mentoring.models import Membership
from surveys import selectors as survey_selectors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The person's programs, connections, meetings and surveys: each app's own read."""
    user = request.user
    memberships = selectors.memberships_for_user(user=user)
    connections = selectors.dashboard_connections(user=user)
    meetings_to_follow_up, upcoming_meetings = meeting_selectors.dashboard_meetings(user=user)
    is_mentor = any(m.role == Membership.Role.MENTOR for m in memberships)
    return render(
        request,
        "portal/dashboard.html",
        {
            "memberships": memberships,
            "meetings_to_follow_up": meetings_to_follow_up,
            "upcoming_meetings": upcoming_meetings,
            "surveys_waiting": survey_selectors.surveys_waiting_for(user=user),
            "connections_as_mentee": [c for c in connections if c.mentee_id == user.pk],
            "connections_as_mentor": [c for c in connections if c.mentor_id == user.pk],
            "is_mentor": is_mentor,
            "pending_received": selectors.pending_received_count(user=user) if is_mentor else 0,
        },
    )
