from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("programs/<slug:slug>/mentors/", views.directory, name="directory"),
    path(
        "programs/<slug:slug>/mentors/<int:membership_id>/",
        views.mentor_profile,
        name="mentor_profile",
    ),
    path(
        "programs/<slug:slug>/mentors/<int:membership_id>/connect/",
        views.connect,
        name="connect",
    ),
    path(
        "programs/<slug:slug>/mentors/<int:membership_id>/prefer/",
        views.preferred_add,
        name="preferred_add",
    ),
]
