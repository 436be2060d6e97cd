from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config import views
from portal.sign_in_forms import AdminSignInForm

admin.site.site_header = _("Mentoring platform administration")
admin.site.site_title = _("Mentoring admin")
admin.site.index_title = _("Programs, people and settings")
# Lengths enforced, so an over-long name is a form error before django-axes sees it.
admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("portal.auth_urls")),
    path("api/", include("api.urls")),
    path("baseline/", views.baseline, name="baseline"),
    path("meetings/", include("flash_meetings.urls")),
    path("surveys/", include("surveys.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("portal.urls")),
]

# The error pages, without Django's second CSRF check (config/views.py says why).
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
