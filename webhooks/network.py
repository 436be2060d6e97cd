"""The SSRF guard and the one HTTP request a webhook delivery makes (standard library only).

A webhook URL is typed by a program admin, and our workers POST to it: without a guard,
anyone with a program admin's login could make our servers call the cloud metadata
service, the database or any host on our private network. So, unless
``WEBHOOKS_ALLOW_PRIVATE_NETWORKS`` is on (tests, ``make run``):

- only ``https`` URLs, without user name or password in them;
- the host must resolve, and *every* address it resolves to must be public: loopback,
  private, link-local, multicast, reserved, unspecified, shared (100.64/10) and the
  IPv6 forms that embed such an IPv4 address (IPv4-mapped, 6to4, Teredo, NAT64) are
  refused;
- this is checked when the endpoint is saved (a form error) and again at each delivery,
  where we then connect to the very address we checked (a second DNS answer, "DNS
  rebinding", cannot swap it), with TLS's SNI and certificate check and the ``Host``
  header still naming the host; redirects are never followed, time-outs are short and
  at most ``WEBHOOKS_MAX_RESPONSE_BYTES`` of the answer are read.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeURL(ValueError):
    """The URL may not be called: its scheme, or an address its host resolves to."""


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """True only for a globally routable unicast address that embeds no other kind."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public(embedded):
            return False
        if address.scope_id or address.is_site_local:
            return False  # fe80::1%eth0, fec0::/10
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    return address.is_global  # also refuses 100.64.0.0/10 (shared address space)


@dataclass(frozen=True)
class Target:
    """A URL taken apart, with the addresses its host resolved to (all vetted)."""

    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[tuple[int, tuple], ...]  # (family, sockaddr) from getaddrinfo


def parse(url: str, *, private_ok: bool) -> tuple[str, str, int, str]:
    """Scheme, host, port and request path of an acceptable URL; raises ``UnsafeURL``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeURL(_("This is not a valid URL.")) from error
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if private_ok else ("https",)
    if scheme not in allowed:
        raise UnsafeURL(_("Use an https:// URL."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(_("Leave the user name and password out of the URL."))
    host = parts.hostname or ""
    if not host:
        raise UnsafeURL(_("The URL has no host name."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), path


def resolve(url: str, *, private_ok: bool | None = None) -> Target:
    """Parse ``url`` and resolve its host; refuse it unless every address is public
    (or private networks are allowed). Raises ``UnsafeURL`` with a readable reason."""
    private_ok = allow_private() if private_ok is None else private_ok
    scheme, host, port, path = parse(url, private_ok=private_ok)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise UnsafeURL(_("The host name %(host)s could not be found.") % {"host": host}) from error
    addresses: list[tuple[int, tuple]] = []
    for family, _type, _proto, _canonname, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if not private_ok and not is_public(address):
            raise UnsafeURL(
                _(
                    "%(host)s points to %(address)s, an address of a private network or of "
                    "this server; webhooks go only to public addresses."
                )
                % {"host": host, "address": address}
            )
        addresses.append((family, sockaddr))
    if not addresses:
        raise UnsafeURL(_("The host name %(host)s could not be found.") % {"host": host})
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def validate_endpoint_url(value: str) -> None:
    """Model field validator: the SSRF rule when an endpoint is saved. A value that is not
    a URL at all is left to the field's own URL validator (and never looked up)."""
    try:
        URLValidator()(value)  # the same check as the model field's own
    except ValidationError:
        return
    if len(value) > 500:
        return
    try:
        resolve(value)
    except UnsafeURL as error:
        raise ValidationError(str(error), code="unsafe_url") from error


# --- The request ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes  # at most the cap
    headers: dict[str, str]


def tls_context() -> ssl.SSLContext:
    """Certificates checked against the system's CAs and the URL's host name."""
    return ssl.create_default_context()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to one vetted address; ``Host`` stays the URL's host."""

    def __init__(self, host: str, port: int, *, sockaddr: tuple, family: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._sockaddr, self._family = sockaddr, family

    def _open_socket(self) -> socket.socket:
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._sockaddr)
        except BaseException:
            sock.close()
            raise
        return sock

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def connect(self) -> None:
        sock = self._open_socket()
        # SNI and the certificate's name are the host's, never the address's.
        self.sock = tls_context().wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Response:
    """POST ``body`` to ``url`` under the SSRF rule; no redirects are followed.

    Raises ``UnsafeURL`` when the URL is refused, ``OSError`` (including
    ``TimeoutError`` and ``ssl.SSLError``) or ``http.client.HTTPException`` when the
    request could not be made or answered in time.
    """
    target = resolve(url)
    family, sockaddr = target.addresses[0]
    timeout = float(getattr(settings, "WEBHOOKS_TIMEOUT", 5))
    cap = int(getattr(settings, "WEBHOOKS_MAX_RESPONSE_BYTES", 64 * 1024))
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        target.host, target.port, sockaddr=sockaddr, family=family, timeout=timeout
    )
    deadline = time.monotonic() + 2 * timeout  # for the whole answer, however it trickles
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        chunks: list[bytes] = []
        received = 0
        while received < cap:
            if time.monotonic() > deadline:
                break  # we have the status; a slow body is not worth waiting for
            chunk = answer.read1(min(8192, cap - received))
            if not chunk:
                break
            chunks.append(chunk)
            received += len(chunk)
        return Response(
            status=answer.status,
            body=b"".join(chunks),
            headers={name.lower(): value for name, value in answer.getheaders()},
        )
    finally:
        connection.close()
