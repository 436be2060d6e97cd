"""The pages of a connection's mid-point check-in and closing survey: thin views over
surveys.connection_selectors and surveys.connection_services. Only the connection's two
people may open them (anyone else: 404); a survey that is not open says why."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from matching.models import Connection
from mentoring.errors import DomainError
from surveys import connection_selectors as selectors
from surveys import connection_services as services
from surveys.connection_selectors import ConnectionSurveyPage
from surveys.errors import AlreadyAnswered
from surveys.forms import SurveyForm


def _page(request: HttpRequest, connection_id: int, kind_slug: str) -> ConnectionSurveyPage:
    kind = selectors.KIND_BY_SLUG.get(kind_slug)
    if kind is None:
        raise Http404
    connection: Connection = get_object_or_404(
        selectors.connections_for_respondent(user=request.user), pk=connection_id
    )
    page = selectors.connection_survey_page(
        connection=connection, respondent=request.user, kind=kind
    )
    if page.survey is None:  # a program loaded without its surveys (e.g. loaddata)
        services.connection_surveys_ensure(connection=connection)
        page = selectors.connection_survey_page(
            connection=connection, respondent=request.user, kind=kind
        )
    return page


def _render(
    request: HttpRequest, page: ConnectionSurveyPage, form: SurveyForm | None, status: int = 200
) -> HttpResponse:
    return render(
        request, "surveys/connection_survey.html", {"page": page, "form": form}, status=status
    )


def _back(page: ConnectionSurveyPage) -> HttpResponse:
    return redirect("surveys:connection", connection_id=page.connection.pk, kind=page.slug)


@login_required
@require_GET
def connection_survey(request: HttpRequest, connection_id: int, kind: str) -> HttpResponse:
    page = _page(request, connection_id, kind)
    form = None
    if page.is_open and not page.response:
        form = SurveyForm(questions=page.questions, language=page.language)
    return _render(request, page, form)


@login_required
@require_POST
def connection_survey_submit(request: HttpRequest, connection_id: int, kind: str) -> HttpResponse:
    page = _page(request, connection_id, kind)
    if page.response is not None:
        messages.info(request, AlreadyAnswered().message)
        return _back(page)
    if not page.is_open:
        messages.error(request, page.closed_message)
        return _back(page)
    form = SurveyForm(request.POST, questions=page.questions, language=page.language)
    if not form.is_valid():
        return _render(request, page, form, status=400)
    try:
        services.connection_response_submit(
            connection=page.connection,
            respondent=request.user,
            survey=page.survey,
            answers=form.answers(),
            language=page.language,
        )
    except AlreadyAnswered as error:
        messages.info(request, error.message)
        return _back(page)
    except DomainError as error:
        messages.error(request, error.message)
        return _back(page)
    return redirect("surveys:connection_thanks", connection_id=page.connection.pk, kind=page.slug)


@login_required
@require_GET
def connection_survey_thanks(request: HttpRequest, connection_id: int, kind: str) -> HttpResponse:
    page = _page(request, connection_id, kind)
    if page.response is None:
        return _back(page)
    return render(request, "surveys/connection_thanks.html", {"page": page})
