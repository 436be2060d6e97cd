"""``{% connection_term connection user %}``: the connection page's end date, days
left, a pending extension and its buttons (templates/portal/_connection_term.html)."""

from django import template

from matching.models import Connection, ConnectionExtension
from mentoring import when
from mentoring.models import User

register = template.Library()


@register.inclusion_tag("portal/_connection_term.html", takes_context=True)
def connection_term(context, connection: Connection, user: User) -> dict:
    pending = (
        connection.extensions.filter(status=ConnectionExtension.Status.PENDING)
        .select_related("requested_by")
        .first()
        if connection.is_active and connection.ends_on
        else None
    )
    days_left = (
        (connection.ends_on - when.program_date()).days
        if connection.is_active and connection.ends_on
        else None
    )
    extension_days = connection.program.matching_settings.connection_extension_days
    return {
        "csrf_token": context.get("csrf_token"),
        "connection": connection,
        "days_left": days_left,
        "pending": pending,
        "asked_by_me": pending is not None and pending.requested_by_id == user.pk,
        "extension_days": extension_days,
        "may_ask": connection.is_active
        and connection.ends_on is not None
        and bool(extension_days)
        and pending is None,
    }
