"""``/api/v1/``: one router, one module per resource (api/views/)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import problems
from api.views import programs

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("programs", programs.ProgramViewSet, basename="program")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/", include(router.urls)),
    re_path(r"^.*$", problems.not_found, name="not_found"),
]
