"""The post-meeting follow-up page (/meetings/<id>/follow-up/): the mentee's three
choices. Thin: parse, call one service, redirect (POST-redirect-GET)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from flash_meetings import selectors, services
from flash_meetings.models import FlashMeeting
from flash_meetings.services.follow_up import default_request_message
from matching import eligibility
from matching.models import ConnectionRequest, FlashToOngoingPolicy
from mentoring.errors import DomainError
from mentoring.validators import validate_plain_text

Choice = FlashMeeting.FollowUpChoice


class FollowUpForm(forms.Form):
    choice = forms.ChoiceField(choices=Choice.choices)
    # The policy the page showed, so that a switch in between is noticed.
    policy = forms.ChoiceField(choices=FlashToOngoingPolicy.choices, required=False)
    message = forms.CharField(
        label=gettext_lazy("Your message"),
        required=False,
        max_length=ConnectionRequest.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_plain_text],
    )


def _survey_url(meeting: FlashMeeting) -> str:
    # The hand-off to the Flash Meeting Feedback survey, by URL name: the surveys app
    # (a layer above) picks the version from the meeting's outcome, and says "you
    # answered on …" once the mentee has.
    return reverse("surveys:meeting", args=[meeting.pk])


def _meeting_for_mentee(request: HttpRequest, meeting_id: int) -> selectors.FollowUpRead:
    # The meeting's mentee only: anyone else, the mentor included, gets 404.
    return selectors.meeting_for_follow_up(meeting_id=meeting_id, mentee=request.user)


def _render(request, read: selectors.FollowUpRead, form=None, status=200) -> HttpResponse:
    now = timezone.now()
    meeting = read.meeting
    context = {"meeting": meeting, "mentor_name": meeting.mentor.name}
    if meeting.has_ended(now):
        # Read-only: the decision is recorded with the answer, re-made under the lock.
        decision = eligibility.for_meeting(
            meeting=meeting, viewer=request.user, now=now, terms=read.mentor_terms
        )
        context.update(
            state="open",
            decision=decision,
            form=form or FollowUpForm(initial={"message": default_request_message(meeting)}),
        )
    elif meeting.status in FlashMeeting.ENDED_STATUSES:
        context["state"] = "too_early"
    else:
        context["state"] = "not_held"
    return render(request, "flash_meetings/follow_up/page.html", context, status=status)


@login_required
def follow_up_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    if request.method == "POST":
        return _answer(request, meeting_id)
    read = _meeting_for_mentee(request, meeting_id)
    meeting = read.meeting
    if meeting.follow_up_choice:
        return redirect(_survey_url(meeting))
    return _render(request, read)


@login_required
@require_GET
def follow_up_not_held(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The one confirmation before "The meeting did not happen" is recorded: a page of
    its own (no script), whose button posts that choice to the follow-up."""
    read = _meeting_for_mentee(request, meeting_id)
    meeting = read.meeting
    if meeting.follow_up_choice:
        return redirect(_survey_url(meeting))
    if not meeting.has_ended(timezone.now()):
        return redirect("flash_meetings:follow_up", meeting_id=meeting.pk)
    return render(
        request,
        "flash_meetings/confirm_not_held.html",
        {
            "meeting": meeting,
            "other_name": meeting.mentor.name,
            "action_url": reverse("flash_meetings:follow_up", args=[meeting.pk]),
            "choice": Choice.DID_NOT_HAPPEN,
            "back_url": reverse("flash_meetings:follow_up", args=[meeting.pk]),
            "from_follow_up": True,
        },
    )


def _answer(request: HttpRequest, meeting_id: int) -> HttpResponse:
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        read = _meeting_for_mentee(request, meeting_id)
        messages.error(request, _("Please pick one of the choices below."))
        return _render(request, read, form=form, status=400)
    try:
        # The service reads (and locks) the meeting itself, for this mentee only.
        result = services.follow_up_answer(
            meeting=FlashMeeting(pk=meeting_id, mentee_id=request.user.pk),
            actor=request.user,
            choice=form.cleaned_data["choice"],
            message=form.cleaned_data["message"],
            expected_policy=form.cleaned_data["policy"],
        )
    except FlashMeeting.DoesNotExist as error:
        raise Http404 from error  # not this mentee's meeting: 404, as for a GET
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("flash_meetings:follow_up", meeting_id=meeting_id)
    meeting = result.meeting
    if not result.repeated:
        name = meeting.mentor.name
        if result.connection is not None:
            messages.success(
                request,
                _("You and %(mentor)s are now connected for ongoing mentoring; we emailed them.")
                % {"mentor": name},
            )
        elif result.request is not None:
            messages.success(
                request,
                _("Your request was sent to %(mentor)s; you'll get an email when they answer.")
                % {"mentor": name},
            )
        elif result.choice == Choice.DID_NOT_HAPPEN:
            messages.info(request, _("Thanks, we recorded that the meeting did not happen."))
    return redirect(_survey_url(meeting))
