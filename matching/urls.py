from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("programs/<slug:slug>/preferred/", views.preferred_list, name="preferred_list"),
    path("preferred/<int:entry_id>/remove/", views.preferred_remove, name="preferred_remove"),
    path("preferred/<int:entry_id>/move/", views.preferred_move, name="preferred_move"),
    path("requests/received/", views.requests_received, name="requests_received"),
    path("requests/sent/", views.requests_sent, name="requests_sent"),
    path("requests/<int:request_id>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:request_id>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:request_id>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("connections/<int:connection_id>/", views.connection_detail, name="connection_detail"),
    path("connections/<int:connection_id>/end/", views.connection_end, name="connection_end"),
]
