"""A real local receiver (http.server on 127.0.0.1 in a thread), endpoints, and a
receiver-side signature check written from the Standard Webhooks text, not from our code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import ProgramFactory
from tests.notifications.conftest import real_worker_factory  # noqa: F401 - a fixture
from webhooks import network
from webhooks.models import Endpoint, EventType

ALL_EVENTS = list(EventType.values)


def verify_signature(*, secret: str, headers: dict[str, str], body: bytes, tolerance=300) -> bool:
    """What a receiver does (README, "Webhooks"): recompute HMAC-SHA256 over
    "{webhook-id}.{webhook-timestamp}.{body}" with the base64-decoded secret, compare in
    constant time with each v1 signature, and refuse stale timestamps."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    event_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    signed = f"{event_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        version == "v1" and hmac.compare_digest(expected, signature)
        for version, _, signature in (
            part.partition(",") for part in headers["webhook-signature"].split()
        )
    )


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next scripted answer (then 200 "ok") and keeps it."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    script: list[tuple[int, dict[str, str], bytes] | Callable[[], None]] = field(
        default_factory=list
    )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer_with(self, *answers) -> None:
        self.script.extend(answers)


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            receiver.requests.append(
                Received(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
            )
            answer = receiver.script.pop(0) if receiver.script else (200, {}, b"ok")
            if callable(answer):
                answer = answer()
            status, headers, content = answer
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def receiver():
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_private(settings):
    """The local receiver is on 127.0.0.1 and speaks http: allowed only with the setting."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_TIMEOUT = 2.0
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    return settings


@pytest.fixture
def make_endpoint():
    def make(program=None, *, url="https://hooks.example.org/in", events=None, **kwargs):
        # Stored directly: the URL validator (the SSRF guard) is tested on its own.
        return Endpoint.objects.create(
            program=program or ProgramFactory(),
            name=kwargs.pop("name", "Receiver"),
            url=url,
            events=ALL_EVENTS if events is None else events,
            **kwargs,
        )

    return make


PUBLIC_V4, PUBLIC_V6 = "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


class FakeDNS:
    """``socket.getaddrinfo`` answering from a table (a list per host: one answer per
    call, the last one repeating), counting the lookups."""

    def __init__(self, table: dict[str, list[list[str]]], real):
        self.table, self.calls, self.real = table, [], real

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        self.calls.append(host)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:  # an address in the URL: no DNS involved
            return self.real(host, port, family, type, proto, flags)
        if host not in self.table:
            raise network.socket.gaierror(-2, "Name or service not known")
        answers = self.table[host]
        addresses = answers[0] if len(answers) == 1 else answers.pop(0)
        return [
            (
                network.socket.AF_INET6 if ":" in ip else network.socket.AF_INET,
                network.socket.SOCK_STREAM,
                6,
                "",
                (ip, port, 0, 0) if ":" in ip else (ip, port),
            )
            for ip in addresses
        ]


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS(
        {
            "hooks.example.org": [[PUBLIC_V4, PUBLIC_V6]],
            "internal.example.org": [["10.1.2.3"]],
            "mixed.example.org": [[PUBLIC_V4, "127.0.0.1"]],
            "v6-private.example.org": [["fd00::1"]],
            "metadata.example.org": [["169.254.169.254"]],
        },
        real=network.socket.getaddrinfo,
    )
    monkeypatch.setattr(network.socket, "getaddrinfo", fake)
    return fake
