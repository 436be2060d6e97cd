from django.urls import path

from flash_meetings import follow_up_views, views

app_name = "flash_meetings"

urlpatterns = [
    path("", views.my_meetings, name="my_meetings"),
    path("mentor/", views.mentor_meetings, name="mentor_meetings"),
    path("availability/", views.availability, name="availability"),
    path("availability/<int:slot_id>/remove/", views.slot_remove, name="slot_remove"),
    path("request/<int:membership_id>/", views.request_meeting, name="request"),
    path("<int:meeting_id>/", views.detail, name="detail"),
    path("<int:meeting_id>/invite.ics", views.ics, name="ics"),
    path("<int:meeting_id>/accept/", views.accept, name="accept"),
    path("<int:meeting_id>/decline/", views.decline, name="decline"),
    path("<int:meeting_id>/propose/", views.propose, name="propose"),
    path("<int:meeting_id>/accept-proposal/", views.accept_proposal, name="accept_proposal"),
    path("<int:meeting_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:meeting_id>/cancel/", views.cancel, name="cancel"),
    path("<int:meeting_id>/not-held/", views.not_held, name="not_held"),
    path("<int:meeting_id>/follow-up/", follow_up_views.follow_up_page, name="follow_up"),
]
