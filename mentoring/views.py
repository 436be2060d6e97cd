"""Pages for mentees and mentors. Thin: parse, call one service, redirect (POST-redirect-
GET). A refused action re-renders its page with the reason and a 4xx status."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentoring import directory_cache, refusals, selectors, services
from mentoring.errors import DomainError, InvalidInput
from mentoring.forms import (
    ConnectionRequestForm,
    DeclineForm,
    DirectorySearchForm,
    EndConnectionForm,
    MoveForm,
)
from mentoring.models import Connection, ConnectionRequest, Membership, PreferredMentor

DIRECTORY_PAGE_SIZE = 20
# The flash meetings app's "Request a flash meeting" section on the mentor profile: a
# small template of ours that calls its inclusion tag, used once that tag library exists.
FLASH_MEETING_SECTION_TEMPLATE = "mentoring/_flash_meeting_section.html"
FLASH_MEETING_TAG_LIBRARY = "flash_meetings_tags"


def _refused(request: HttpRequest, error: DomainError) -> int:
    messages.error(request, error.message)
    return error.status_code


def _flash_meeting_section_template() -> str:
    libraries = engines["django"].engine.template_libraries
    return FLASH_MEETING_SECTION_TEMPLATE if FLASH_MEETING_TAG_LIBRARY in libraries else ""


# --- Dashboard ---------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = selectors.memberships_for_user(user=user)
    connections = selectors.dashboard_connections(user=user)
    return render(
        request,
        "mentoring/dashboard.html",
        {
            "memberships": memberships,
            "connections_as_mentee": [c for c in connections if c.mentee_id == user.pk],
            "connections_as_mentor": [c for c in connections if c.mentor_id == user.pk],
            "is_mentor": any(m.role == Membership.Role.MENTOR for m in memberships),
            "pending_received": (
                selectors.pending_received_count(user=user)
                if any(m.role == Membership.Role.MENTOR for m in memberships)
                else 0
            ),
        },
    )


# --- Directory and profile ------------------------------------------------------------


@login_required
def directory(request: HttpRequest, slug: str) -> HttpResponse:
    access = selectors.program_access(slug=slug, user=request.user)
    form = DirectorySearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    mentor_ids = directory_cache.ordered_ids(
        key_parts=(access.program.pk, access.settings.updated_at, query),
        build=lambda: selectors.mentor_directory(
            program=access.program, settings=access.settings, query=query
        ),
    )
    page = Paginator(mentor_ids, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.directory_cards(
        ids=list(page.object_list), settings=access.settings
    )
    return render(
        request,
        "mentoring/directory.html",
        {"access": access, "program": access.program, "form": form, "query": query, "page": page},
    )


def _profile_context(
    request: HttpRequest, slug: str, membership_id: int, form: ConnectionRequestForm | None = None
) -> dict:
    access = selectors.program_access(slug=slug, user=request.user)
    mentor = selectors.mentor_profile(
        program=access.program, settings=access.settings, membership_id=membership_id
    )
    decision, facts = selectors.connect_decision(
        access=access, mentor_membership=mentor, viewer=request.user
    )
    why_not = ""
    if not decision and not (access.preferred_mentoring and access.mentee_membership):
        why_not = refusals.for_mentee(
            decision.reason,
            mentor_name=mentor.user.name,
            connection_limit=facts.mentee_connection_limit,
            pending_limit=facts.mentee_pending_limit,
        ).message
    availability = selectors.mentor_availability(
        settings=access.settings,
        mentor=mentor,
        max_ongoing_mentees=mentor.max_ongoing_mentees,
        slots_used=mentor.slots_used,
    )
    preferred = None
    if access.preferred_mentoring and access.mentee_membership and not facts.own_profile:
        preferred = selectors.preferred_entry(
            program=access.program, mentee=request.user, mentor=mentor.user
        )
    return {
        "access": access,
        "program": access.program,
        "mentor_membership": mentor,
        "offers_ongoing": availability != selectors.Availability.ONE_TIME_ONLY,
        "availability": availability,
        "can_connect": bool(decision),
        "why_not": why_not,
        "form": form or ConnectionRequestForm(),
        "can_prefer": bool(
            access.preferred_mentoring and access.mentee_membership and not facts.own_profile
        ),
        "preferred_entry": preferred,
        "flash_meeting_section_template": _flash_meeting_section_template(),
    }


@login_required
def mentor_profile(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    return render(
        request, "mentoring/mentor_profile.html", _profile_context(request, slug, membership_id)
    )


@login_required
@require_POST
def connect(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = selectors.program_access(slug=slug, user=request.user)
    mentor = selectors.mentor_profile(
        program=access.program, settings=access.settings, membership_id=membership_id
    )
    form = ConnectionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.connection_request_create(
                program=access.program,
                mentor=mentor.user,
                mentee=request.user,
                message=form.cleaned_data["message"],
            )
        except DomainError as error:
            status = _refused(request, error)
        else:
            messages.success(
                request,
                _("Your request was sent to %(mentor)s. You'll get an email when they answer.")
                % {"mentor": mentor.user.name},
            )
            return redirect("mentoring:requests_sent")
    else:
        status = 400
    context = _profile_context(request, slug, membership_id, form=form)
    return render(request, "mentoring/mentor_profile.html", context, status=status)


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
    return render(request, "mentoring/requests_received.html", _received_context(request))


@login_required
def requests_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "mentoring/requests_sent.html",
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
        status = _refused(request, error)
        return render(
            request, "mentoring/requests_received.html", _received_context(request), status=status
        )
    messages.success(
        request,
        _("You're now connected with %(mentee)s.") % {"mentee": connection.mentee.name},
    )
    return redirect("mentoring:requests_received")


@login_required
@require_POST
def request_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    connection_request = get_object_or_404(ConnectionRequest, pk=request_id, mentor=request.user)
    form = DeclineForm(request.POST, auto_id=f"id_decline_{connection_request.pk}_%s")
    if not form.is_valid():
        return render(
            request,
            "mentoring/requests_received.html",
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
        status = _refused(request, error)
        return render(
            request, "mentoring/requests_received.html", _received_context(request), status=status
        )
    messages.success(
        request,
        _("You declined the request from %(mentee)s; they have been told.")
        % {"mentee": connection_request.mentee.name},
    )
    return redirect("mentoring:requests_received")


@login_required
@require_POST
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    connection_request = get_object_or_404(ConnectionRequest, pk=request_id, mentee=request.user)
    try:
        services.connection_request_withdraw(request=connection_request, actor=request.user)
    except DomainError as error:
        status = _refused(request, error)
        return render(
            request,
            "mentoring/requests_sent.html",
            {"requests": list(selectors.requests_sent(user=request.user))},
            status=status,
        )
    messages.success(request, _("Your request was withdrawn."))
    return redirect("mentoring:requests_sent")


# --- Connections ---------------------------------------------------------------------------


def _connection_context(connection: Connection, form: EndConnectionForm | None = None) -> dict:
    return {"connection": connection, "form": form or EndConnectionForm()}


@login_required
def connection_detail(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = selectors.connection_for_party(user=request.user, connection_id=connection_id)
    return render(request, "mentoring/connection_detail.html", _connection_context(connection))


@login_required
@require_POST
def connection_end(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = selectors.connection_for_party(user=request.user, connection_id=connection_id)
    form = EndConnectionForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "mentoring/connection_detail.html",
            _connection_context(connection, form),
            status=400,
        )
    try:
        services.connection_end(
            connection=connection, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        status = _refused(request, error)
        return render(
            request,
            "mentoring/connection_detail.html",
            _connection_context(connection, form),
            status=status,
        )
    messages.success(request, _("The connection has ended; the other person has been told."))
    return redirect("mentoring:dashboard")


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
        return render(request, "mentoring/preferred_list.html", context, status=404)
    return render(request, "mentoring/preferred_list.html", context)


@login_required
@require_POST
def preferred_add(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = selectors.program_access(slug=slug, user=request.user)
    mentor = selectors.mentor_profile(
        program=access.program, settings=access.settings, membership_id=membership_id
    )
    try:
        services.preferred_mentor_add(
            program=access.program, mentee=request.user, mentor=mentor.user
        )
    except DomainError as error:
        status = _refused(request, error)
        return render(
            request,
            "mentoring/mentor_profile.html",
            _profile_context(request, slug, membership_id),
            status=status,
        )
    messages.success(
        request,
        _("%(mentor)s is now on your list of preferred mentors.") % {"mentor": mentor.user.name},
    )
    return redirect("mentoring:preferred_list", slug=slug)


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
        status = _refused(request, error)
        return render(
            request,
            "mentoring/preferred_list.html",
            _preferred_context(request, entry.program.slug),
            status=status,
        )
    messages.success(
        request, _("%(mentor)s was removed from your list.") % {"mentor": entry.mentor.name}
    )
    return redirect("mentoring:preferred_list", slug=entry.program.slug)


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
        status = _refused(request, error)
        return render(
            request,
            "mentoring/preferred_list.html",
            _preferred_context(request, entry.program.slug),
            status=status,
        )
    return redirect("mentoring:preferred_list", slug=entry.program.slug)
