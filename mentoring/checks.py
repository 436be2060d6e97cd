"""Deployment checks (``manage.py check --deploy``): the client address every throttle
keys on (mentoring/client_address.py) must come from a proxy that is really there.

"The setup shows a proxy" means one of the settings that only make sense behind a
reverse proxy is on: ``SECURE_PROXY_SSL_HEADER`` (``DJANGO_SECURE_PROXY_SSL_HEADER``:
the proxy terminates TLS and says so in ``X-Forwarded-Proto``), ``USE_X_FORWARDED_HOST``
or ``USE_X_FORWARDED_PORT``. Trusting ``X-Forwarded-For`` without any of them is most
likely gunicorn reached directly, where every client writes its own address; declaring
a proxy while trusting none puts every client behind the proxy's one address.
"""

from django.conf import settings
from django.core import checks


def _shows_a_proxy() -> bool:
    return bool(
        getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        or getattr(settings, "USE_X_FORWARDED_HOST", False)
        or getattr(settings, "USE_X_FORWARDED_PORT", False)
    )


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxies(app_configs=None, **kwargs):
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies and not _shows_a_proxy():
        return [
            checks.Warning(
                f"DJANGO_TRUSTED_PROXIES is {proxies}, but no proxy setting is on "
                "(SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST, USE_X_FORWARDED_PORT). "
                "If clients reach gunicorn directly, each one picks the address sign-in "
                "throttling keys on by writing X-Forwarded-For.",
                hint="Set DJANGO_TRUSTED_PROXIES=0 when no proxy is in front; behind one, "
                "also set DJANGO_SECURE_PROXY_SSL_HEADER=true (README, Configuration).",
                id="mentoring.W001",
            )
        ]
    if not proxies and _shows_a_proxy():
        return [
            checks.Warning(
                "A reverse proxy is declared (SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST "
                "or USE_X_FORWARDED_PORT) but DJANGO_TRUSTED_PROXIES is 0: every client has "
                "the proxy's address, so one person's failed sign-ins and password-reset "
                "requests count against everybody.",
                hint="Set DJANGO_TRUSTED_PROXIES to the number of proxies that append to "
                "X-Forwarded-For (README, Configuration).",
                id="mentoring.W002",
            )
        ]
    return []
