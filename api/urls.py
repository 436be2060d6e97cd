"""``/api/v1/``: one router, one module per resource (api/views/)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import problems
from api.views import (
    connections,
    directory,
    follow_up,
    meetings,
    memberships,
    programs,
    reports,
    requests,
    surveys,
)

app_name = "api"

router = SimpleRouter(trailing_slash=True, use_regex_path=False)
router.register("programs", programs.ProgramViewSet, basename="program")
router.register(
    "programs/<int:program_id>/mentors", directory.MentorDirectoryViewSet, basename="program-mentor"
)
router.register(
    "connection-requests", requests.ConnectionRequestViewSet, basename="connection-request"
)
router.register("connections", connections.ConnectionViewSet, basename="connection")
router.register("flash-meetings", meetings.MeetingViewSet, basename="flash-meeting")
router.register("memberships", memberships.MembershipViewSet, basename="membership")
router.register("survey-responses", surveys.SurveyResponseViewSet, basename="survey-response")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "v1/flash-meetings/<int:meeting_id>/follow-up/",
        follow_up.FollowUpView.as_view(),
        name="flash-meeting-follow-up",
    ),
    path(
        "v1/programs/<int:program_id>/flash-to-ongoing-report/",
        reports.FollowUpReportView.as_view(),
        name="flash-to-ongoing-report",
    ),
    path("v1/", include(router.urls)),
    # Any other address (even one with a line break in it): the JSON 404.
    re_path(r"^[\s\S]*$", problems.not_found, name="not_found"),
]
