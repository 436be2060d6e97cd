"""Signing in and out, and the password pages, under accounts/ (names without a
namespace, as Django's own ``django.contrib.auth.urls`` has them: ``login``,
``logout``, ``password_reset``…). Sign-in and sign-out are Django's views; the password
pages are the portal's (product templates; reset email through the outbox)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from portal.sign_in_forms import SignInForm
from portal.views import account

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", account.PasswordChangeView.as_view(), name="password_change"),
    path("password_reset/", account.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        account.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        account.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
