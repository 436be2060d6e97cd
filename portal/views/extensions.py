"""How long a connection runs, on the connection page: ask to extend it by the program's
period, accept or decline the other person's request, withdraw one's own. POST only;
each acts on the connection's pending extension, for its two parties only (anyone else:
404). A refusal comes back as a message on the connection page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching import selectors, services
from matching.models import Connection, ConnectionExtension
from mentoring import when
from mentoring.errors import DomainError, IllegalTransition


def _pending(connection: Connection) -> ConnectionExtension:
    extension = connection.extensions.filter(status=ConnectionExtension.Status.PENDING).first()
    if extension is None:
        raise IllegalTransition(_("There is no extension waiting for an answer any more."))
    return extension


def _act(request: HttpRequest, connection_id: int, act, done: str) -> HttpResponse:
    connection = selectors.connection_for_party(user=request.user, connection_id=connection_id)
    try:
        result = act(connection)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"ends_on": when.day(result)} if result else done)
    return redirect("portal:connection_detail", connection_id=connection.pk)


@login_required
@require_POST
def extension_request(request: HttpRequest, connection_id: int) -> HttpResponse:
    def act(connection: Connection) -> None:
        services.connection_extension_request(connection=connection, actor=request.user)

    return _act(
        request,
        connection_id,
        act,
        _("You asked to extend the connection; the other person has been asked to accept."),
    )


@login_required
@require_POST
def extension_accept(request: HttpRequest, connection_id: int) -> HttpResponse:
    def act(connection: Connection):
        extension = services.connection_extension_accept(
            extension=_pending(connection), actor=request.user
        )
        return extension.new_ends_on

    return _act(request, connection_id, act, _("The connection is extended to %(ends_on)s."))


@login_required
@require_POST
def extension_decline(request: HttpRequest, connection_id: int) -> HttpResponse:
    def act(connection: Connection) -> None:
        services.connection_extension_decline(extension=_pending(connection), actor=request.user)

    return _act(
        request,
        connection_id,
        act,
        _("You declined the extension; the connection keeps its end date."),
    )


@login_required
@require_POST
def extension_withdraw(request: HttpRequest, connection_id: int) -> HttpResponse:
    def act(connection: Connection) -> None:
        services.connection_extension_withdraw(extension=_pending(connection), actor=request.user)

    return _act(request, connection_id, act, _("You withdrew your request to extend."))
