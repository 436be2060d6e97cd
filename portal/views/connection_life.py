"""Life after connecting, on the connection page: goals (add, update, all with their
history), notes (shared or private; add, all) and the activity timeline.

Only the connection's two parties get here (anyone else: 404); a private note is only
ever shown to its author. The connection page shows the latest few of each, in a fixed
number of queries; the "all" pages are paginated."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching import selectors as matching_selectors
from matching.models import Connection
from mentoring.errors import DomainError
from ongoing import selectors, services, timeline
from ongoing.models import Goal
from portal.forms import EndConnectionForm
from portal.ongoing_forms import GoalForm, GoalUpdateForm, NoteForm
from portal.views import refused

GOALS_SHOWN = 5
NOTES_SHOWN = 5
EVENTS_SHOWN = 15
PAGE_SIZE = 20


def _latest(queryset, count: int) -> tuple[list, bool]:
    """The first ``count`` rows and whether there are more (one query, no COUNT)."""
    rows = list(queryset[: count + 1])
    return rows[:count], len(rows) > count


def connection_page_context(
    *,
    request: HttpRequest,
    connection: Connection,
    end_form: EndConnectionForm | None = None,
    goal_form: GoalForm | None = None,
    note_form: NoteForm | None = None,
) -> dict:
    goals, more_goals = _latest(selectors.goals(connection=connection), GOALS_SHOWN)
    notes, more_notes = _latest(
        selectors.notes_for(connection=connection, viewer=request.user), NOTES_SHOWN
    )
    return {
        "connection": connection,
        "form": end_form or EndConnectionForm(),
        "goals": goals,
        "more_goals": more_goals,
        "goal_form": goal_form or GoalForm(auto_id="id_goal_%s"),
        "notes": notes,
        "more_notes": more_notes,
        "note_form": note_form or NoteForm(auto_id="id_note_%s"),
        "events": timeline.timeline(connection=connection, viewer=request.user, limit=EVENTS_SHOWN),
    }


def _render_detail(
    request: HttpRequest, connection: Connection, status: int, **forms
) -> HttpResponse:
    return render(
        request,
        "portal/connection_detail.html",
        connection_page_context(request=request, connection=connection, **forms),
        status=status,
    )


# --- Goals -----------------------------------------------------------------------------------


def _goals_context(
    request: HttpRequest, connection: Connection, failed: tuple[int, GoalUpdateForm] | None = None
) -> dict:
    page = Paginator(selectors.goals_with_history(connection=connection), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for goal in page:
        if failed and failed[0] == goal.pk:
            goal.form = failed[1]
        else:
            goal.form = GoalUpdateForm(
                auto_id=f"id_goal_{goal.pk}_%s",
                initial={
                    "title": goal.title,
                    "description": goal.description,
                    "target_date": goal.target_date,
                    "status": goal.status,
                },
            )
    return {"connection": connection, "page": page}


@login_required
def connection_goals(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = matching_selectors.connection_for_party(
        user=request.user, connection_id=connection_id
    )
    return render(request, "portal/connection_goals.html", _goals_context(request, connection))


@login_required
@require_POST
def goal_add(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = matching_selectors.connection_for_party(
        user=request.user, connection_id=connection_id
    )
    form = GoalForm(request.POST, auto_id="id_goal_%s")
    if not form.is_valid():
        return _render_detail(request, connection, 400, goal_form=form)
    try:
        services.goal_add(connection=connection, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return _render_detail(request, connection, refused(request, error), goal_form=form)
    messages.success(request, _("The goal was added; the other person sees it too."))
    return redirect("portal:connection_detail", connection_id=connection.pk)


@login_required
@require_POST
def goal_update(request: HttpRequest, connection_id: int, goal_id: int) -> HttpResponse:
    connection = matching_selectors.connection_for_party(
        user=request.user, connection_id=connection_id
    )
    goal = get_object_or_404(Goal, pk=goal_id, connection=connection)
    form = GoalUpdateForm(request.POST, auto_id=f"id_goal_{goal.pk}_%s")
    if not form.is_valid():
        return render(
            request,
            "portal/connection_goals.html",
            _goals_context(request, connection, failed=(goal.pk, form)),
            status=400,
        )
    try:
        changes = services.goal_update(goal=goal, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        status = refused(request, error)
        return render(
            request,
            "portal/connection_goals.html",
            _goals_context(request, connection, failed=(goal.pk, form)),
            status=status,
        )
    if changes:
        messages.success(request, _("The goal was updated."))
    else:
        messages.success(request, _("Nothing changed in that goal."))
    return redirect(f"{_goals_url(connection)}#goal-{goal.pk}")


def _goals_url(connection: Connection) -> str:
    return reverse("portal:connection_goals", args=[connection.pk])


# --- Notes ------------------------------------------------------------------------------------


@login_required
def connection_notes(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = matching_selectors.connection_for_party(
        user=request.user, connection_id=connection_id
    )
    page = Paginator(
        selectors.notes_for(connection=connection, viewer=request.user), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "portal/connection_notes.html", {"connection": connection, "page": page})


@login_required
@require_POST
def note_add(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = matching_selectors.connection_for_party(
        user=request.user, connection_id=connection_id
    )
    form = NoteForm(request.POST, auto_id="id_note_%s")
    if not form.is_valid():
        return _render_detail(request, connection, 400, note_form=form)
    shared = form.cleaned_data["visibility"] == "shared"
    try:
        services.note_add(
            connection=connection, actor=request.user, body=form.cleaned_data["body"], shared=shared
        )
    except DomainError as error:
        return _render_detail(request, connection, refused(request, error), note_form=form)
    if shared:
        messages.success(request, _("Your note was added; the other person can read it."))
    else:
        messages.success(request, _("Your private note was added; only you can read it."))
    return redirect("portal:connection_detail", connection_id=connection.pk)
