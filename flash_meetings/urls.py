from django.urls import path

from flash_meetings.views import availability, follow_up, meetings

app_name = "flash_meetings"

urlpatterns = [
    path("", meetings.my_meetings, name="my_meetings"),
    path("mentor/", meetings.mentor_meetings, name="mentor_meetings"),
    path("availability/", availability.availability, name="availability"),
    path("availability/<int:slot_id>/remove/", availability.slot_remove, name="slot_remove"),
    path("request/<int:membership_id>/", meetings.request_meeting, name="request"),
    path(
        "connection/<int:connection_id>/request/",
        meetings.request_in_connection,
        name="request_in_connection",
    ),
    path("<int:meeting_id>/", meetings.detail, name="detail"),
    path("<int:meeting_id>/invite.ics", meetings.ics, name="ics"),
    path("<int:meeting_id>/accept/", meetings.accept, name="accept"),
    path("<int:meeting_id>/decline/", meetings.decline, name="decline"),
    path("<int:meeting_id>/propose/", meetings.propose, name="propose"),
    path("<int:meeting_id>/accept-proposal/", meetings.accept_proposal, name="accept_proposal"),
    path("<int:meeting_id>/withdraw/", meetings.withdraw, name="withdraw"),
    path("<int:meeting_id>/cancel/", meetings.cancel, name="cancel"),
    path("<int:meeting_id>/not-held/", meetings.not_held, name="not_held"),
    path("<int:meeting_id>/follow-up/", follow_up.follow_up_page, name="follow_up"),
    path(
        "<int:meeting_id>/follow-up/did-not-happen/",
        follow_up.follow_up_not_held,
        name="follow_up_not_held",
    ),
]
