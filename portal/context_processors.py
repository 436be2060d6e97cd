from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mentoring.roles import roles_of


@cache
def _nav_urls() -> dict[str, str]:
    # Reversed once per process: the site is served at one fixed prefix, and reversing
    # eight names on every page was a measurable share of the lighter pages (bench/).
    names = {
        "dashboard": "portal:dashboard",
        "requests_sent": "portal:requests_sent",
        "requests_received": "portal:requests_received",
        "my_meetings": "flash_meetings:my_meetings",
        "mentor_meetings": "flash_meetings:mentor_meetings",
        "availability": "flash_meetings:availability",
        "admin": "admin:index",
        "account": "portal:account",
        "logout": "logout",
        "language": "portal:language",
    }
    return {key: reverse(name) for key, name in names.items()}


def _nav_links(request: HttpRequest) -> list[tuple[str, str]]:
    """(url, label) of the main navigation, by the roles the person holds: a mentee sees
    no mentor pages, a mentor no mentee pages; someone with both roles sees both, named
    so that the two meeting lists are told apart."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    urls, roles = _nav_urls(), roles_of(user)
    links = [(urls["dashboard"], _("Dashboard"))]
    both = roles.mentor and roles.mentee
    if roles.mentee:
        links.append((urls["my_meetings"], _("Meetings as mentee") if both else _("My meetings")))
        links.append((urls["requests_sent"], _("Your requests")))
    if roles.mentor:
        links.append(
            (urls["mentor_meetings"], _("Meetings as mentor") if both else _("My meetings"))
        )
        links.append((urls["requests_received"], _("Requests for you")))
        links.append((urls["availability"], _("Availability")))
    if user.is_staff:
        links.append((urls["admin"], _("Program admin")))
    links.append((urls["account"], _("My account")))
    return links


def site(request: HttpRequest) -> dict:
    return {
        "SITE_URL": settings.SITE_URL,
        "nav_urls": _nav_urls(),
        "nav_links": _nav_links(request),
    }
