"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd in a thread of the test process).

It accepts every message and keeps, for each, the notification id the platform puts in
the ``X-Notification-Id`` header, the recipients, and the client's address and port: one
port per SMTP connection, so a test can tell how many connections a worker opened.
``refuse`` maps an address to the reply its RCPT gets instead of 250 (for example
``"550 5.1.1 No such user"``, or ``"451 4.3.0 Try again later"``).

    with SmtpSink() as sink:
        settings.EMAIL_URL = f"smtp://127.0.0.1:{sink.port}"
        ...
        assert sink.notification_ids() == [...]
"""

from __future__ import annotations

import email
import socket
import threading
from collections import Counter
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class Received:
    notification_id: int | None
    to: tuple[str, ...]
    peer: tuple[str, int]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options
    ) -> str:
        reply = self.sink.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802  (aiosmtpd's name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        message = email.message_from_bytes(envelope.content)
        header = message.get("X-Notification-Id")
        with self.sink.lock:
            self.sink.received.append(
                Received(
                    notification_id=int(header) if header else None,
                    to=tuple(envelope.rcpt_tos),
                    peer=tuple(session.peer[:2]),
                )
            )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10
        )

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def notification_ids(self) -> list[int | None]:
        with self.lock:
            return [message.notification_id for message in self.received]

    def duplicates(self) -> dict[int | None, int]:
        return {
            notification_id: count
            for notification_id, count in Counter(self.notification_ids()).items()
            if count > 1
        }

    def connections(self) -> int:
        """How many SMTP connections delivered at least one message."""
        with self.lock:
            return len({message.peer for message in self.received})
