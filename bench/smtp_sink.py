"""A local SMTP server that accepts every message and only counts it (aiosmtpd).

    python bench/smtp_sink.py [--port 0]

Prints ``ready <port>`` once it listens on 127.0.0.1, and on SIGTERM or SIGINT prints
``received <messages> <recipients>`` and exits. The benchmark's Celery worker sends
its emails here (EMAIL_URL=smtp://127.0.0.1:<port>), so delivery is real SMTP with
nothing leaving the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from aiosmtpd.smtp import SMTP, Envelope, Session


class Counter:
    def __init__(self) -> None:
        self.messages = 0
        self.recipients = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802  (aiosmtpd's name)
        self.messages += 1
        self.recipients += len(envelope.rcpt_tos)
        return "250 OK"


async def serve(port: int) -> None:
    counter = Counter()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(counter, hostname="bench-sink", ident="bench-sink"), "127.0.0.1", port
    )
    print(f"ready {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    server.close()
    print(f"received {counter.messages} {counter.recipients}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
