"""My account (name, time zone, language, email address, password) and the password pages.

The password pages are Django's views with the product's templates and forms; a reset
request goes through ``portal.accounts.password_reset_send`` (throttled, the outbox,
links from SITE_URL) instead of Django's direct mail.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mentoring import services
from mentoring.client_address import client_address
from mentoring.errors import AccountRefusal, TooManyRequests
from portal import accounts
from portal.account_forms import (
    EmailChangeForm,
    LanguageForm,
    PasswordResetRequestForm,
    ProductPasswordChangeForm,
    ProductSetPasswordForm,
    ProfileForm,
)

# --- My account ------------------------------------------------------------------------------


def _preferences_url() -> str | None:
    # The email preferences page (notifications:preferences), linked when it exists.
    try:
        return reverse("notifications:preferences")
    except NoReverseMatch:
        return None


def _account_page(
    request: HttpRequest,
    *,
    profile_form: ProfileForm | None = None,
    email_form: EmailChangeForm | None = None,
    language_form: LanguageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "portal/account.html",
        {
            "profile_form": profile_form or ProfileForm(user=request.user),
            "email_form": email_form or EmailChangeForm(),
            "language_form": language_form
            or LanguageForm(initial={"language": translation.get_language()}),
            "preferences_url": _preferences_url(),
        },
        status=status,
    )


def _refused(form, error: AccountRefusal) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """GET shows the page; POST saves the name and time zone."""
    if request.method == "GET":
        return _account_page(request)
    form = ProfileForm(request.POST, user=request.user)
    if not form.is_valid():
        return _account_page(request, profile_form=form, status=400)
    try:
        services.user_profile_update(
            user=request.user,
            display_name=form.cleaned_data["display_name"],
            time_zone=form.cleaned_data["time_zone"],
        )
    except AccountRefusal as error:
        _refused(form, error)
        return _account_page(request, profile_form=form, status=error.status_code)
    messages.success(request, _("Your name and time zone are saved."))
    return redirect("portal:account")


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Choose the language of the pages (and, signed in, of one's emails): from My account
    or the footer of any page. Signed in, the choice is stored on the account; signed out,
    in the language cookie that LocaleMiddleware reads."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("portal:account") if request.user.is_authenticated else "/"
    if not form.is_valid():
        if request.user.is_authenticated:
            return _account_page(request, language_form=form, status=400)
        messages.error(request, _("Choose a language from the list."))
        return redirect(next_url)
    chosen = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=chosen)
    translation.activate(chosen)
    request.LANGUAGE_CODE = chosen
    # Said in the language just chosen, named in its own words ("Español").
    name = dict(settings.LANGUAGES)[chosen]
    if request.user.is_authenticated:
        done = _("Your pages and emails are now in %(language)s.")
    else:
        done = _("Pages are now in %(language)s.")
    messages.success(request, done % {"language": name})
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        chosen,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@login_required
@require_POST
def account_email(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST)
    if not form.is_valid():
        return _account_page(request, email_form=form, status=400)
    try:
        user = services.user_email_change(
            user=request.user,
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
        )
    except AccountRefusal as error:
        _refused(form, error)
        return _account_page(request, email_form=form, status=error.status_code)
    messages.success(request, _("Your email address is now %(email)s.") % {"email": user.email})
    return redirect("portal:account")


# --- Password change (signed in) ---------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (it keeps this session signed in and signs out the others), back to
    My account with a message instead of a page of its own."""

    form_class = ProductPasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("portal:account")
    title = gettext_lazy("Change your password")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- Password reset (signed out) ----------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    title = gettext_lazy("Forgot your password?")

    def form_valid(self, form):
        try:
            accounts.password_reset_send(
                email=form.cleaned_data["email"],
                client_address=client_address(self.request),
            )
        except TooManyRequests as error:
            form.add_error(None, error.message)
            return self.render_to_response(
                self.get_context_data(form=form), status=error.status_code
            )
        # The same page whether or not an account uses the address.
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"
    title = gettext_lazy("Check your email")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ProductSetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    title = gettext_lazy("Choose a new password")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
    title = gettext_lazy("Your password is changed")
