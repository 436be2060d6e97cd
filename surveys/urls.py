from django.urls import path

from surveys import connection_views, views

app_name = "surveys"

urlpatterns = [
    path("meetings/<int:meeting_id>/", views.meeting_survey, name="meeting"),
    path("meetings/<int:meeting_id>/answer/", views.meeting_survey_submit, name="submit"),
    path("meetings/<int:meeting_id>/thanks/", views.meeting_survey_thanks, name="thanks"),
    # A connection's mid-point check-in and closing survey: <kind> is check-in or closing.
    path(
        "connections/<int:connection_id>/<slug:kind>/",
        connection_views.connection_survey,
        name="connection",
    ),
    path(
        "connections/<int:connection_id>/<slug:kind>/answer/",
        connection_views.connection_survey_submit,
        name="connection_submit",
    ),
    path(
        "connections/<int:connection_id>/<slug:kind>/thanks/",
        connection_views.connection_survey_thanks,
        name="connection_thanks",
    ),
]
