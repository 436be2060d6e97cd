"""The dashboard: the person's programs, connections, flash meetings and surveys
waiting, each from its own app's selectors."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from flash_meetings import selectors as meeting_selectors
from matching import selectors
from mentoring.models import Membership
from surveys import connection_selectors
from surveys import selectors as survey_selectors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The person's programs, connections, meetings and surveys: each app's own read."""
    user = request.user
    memberships = selectors.memberships_for_user(user=user)
    connections = selectors.dashboard_connections(user=user)
    meetings_to_follow_up, upcoming_meetings = meeting_selectors.dashboard_meetings(user=user)
    # The sections follow the roles the person holds in active programs (as the
    # navigation does); a past role still shows its connections, nothing more.
    taking_part = [m for m in memberships if m.active and m.program.active]
    is_mentor = any(m.role == Membership.Role.MENTOR for m in taking_part)
    is_mentee = any(m.role == Membership.Role.MENTEE for m in taking_part)
    return render(
        request,
        "portal/dashboard.html",
        {
            "memberships": memberships,
            "is_mentee": is_mentee,
            # Staff who take part in no program came to run programs: say where.
            "show_admin_entry": user.is_staff and not taking_part,
            "meetings_to_follow_up": meetings_to_follow_up,
            "upcoming_meetings": upcoming_meetings,
            "surveys_waiting": survey_selectors.surveys_waiting_for(user=user),
            "connection_surveys_waiting": connection_selectors.connection_surveys_waiting_for(
                user=user
            ),
            "connections_as_mentee": [c for c in connections if c.mentee_id == user.pk],
            "connections_as_mentor": [c for c in connections if c.mentor_id == user.pk],
            "is_mentor": is_mentor,
            "pending_received": selectors.pending_received_count(user=user) if is_mentor else 0,
        },
    )
