from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


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
        "admin": "admin:index",
        "logout": "logout",
    }
    return {key: reverse(name) for key, name in names.items()}


def site(request: HttpRequest) -> dict:
    return {"SITE_URL": settings.SITE_URL, "nav_urls": _nav_urls()}
