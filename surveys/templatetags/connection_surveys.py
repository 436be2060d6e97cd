"""``{% connection_surveys connection user %}``: on the connection page, the check-in or
closing survey open for this person, or that they answered
(templates/surveys/_connection_surveys.html). One query."""

from django import template

from matching.models import Connection
from mentoring.models import User
from surveys import connection_selectors
from surveys.models import Survey

register = template.Library()


@register.inclusion_tag("surveys/_connection_surveys.html")
def connection_surveys(connection: Connection, user: User) -> dict:
    return {
        "surveys": [
            {"title": Survey.Kind(kind).label, "url": url, "response": response}
            for kind, url, response in connection_selectors.connection_surveys_of(
                connection=connection, user=user
            )
        ]
    }
