"""``{% load when %}``: dates and times in the one format of ``mentoring.when``.

* ``{{ value|moment }}``: "Monday 30 March 2026, 09:00 (New York time)"
* ``{{ value|day }}``: "30 March 2026"
* ``{% span starts_at ends_at %}``: "Monday 30 March 2026, 09:00–09:30 (New York time)"
* ``{% zone_name %}``: the active zone as people say it ("New York time")
* ``{{ value|number }}`` / ``{{ value|number:1 }}``: "1,234" / "1.234,5"
* ``{{ share|percent }}``: a share from 0 to 1 as "42%" / "42 %"

All in the active language and zone: the signed-in person's own (``UserLanguageMiddleware``,
``UserTimeZoneMiddleware``), or an email's recipient (``when.as_seen_by``).
"""

from django import template
from django.utils import timezone

from mentoring import when

register = template.Library()


@register.filter
def moment(value) -> str:
    return when.moment(value)


@register.filter
def day(value) -> str:
    return when.day(value)


@register.simple_tag
def span(starts_at, ends_at=None) -> str:
    return when.span(starts_at, ends_at)


@register.simple_tag(name="zone_name")
def current_zone_name() -> str:
    return when.zone_name(timezone.get_current_timezone())


@register.filter
def number(value, decimals=None) -> str:
    return when.number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def percent(value, decimals=0) -> str:
    return when.percent(value, int(decimals))
