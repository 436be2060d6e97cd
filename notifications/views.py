"""Email preferences (signed in: one's own, addressed by the session, so nobody else's
can be named) and the signed unsubscribe link (no sign-in: the token is the credential).
Thin: parse, call one service, render or redirect."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from mentoring.errors import DomainError
from notifications import selectors, services, tokens
from notifications.forms import PreferencesForm
from notifications.models import EmailOptOut
from notifications.registry import get_kind, is_optional, optional_kinds

PAGES = "notifications/pages"


def _render_preferences(request: HttpRequest, form: PreferencesForm, status: int = 200):
    return render(
        request,
        f"{PAGES}/preferences.html",
        {"form": form, "always_sent": selectors.always_sent()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if not form.is_valid():
            return _render_preferences(request, form, status=400)
        try:
            services.email_preferences_save(user=request.user, send=form.cleaned_data["send"])
        except DomainError as error:
            form.add_error("send", error.message)
            return _render_preferences(request, form, status=error.status_code)
        messages.success(request, _("Your email choices are saved."))
        return redirect("notifications:preferences")
    off = selectors.turned_off_kinds(user_id=request.user.pk)
    form = PreferencesForm(
        initial={"send": [kind.name for kind in optional_kinds() if kind.name not in off]}
    )
    return _render_preferences(request, form)


def _link_problem(request: HttpRequest, *, expired: bool) -> HttpResponse:
    return render(
        request,
        f"{PAGES}/unsubscribe_problem.html",
        {"expired": expired, "max_age_days": tokens.MAX_AGE.days},
        status=410 if expired else 400,
    )


# The one view without CSRF protection, on purpose. RFC 8058: a mail program's own
# "Unsubscribe" button POSTs "List-Unsubscribe=One-Click" to the link in the
# List-Unsubscribe header, with no cookie and no CSRF token, and that must work. The
# signed, expiring token in the URL is the credential (a forged request cannot make one),
# and all the view can do is turn one optional kind of email off for the person the
# token names: idempotent, and nothing an attacker gains from. GET only shows a page with
# a button (link scanners open links; they must not unsubscribe anyone).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        target = tokens.read_token(token)
    except tokens.TokenExpired:
        return _link_problem(request, expired=True)
    except tokens.TokenInvalid:
        return _link_problem(request, expired=False)
    person = get_user_model().objects.filter(pk=target.user_id, is_active=True).first()
    if person is None or not _known_kind(target.kind):
        return _link_problem(request, expired=False)
    kind = get_kind(target.kind)
    context = {"kind": kind, "email": person.email, "state": "confirm"}
    if not is_optional(kind.name):
        # A link made while the kind was optional; it has since become mandatory.
        context["state"] = "mandatory"
        return render(
            request,
            f"{PAGES}/unsubscribe.html",
            context,
            status=409 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        via = EmailOptOut.Via.LINK if "from_page" in request.POST else EmailOptOut.Via.ONE_CLICK
        services.email_kind_turn_off(user=person, kind=kind.name, via=via)
        context["state"] = "done"
    elif kind.name in selectors.turned_off_kinds(user_id=person.pk):
        context["state"] = "already_off"
    return render(request, f"{PAGES}/unsubscribe.html", context)


def _known_kind(name: str) -> bool:
    try:
        get_kind(name)
    except LookupError:
        return False
    return True
