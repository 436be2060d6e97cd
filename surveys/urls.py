from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("meetings/<int:meeting_id>/", views.meeting_survey, name="meeting"),
    path("meetings/<int:meeting_id>/answer/", views.meeting_survey_submit, name="submit"),
    path("meetings/<int:meeting_id>/thanks/", views.meeting_survey_thanks, name="thanks"),
]
