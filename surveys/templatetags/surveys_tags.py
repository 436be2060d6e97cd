"""``{% load surveys_tags %}{% surveys_waiting %}``: the signed-in person's unanswered
Flash Meeting Feedback surveys (mentee and mentor side), one query; renders nothing when
there are none."""

from django import template

from surveys import selectors

register = template.Library()


@register.inclusion_tag("surveys/_waiting.html", takes_context=True)
def surveys_waiting(context: template.Context, limit: int = 10) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return {"waiting": []}
    return {"waiting": selectors.surveys_waiting_for(user=user, limit=limit)}
