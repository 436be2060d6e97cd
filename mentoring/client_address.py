"""The client's address: the one every throttle keys on (django-axes' sign-in lockout,
the password-reset limit). One setting decides it, ``TRUSTED_PROXIES``
(``DJANGO_TRUSTED_PROXIES``): how many reverse proxies stand in front of Django, each
appending the address it saw to ``X-Forwarded-For``.

- 0, the default: no proxy. The client is ``REMOTE_ADDR``; ``X-Forwarded-For`` is
  whatever the client chose to write and is never read.
- N: the client is the address the outermost of the N proxies appended. Counting
  ``REMOTE_ADDR`` (the innermost proxy) as the last hop, that is the (N+1)th hop from
  the right; entries further left were written by the client and are ignored.

A value that is not an IP address (a broken proxy) falls back to ``REMOTE_ADDR``, so the
throttles never store garbage (PostgreSQL's ``inet`` would refuse it with a 500).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if getattr(address, "scope_id", None):  # "fe80::1%eth0": not storable, not a client
        return None
    return str(address)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``, as far as the deployment's
    declared proxies vouch for it (settings.AXES_CLIENT_IP_CALLABLE names this)."""
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    proxies = max(0, int(getattr(settings, "TRUSTED_PROXIES", 0)))
    if not proxies:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    hops = [part.strip() for part in forwarded.split(",") if part.strip()]
    hops.append(remote or "")
    # Fewer hops than proxies: the request came in past some of them; the leftmost
    # entry is still one a trusted proxy appended.
    return _address(hops[max(0, len(hops) - 1 - proxies)]) or remote
