"""A mentee's and a mentor's meetings: the lists, one meeting and its actions, and the
request form. Thin views: parse, call one service, redirect (POST-redirect-GET).

Only the meeting's mentor and mentee can see a meeting or act on it; anyone else gets
404. Domain errors become a message and a redirect, never a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flash_meetings import selectors, services
from flash_meetings.forms import (
    AcceptForm,
    AcceptProposalForm,
    CancelForm,
    DeclineForm,
    ProposeForm,
    RequestForm,
)
from flash_meetings.ics import meeting_calendar
from flash_meetings.models import FlashMeeting
from matching.models import Connection, MatchingSettings
from mentoring.errors import DomainError
from mentoring.models import Membership


def _back_to(meeting: FlashMeeting) -> HttpResponse:
    return redirect("flash_meetings:detail", meeting_id=meeting.pk)


# --- lists --------------------------------------------------------------------------


@login_required
@require_GET
def my_meetings(request: HttpRequest) -> HttpResponse:
    groups = selectors.mentee_meetings(mentee=request.user)
    return render(request, "flash_meetings/my_meetings.html", {"groups": groups})


@login_required
@require_GET
def mentor_meetings(request: HttpRequest) -> HttpResponse:
    groups = selectors.mentor_meetings(mentor=request.user)
    return render(request, "flash_meetings/mentor_meetings.html", {"groups": groups})


# --- one meeting --------------------------------------------------------------------

# The propose form sits beside the accept form, which has the same fields (location,
# video link): its own ids keep each label on its own field.
PROPOSE_IDS = "id_propose_%s"


def _detail_context(request: HttpRequest, meeting: FlashMeeting, **forms) -> dict:
    is_mentor = request.user.pk == meeting.mentor_id
    proposals = list(meeting.proposed_times.all())
    context = {
        "meeting": meeting,
        "is_mentor": is_mentor,
        "is_mentee": not is_mentor,
        "other": meeting.other_party(request.user),
        "mentee_proposals": [p for p in proposals if not p.by_mentor],
        "mentor_proposals": [p for p in proposals if p.by_mentor],
        "is_over": meeting.is_over(),
        # The one rule for "needs a follow-up" (FlashMeeting.needs_follow_up), as on
        # My meetings and the dashboard: an answered meeting offers none.
        "needs_follow_up": not is_mentor and meeting.needs_follow_up(),
        "has_started": meeting.has_started(),
        "has_invite": meeting.status
        in (
            FlashMeeting.Status.SCHEDULED,
            FlashMeeting.Status.COMPLETED,
            FlashMeeting.Status.CANCELLED,
        ),
    }
    if meeting.is_pending and is_mentor:
        context["accept_form"] = forms.get("accept_form") or AcceptForm(
            meeting=meeting, viewer=request.user
        )
        context["decline_form"] = forms.get("decline_form") or DeclineForm()
        context["propose_form"] = forms.get("propose_form") or ProposeForm(
            user=request.user, auto_id=PROPOSE_IDS
        )
    if meeting.status == FlashMeeting.Status.SCHEDULED and not meeting.has_started():
        context["cancel_form"] = forms.get("cancel_form") or CancelForm()
    return context


@login_required
@require_GET
def detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_participant(meeting_id=meeting_id, user=request.user)
    return render(request, "flash_meetings/detail.html", _detail_context(request, meeting))


def _invalid(request: HttpRequest, meeting: FlashMeeting, **forms) -> HttpResponse:
    return render(
        request,
        "flash_meetings/detail.html",
        _detail_context(request, meeting, **forms),
        status=400,
    )


@login_required
@require_GET
def ics(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_participant(meeting_id=meeting_id, user=request.user)
    if meeting.starts_at is None or meeting.status not in (
        FlashMeeting.Status.SCHEDULED,
        FlashMeeting.Status.COMPLETED,
        FlashMeeting.Status.CANCELLED,
    ):
        raise Http404
    response = HttpResponse(meeting_calendar(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="flash-meeting-{meeting.pk}.ics"'
    return response


def _act(request: HttpRequest, meeting: FlashMeeting, action, success: str) -> HttpResponse:
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _back_to(meeting)


@login_required
@require_POST
def accept(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_participant(meeting_id=meeting_id, user=request.user)
    form = AcceptForm(request.POST, meeting=meeting, viewer=request.user)
    if not form.is_valid():
        return _invalid(request, meeting, accept_form=form)
    return _act(
        request,
        meeting,
        lambda: services.flash_meeting_accept(
            meeting=meeting,
            actor=request.user,
            proposed_time=form.cleaned_data["proposed_time"],
            location=form.cleaned_data["location"],
            video_url=form.cleaned_data["video_url"],
        ),
        _("Meeting scheduled; you both got a calendar invite by email."),
    )


@login_required
@require_POST
def decline(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_participant(meeting_id=meeting_id, user=request.user)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _invalid(request, meeting, decline_form=form)
    return _act(
        request,
        meeting,
        lambda: services.flash_meeting_decline(
            meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("Request declined; the mentee has been told why."),
    )


@login_required
@require_POST
def propose(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_participant(meeting_id=meeting_id, user=request.user)
    form = ProposeForm(request.POST, user=request.user, auto_id=PROPOSE_IDS)
    if not form.is_valid():
        return _invalid(request, meeting, propose_form=form)
    return _act(
        request,
        meeting,
        lambda: services.flash_meeting_propose_time(
            meeting=meeting,
            actor=request.user,
            starts_at=form.cleaned_data["starts_at"],
            location=form.cleaned_data["location"],
            video_url=form.cleaned_data["video_url"],
        ),
        _("Time proposed; the mentee can accept it from the meeting page."),
    )


@login_required
@require_POST
def accept_proposal(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_participant(meeting_id=meeting_id, user=request.user)
    form = AcceptProposalForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, _("That proposed time is no longer available."))
        return _back_to(meeting)
    return _act(
        request,
        meeting,
        lambda: services.flash_meeting_accept_proposal(
            meeting=meeting, actor=request.user, proposed_time=form.cleaned_data["proposed_time"]
        ),
        _("Meeting scheduled; you both got a calendar invite by email."),
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_participant(meeting_id=meeting_id, user=request.user)
    return _act(
        request,
        meeting,
        lambda: services.flash_meeting_withdraw(meeting=meeting, actor=request.user),
        _("Request withdrawn."),
    )


@login_required
@require_POST
def cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_participant(meeting_id=meeting_id, user=request.user)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _invalid(request, meeting, cancel_form=form)
    return _act(
        request,
        meeting,
        lambda: services.flash_meeting_cancel(
            meeting=meeting, actor=request.user, message=form.cleaned_data["message"]
        ),
        _("Meeting cancelled; you both got a calendar cancellation by email."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def not_held(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """GET asks once for confirmation (a page, no script); POST records it."""
    meeting = selectors.meeting_for_participant(meeting_id=meeting_id, user=request.user)
    if request.method == "GET":
        if not meeting.is_over():
            return _back_to(meeting)
        return render(
            request,
            "flash_meetings/confirm_not_held.html",
            {
                "meeting": meeting,
                "other_name": meeting.other_party(request.user).name,
                "action_url": reverse("flash_meetings:not_held", args=[meeting.pk]),
                "back_url": reverse("flash_meetings:detail", args=[meeting.pk]),
            },
        )
    return _act(
        request,
        meeting,
        lambda: services.flash_meeting_record_not_held(meeting=meeting, actor=request.user),
        _("Recorded: this meeting did not happen."),
    )


# --- requesting ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_meeting(request: HttpRequest, membership_id: int) -> HttpResponse:
    mentor_membership = get_object_or_404(
        Membership.objects.select_related("user", "program"),
        pk=membership_id,
        role=Membership.Role.MENTOR,
        program__memberships__user=request.user,
        program__memberships__role=Membership.Role.MENTEE,
    )
    settings = MatchingSettings.objects.select_related("program").get(
        program_id=mentor_membership.program_id
    )
    section = selectors.profile_section(
        mentor_membership=mentor_membership,
        viewer=request.user,
        settings=settings,
        viewer_is_mentee=Membership.objects.filter(
            program_id=mentor_membership.program_id,
            user=request.user,
            role=Membership.Role.MENTEE,
            active=True,
        ).exists(),
    )
    return _request_page(request, mentor_membership, settings, section.can_request, section.reason)


@login_required
@require_http_methods(["GET", "POST"])
def request_in_connection(request: HttpRequest, connection_id: int) -> HttpResponse:
    """The request page for a meeting within an ongoing connection: its mentee only
    (anyone else gets 404), with its mentor, while the connection is active."""
    connection = get_object_or_404(Connection, pk=connection_id, mentee=request.user)
    mentor_membership = get_object_or_404(
        Membership.objects.select_related("user", "program"),
        program_id=connection.program_id,
        user_id=connection.mentor_id,
        role=Membership.Role.MENTOR,
    )
    settings = MatchingSettings.objects.select_related("program").get(
        program_id=mentor_membership.program_id
    )
    reason = "" if connection.is_active else _("This connection has ended.")
    return _request_page(
        request, mentor_membership, settings, connection.is_active, reason, connection=connection
    )


def _request_page(
    request: HttpRequest,
    mentor_membership: Membership,
    settings: MatchingSettings,
    can_request: bool,
    reason: str,
    connection: Connection | None = None,
) -> HttpResponse:
    slots = selectors.open_slots(
        program_id=mentor_membership.program_id,
        mentor_id=mentor_membership.user_id,
        notice_hours=settings.min_booking_notice_hours,
    )
    form = RequestForm(request.POST or None, user=request.user, slots=slots)
    status = 200
    if request.method == "POST" and can_request:
        if form.is_valid():
            try:
                meeting = services.flash_meeting_request(
                    mentor_membership=mentor_membership,
                    mentee=request.user,
                    topic=form.cleaned_data["topic"],
                    message=form.cleaned_data["message"],
                    slot=form.cleaned_data["slot"],
                    proposed_starts=form.cleaned_data["proposed_starts"],
                    connection=connection,
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("Request sent to %(name)s; you will get an email when they answer.")
                    % {"name": mentor_membership.user.name},
                )
                return redirect("flash_meetings:detail", meeting_id=meeting.pk)
        else:
            status = 400
    elif request.method == "POST":
        status = 409
    return render(
        request,
        "flash_meetings/request.html",
        {
            "form": form,
            "mentor_membership": mentor_membership,
            "can_request": can_request,
            "reason": reason,
            "connection": connection,
            "settings": settings,
            "has_slots": slots.exists(),
        },
        status=status,
    )
