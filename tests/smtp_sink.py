"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd in a thread of the test process).

It accepts every message and keeps, for each, the notification id the platform puts in
the ``X-Notification-Id`` header, the recipients, and which SMTP connection it came
over (numbered as clients greet), so a test can tell how many connections were opened.
``refuse`` maps an address to the reply its RCPT gets instead of 250 (for example
``"550 5.1.1 No such user"``, or ``"451 4.3.0 Try again later"``). ``delay`` makes the
server take that many seconds over each message before it accepts it; a client that
goes away meanwhile (a worker killed mid-send) has sent nothing: the message is not
kept, as a real server does not accept a message it could not answer with 250.

    with SmtpSink() as sink:
        settings.EMAIL_URL = f"smtp://127.0.0.1:{sink.port}"
        ...
        assert sink.notification_ids() == [...]
"""

from __future__ import annotations

import asyncio
import email
import threading
from collections import Counter
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.ports import free_port


@dataclass(frozen=True)
class Received:
    notification_id: int | None
    to: tuple[str, ...]
    connection: int  # the SMTP connection it came over, counted from 1


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_EHLO(  # noqa: N802  (aiosmtpd's name)
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses
    ) -> list[str]:
        # Once per connection (a client greets once, then sends many messages).
        with self.sink.lock:
            self.sink.connections_opened += 1
            session.connection_number = self.sink.connections_opened
        session.host_name = hostname
        return responses

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
        if self.sink.delay:
            self.sink.sending += 1
            try:
                # Cancelled when the client's connection is lost (aiosmtpd does that).
                await asyncio.sleep(self.sink.delay)
            finally:
                self.sink.sending -= 1
        message = email.message_from_bytes(envelope.content)
        header = message.get("X-Notification-Id")
        with self.sink.lock:
            self.sink.received.append(
                Received(
                    notification_id=int(header) if header else None,
                    to=tuple(envelope.rcpt_tos),
                    connection=getattr(session, "connection_number", 0),
                )
            )
        return "250 OK"


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}
        self.delay = 0.0
        self.connections_opened = 0
        self.sending = 0  # messages being taken in right now (with a delay)
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
            return len({message.connection for message in self.received})
