"""The mentor directory and a mentor's profile: Connect, Preferred Mentoring and the
flash-meeting request (matching's and flash_meetings' reads, side by side)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flash_meetings import selectors as meeting_selectors
from matching import capacity, refusals, selectors, services
from mentoring.errors import DomainError
from portal import directory_cache
from portal.forms import ConnectionRequestForm, DirectorySearchForm
from portal.views import refused

DIRECTORY_PAGE_SIZE = 20


def _page_number(value: str | None) -> int:
    """The page asked for, as ``Paginator.get_page`` reads it (anything else: the first)."""
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


@login_required
def directory(request: HttpRequest, slug: str) -> HttpResponse:
    access = selectors.program_access(slug=slug, user=request.user)
    form = DirectorySearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    number = request.GET.get("page")
    mentor_ids = directory_cache.ordered_ids(
        key_parts=(access.program.pk, access.settings.updated_at, query),
        build=lambda: selectors.mentor_directory(
            program=access.program, settings=access.settings, query=query
        ),
        # Where the page will slice from, so that its ids come with the first read.
        around=(_page_number(number) - 1) * DIRECTORY_PAGE_SIZE,
    )
    page = Paginator(mentor_ids, DIRECTORY_PAGE_SIZE).get_page(number)
    page.object_list = selectors.directory_cards(
        ids=list(page.object_list), settings=access.settings
    )
    return render(
        request,
        "portal/directory.html",
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
            paused_until=mentor.paused_until,
        ).message
    availability = selectors.mentor_availability(
        settings=access.settings,
        mentor=mentor,
        max_ongoing_mentees=mentor.max_ongoing_mentees,
        slots_used=capacity.mentor_slots(membership=mentor, settings=access.settings).used,
        paused_until=mentor.paused_until,
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
        "availability_label": selectors.availability_label(
            availability, paused_until=mentor.paused_until
        ),
        "own_profile": facts.own_profile,
        "can_connect": bool(decision),
        "why_not": why_not,
        "form": form or ConnectionRequestForm(),
        "can_prefer": bool(
            access.preferred_mentoring and access.mentee_membership and not facts.own_profile
        ),
        "preferred_entry": preferred,
        "flash_meetings": meeting_selectors.profile_section(
            mentor_membership=mentor,
            viewer=request.user,
            settings=access.settings,
            viewer_is_mentee=access.mentee_membership is not None,
        ),
    }


@login_required
def mentor_profile(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    return render(
        request, "portal/mentor_profile.html", _profile_context(request, slug, membership_id)
    )


@login_required
@require_POST
def connect(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = selectors.program_access(slug=slug, user=request.user)
    mentor = selectors.mentor_profile(
        program=access.program,
        settings=access.settings,
        membership_id=membership_id,
        with_slots=False,
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
            status = refused(request, error)
        else:
            messages.success(
                request,
                _("Your request was sent to %(mentor)s. You'll get an email when they answer.")
                % {"mentor": mentor.user.name},
            )
            return redirect("portal:requests_sent")
    else:
        status = 400
    context = _profile_context(request, slug, membership_id, form=form)
    return render(request, "portal/mentor_profile.html", context, status=status)


@login_required
@require_POST
def preferred_add(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = selectors.program_access(slug=slug, user=request.user)
    mentor = selectors.mentor_profile(
        program=access.program,
        settings=access.settings,
        membership_id=membership_id,
        with_slots=False,
    )
    try:
        services.preferred_mentor_add(
            program=access.program, mentee=request.user, mentor=mentor.user
        )
    except DomainError as error:
        status = refused(request, error)
        return render(
            request,
            "portal/mentor_profile.html",
            _profile_context(request, slug, membership_id),
            status=status,
        )
    messages.success(
        request,
        _("%(mentor)s is now on your list of preferred mentors.") % {"mentor": mentor.user.name},
    )
    return redirect("portal:preferred_list", slug=slug)
