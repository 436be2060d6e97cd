"""Every refusal of the API as a problem-details body (RFC 9457,
``application/problem+json``) with a stable ``code``:

- a domain error (the same one the page shows) keeps its code: the eligibility and
  capacity reason codes (``mentor_full``, ``already_answered``…), else the error's class
  in snake case (``illegal_transition``);
- DRF's own refusals keep DRF's codes (``not_authenticated``, ``permission_denied``,
  ``not_found``, ``throttled``, ``method_not_allowed``…);
- invalid input is ``invalid`` with the messages per field in ``errors``.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from mentoring.errors import DomainError

CONTENT_TYPE = "application/problem+json"


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def problem(*, status_code: int, code: str, detail: str, instance: str = "", **extra) -> Response:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return Response(body, status=status_code, content_type=CONTENT_TYPE)


def domain_code(error: DomainError) -> str:
    return snake_case(error.code) if error.code == type(error).__name__ else error.code


def exception_handler(exc, context):
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, DomainError):
        set_rollback()
        return problem(
            status_code=exc.status_code,
            code=domain_code(exc),
            detail=exc.message,
            instance=instance,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handler, which logs it
    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response = problem(
            status_code=exc.status_code,
            code="invalid",
            detail=_("Some of the values sent are not valid; see errors."),
            instance=instance,
            errors=errors,
        )
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response = problem(
            status_code=exc.status_code,
            code=exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code,
            detail=str(detail),
            instance=instance,
        )
    for name, value in headers.items():
        response[name] = value
    return response


@csrf_exempt  # changes nothing; a POST to a wrong address gets the JSON 404 too, not the CSRF page
def not_found(request, *args, **kwargs):
    """Any path under /api/ that names no endpoint: a problem body, not the HTML 404."""
    from rest_framework.renderers import JSONRenderer

    response = problem(
        status_code=status.HTTP_404_NOT_FOUND,
        code="not_found",
        detail=_("There is no API endpoint at this address."),
        instance=request.path,
    )
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = CONTENT_TYPE
    response.renderer_context = {}
    return response.render()
