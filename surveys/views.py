"""The survey pages: thin views over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from flash_meetings.models import FlashMeeting
from mentoring.errors import DomainError
from surveys import selectors, services
from surveys.errors import AlreadyAnswered, NotAnswerableYet
from surveys.forms import SurveyForm
from surveys.selectors import SurveyPage


def _meeting(request: HttpRequest, meeting_id: int) -> FlashMeeting:
    # Only the meeting's own mentee and mentor: anyone else gets 404, not 403.
    return get_object_or_404(selectors.meetings_for_respondent(user=request.user), pk=meeting_id)


def _page(meeting: FlashMeeting, request: HttpRequest) -> SurveyPage:
    page = selectors.survey_page(meeting=meeting, respondent=request.user)
    if page.survey is None:  # a program created before surveys existed (e.g. loaddata)
        services.surveys_ensure_for_program(program=meeting.program)
        page = selectors.survey_page(meeting=meeting, respondent=request.user)
    return page


def _render(
    request: HttpRequest, page: SurveyPage, form: SurveyForm | None, status: int = 200
) -> HttpResponse:
    return render(request, "surveys/survey.html", {"page": page, "form": form}, status=status)


@login_required
@require_GET
def meeting_survey(request: HttpRequest, meeting_id: int) -> HttpResponse:
    page = _page(_meeting(request, meeting_id), request)
    form = None
    if page.answerable and page.response is None:
        form = SurveyForm(questions=page.questions, language=page.language)
    return _render(request, page, form)


@login_required
@require_POST
def meeting_survey_submit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    page = _page(meeting, request)
    if page.response is not None:
        messages.info(request, AlreadyAnswered().message)
        return redirect("surveys:meeting", meeting_id=meeting.pk)
    if not page.answerable:
        messages.error(request, NotAnswerableYet().message)
        return redirect("surveys:meeting", meeting_id=meeting.pk)
    form = SurveyForm(request.POST, questions=page.questions, language=page.language)
    if not form.is_valid():
        return _render(request, page, form, status=400)
    try:
        services.response_submit(
            meeting=meeting,
            respondent=request.user,
            survey=page.survey,
            version=page.version,
            answers=form.answers(),
            language=page.language,
        )
    except AlreadyAnswered as error:
        messages.info(request, error.message)
        return redirect("surveys:meeting", meeting_id=meeting.pk)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("surveys:meeting", meeting_id=meeting.pk)
    return redirect("surveys:thanks", meeting_id=meeting.pk)


@login_required
@require_GET
def meeting_survey_thanks(request: HttpRequest, meeting_id: int) -> HttpResponse:
    page = _page(_meeting(request, meeting_id), request)
    if page.response is None:
        return redirect("surveys:meeting", meeting_id=meeting_id)
    return render(request, "surveys/thanks.html", {"page": page})
