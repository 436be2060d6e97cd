from django.urls import path

from portal.views import (
    account,
    connection_life,
    dashboard,
    extensions,
    mentors,
    ongoing,
    participation,
)

app_name = "portal"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("account/", account.account, name="account"),
    path("account/email/", account.account_email, name="account_email"),
    path("language/", account.language, name="language"),
    path("programs/<slug:slug>/mentors/", mentors.directory, name="directory"),
    path(
        "programs/<slug:slug>/mentors/<int:membership_id>/",
        mentors.mentor_profile,
        name="mentor_profile",
    ),
    path(
        "programs/<slug:slug>/mentors/<int:membership_id>/connect/",
        mentors.connect,
        name="connect",
    ),
    path(
        "programs/<slug:slug>/mentors/<int:membership_id>/prefer/",
        mentors.preferred_add,
        name="preferred_add",
    ),
    path("programs/<slug:slug>/preferred/", ongoing.preferred_list, name="preferred_list"),
    path(
        "programs/<slug:slug>/participation/",
        participation.participation,
        name="participation",
    ),
    path(
        "programs/<slug:slug>/participation/mentor/",
        participation.participation_mentor,
        name="participation_mentor",
    ),
    path(
        "programs/<slug:slug>/participation/mentee/",
        participation.participation_mentee,
        name="participation_mentee",
    ),
    path("preferred/<int:entry_id>/remove/", ongoing.preferred_remove, name="preferred_remove"),
    path("preferred/<int:entry_id>/move/", ongoing.preferred_move, name="preferred_move"),
    path("requests/received/", ongoing.requests_received, name="requests_received"),
    path("requests/sent/", ongoing.requests_sent, name="requests_sent"),
    path("requests/<int:request_id>/accept/", ongoing.request_accept, name="request_accept"),
    path("requests/<int:request_id>/decline/", ongoing.request_decline, name="request_decline"),
    path("requests/<int:request_id>/withdraw/", ongoing.request_withdraw, name="request_withdraw"),
    path("connections/<int:connection_id>/", ongoing.connection_detail, name="connection_detail"),
    path("connections/<int:connection_id>/end/", ongoing.connection_end, name="connection_end"),
    path(
        "connections/<int:connection_id>/extension/ask/",
        extensions.extension_request,
        name="extension_request",
    ),
    path(
        "connections/<int:connection_id>/extension/accept/",
        extensions.extension_accept,
        name="extension_accept",
    ),
    path(
        "connections/<int:connection_id>/extension/decline/",
        extensions.extension_decline,
        name="extension_decline",
    ),
    path(
        "connections/<int:connection_id>/extension/withdraw/",
        extensions.extension_withdraw,
        name="extension_withdraw",
    ),
    path(
        "connections/<int:connection_id>/goals/",
        connection_life.connection_goals,
        name="connection_goals",
    ),
    path("connections/<int:connection_id>/goals/add/", connection_life.goal_add, name="goal_add"),
    path(
        "connections/<int:connection_id>/goals/<int:goal_id>/",
        connection_life.goal_update,
        name="goal_update",
    ),
    path(
        "connections/<int:connection_id>/notes/",
        connection_life.connection_notes,
        name="connection_notes",
    ),
    path("connections/<int:connection_id>/notes/add/", connection_life.note_add, name="note_add"),
]
