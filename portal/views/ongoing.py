"""Ongoing mentoring: connection requests (received and sent), a connection, and a
mentee's preferred-mentors list. A refused action re-renders its page with the reason
and a 4xx status."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching import selectors, services
from matching.models import Connection, ConnectionRequest, PreferredMentor
from mentoring.errors import DomainError, InvalidInput
from portal.forms import DeclineForm, EndConnectionForm, MoveForm
from portal.views import refused
from portal.views.connection_life import connection_page_context

# --- Requests ----------------------------------------------------------------------------


def _received_context(request: HttpRequest, failed: tuple[int, DeclineForm] | None = None) -> dict:
    pending = list(selectors.pending_requests_received(user=request.user))
    for item in pending:
        if failed and failed[0] == item.pk:
            item.decline_form = failed[1]
        else:
            item.decline_form = DeclineForm(auto_id=f"id_decline_{item.pk}_%s")
        expiry_days = item.program.matching_settings.request_expiry_days
        item.expires_at = item.created_at + timedelta(days=expiry_days) if expiry_days else None
    return {
        "pending": pending,
        "answered": list(selectors.answered_requests_received(user=request.user)),
    }


@login_required
def requests_received(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/requests_received.html", _received_context(request))


@login_required
def requests_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/requests_sent.html",
        {"requests": list(selectors.requests_sent(user=request.user))},
    )


@login_required
@require_POST
def request_accept(request: HttpRequest, request_id: int) -> HttpResponse:
    connection_request = get_object_or_404(ConnectionRequest, pk=request_id, mentor=request.user)
    try:
        connection = services.connection_request_accept(
            request=connection_request, actor=request.user
        )
    except DomainError as error:
        status = refused(request, error)
        return render(
            request, "portal/requests_received.html", _received_context(request), status=status
        )
    messages.success(
        request,
        _("You're now connected with %(mentee)s.") % {"mentee": connection.mentee.name},
    )
    return redirect("portal:requests_received")


@login_required
@require_POST
def request_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    connection_request = get_object_or_404(ConnectionRequest, pk=request_id, mentor=request.user)
    form = DeclineForm(request.POST, auto_id=f"id_decline_{connection_request.pk}_%s")
    if not form.is_valid():
        return render(
            request,
            "portal/requests_received.html",
            _received_context(request, failed=(connection_request.pk, form)),
            status=400,
        )
    try:
        services.connection_request_decline(
            request=connection_request,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        status = refused(request, error)
        return render(
            request, "portal/requests_received.html", _received_context(request), status=status
        )
    messages.success(
        request,
        _("You declined the request from %(mentee)s; they have been told.")
        % {"mentee": connection_request.mentee.name},
    )
    return redirect("portal:requests_received")


@login_required
@require_POST
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    connection_request = get_object_or_404(ConnectionRequest, pk=request_id, mentee=request.user)
    try:
        services.connection_request_withdraw(request=connection_request, actor=request.user)
    except DomainError as error:
        status = refused(request, error)
        return render(
            request,
            "portal/requests_sent.html",
            {"requests": list(selectors.requests_sent(user=request.user))},
            status=status,
        )
    messages.success(request, _("Your request was withdrawn."))
    return redirect("portal:requests_sent")


# --- Connections ---------------------------------------------------------------------------


def _connection_context(
    request: HttpRequest, connection: Connection, form: EndConnectionForm | None = None
) -> dict:
    """The connection with its goals, notes and activity (portal/views/connection_life.py)."""
    return connection_page_context(request=request, connection=connection, end_form=form)


@login_required
def connection_detail(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = selectors.connection_for_party(user=request.user, connection_id=connection_id)
    return render(
        request, "portal/connection_detail.html", _connection_context(request, connection)
    )


@login_required
@require_POST
def connection_end(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = selectors.connection_for_party(user=request.user, connection_id=connection_id)
    form = EndConnectionForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "portal/connection_detail.html",
            _connection_context(request, connection, form),
            status=400,
        )
    try:
        services.connection_end(
            connection=connection, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        status = refused(request, error)
        return render(
            request,
            "portal/connection_detail.html",
            _connection_context(request, connection, form),
            status=status,
        )
    messages.success(request, _("The connection has ended; the other person has been told."))
    return redirect("portal:dashboard")


# --- Preferred mentors ------------------------------------------------------------------


def _preferred_context(request: HttpRequest, slug: str) -> dict:
    access = selectors.program_access(slug=slug, user=request.user)
    return {
        "access": access,
        "program": access.program,
        "entries": (
            selectors.preferred_list(program=access.program, mentee=request.user)
            if access.mentee_membership
            else []
        ),
    }


@login_required
def preferred_list(request: HttpRequest, slug: str) -> HttpResponse:
    context = _preferred_context(request, slug)
    access = context["access"]
    if not (access.preferred_mentoring and access.mentee_membership):
        return render(request, "portal/preferred_list.html", context, status=404)
    return render(request, "portal/preferred_list.html", context)


@login_required
@require_POST
def preferred_remove(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(
        PreferredMentor.objects.select_related("program", "mentor", "mentee"),
        pk=entry_id,
        mentee=request.user,
    )
    try:
        services.preferred_mentor_remove(entry=entry, actor=request.user)
    except DomainError as error:
        status = refused(request, error)
        return render(
            request,
            "portal/preferred_list.html",
            _preferred_context(request, entry.program.slug),
            status=status,
        )
    messages.success(
        request, _("%(mentor)s was removed from your list.") % {"mentor": entry.mentor.name}
    )
    return redirect("portal:preferred_list", slug=entry.program.slug)


@login_required
@require_POST
def preferred_move(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(
        PreferredMentor.objects.select_related("program", "mentor", "mentee"),
        pk=entry_id,
        mentee=request.user,
    )
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Choose whether to move the mentor up or down."))
        services.preferred_mentor_move(
            entry=entry, actor=request.user, direction=form.cleaned_data["direction"]
        )
    except DomainError as error:
        status = refused(request, error)
        return render(
            request,
            "portal/preferred_list.html",
            _preferred_context(request, entry.program.slug),
            status=status,
        )
    return redirect("portal:preferred_list", slug=entry.program.slug)
