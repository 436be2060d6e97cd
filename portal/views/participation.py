"""My participation: one page per program for the signed-in person, with a section per
active membership they hold there (mentor, mentee, or both). The URL names only the
program: nobody can address another person's membership, and a program the person
takes no active part in is 404. The writes are matching's
``services.membership_update``, which locks the membership and records the change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching import capacity, selectors, services
from mentoring.errors import DomainError
from mentoring.models import Membership
from portal.forms import MenteeParticipationForm, MentorParticipationForm
from portal.views import refused

TEMPLATE = "portal/participation.html"


def _mentor_form(access: selectors.ProgramAccess, data=None) -> MentorParticipationForm | None:
    membership = access.membership(Membership.Role.MENTOR)
    if membership is None:
        return None
    return MentorParticipationForm(
        data,
        membership=membership,
        settings=access.settings,
        caps=capacity.mentor_limit_ceilings(access.settings),
    )


def _mentee_form(access: selectors.ProgramAccess, data=None) -> MenteeParticipationForm | None:
    membership = access.mentee_membership
    if membership is None:
        return None
    return MenteeParticipationForm(data, membership=membership)


def _render(request: HttpRequest, access, mentor_form, mentee_form, status: int = 200):
    settings = access.settings
    mentor = access.membership(Membership.Role.MENTOR)
    return render(
        request,
        TEMPLATE,
        {
            "access": access,
            "program": access.program,
            "settings": settings,
            "mentor_membership": mentor,
            "mentee_membership": access.mentee_membership,
            "mentor_form": mentor_form,
            "mentee_form": mentee_form,
            "mentee_limits": {
                "ongoing_mentors": settings.max_ongoing_mentors_per_mentee,
                "pending_requests": settings.max_pending_requests_per_mentee,
                "pending_meeting_requests": settings.max_pending_meeting_requests_per_mentee,
            },
        },
        status=status,
    )


@login_required
def participation(request: HttpRequest, slug: str) -> HttpResponse:
    access = selectors.program_access(slug=slug, user=request.user)  # 404 unless a member
    return _render(request, access, _mentor_form(access), _mentee_form(access))


def _save(request: HttpRequest, membership: Membership, form, changes) -> int | None:
    """Call the service; None when saved, else the status of the page shown again (a
    refusal about one field becomes that field's error)."""
    try:
        change = services.membership_update(
            membership=membership, actor=request.user, changes=changes
        )
    except DomainError as error:
        field = getattr(error, "field", "")
        if field and field in form.fields:
            form.add_error(field, error.message)
            return error.status_code
        return refused(request, error)
    messages.success(
        request, _("Your changes are saved.") if change else _("Nothing to change: all as before.")
    )
    return None


@login_required
@require_POST
def participation_mentor(request: HttpRequest, slug: str) -> HttpResponse:
    access = selectors.program_access(slug=slug, user=request.user)
    form = _mentor_form(access, request.POST)
    if form is None:
        raise Http404
    status = 400
    if form.is_valid():
        status = _save(
            request,
            form.membership,
            form,
            # A modes value the page did not offer is passed on for the service to refuse.
            form.changes(posted_modes=request.POST.get("modes")),
        )
        if status is None:
            return redirect(reverse("portal:participation", args=[slug]) + "#as-mentor")
    return _render(request, access, form, _mentee_form(access), status=status)


@login_required
@require_POST
def participation_mentee(request: HttpRequest, slug: str) -> HttpResponse:
    access = selectors.program_access(slug=slug, user=request.user)
    form = _mentee_form(access, request.POST)
    if form is None:
        raise Http404
    status = 400
    if form.is_valid():
        status = _save(request, access.mentee_membership, form, form.changes())
        if status is None:
            return redirect(reverse("portal:participation", args=[slug]) + "#as-mentee")
    return _render(request, access, _mentor_form(access), form, status=status)
