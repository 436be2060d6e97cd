"""An email backend for worker-crash tests: slow, and observable from another process.

For each message it appends ``started <to> <subject>`` to ``$SLOW_EMAIL_DIR/started.log``,
sleeps ``$SLOW_EMAIL_SECONDS`` (default 0), then appends ``delivered <to> <subject>`` to
``$SLOW_EMAIL_DIR/delivered.log``. A test can therefore kill the worker while it sleeps
(between the two lines) and count the deliveries afterwards.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


class SlowFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        directory = Path(os.environ["SLOW_EMAIL_DIR"])
        delay = float(os.environ.get("SLOW_EMAIL_SECONDS", "0"))
        for message in email_messages:
            line = f"{','.join(message.to)} {message.subject}"
            _append(directory / "started.log", f"started {line}")
            time.sleep(delay)
            _append(directory / "delivered.log", f"delivered {line}")
        return len(email_messages)


def lines(directory: Path, name: str) -> list[str]:
    path = directory / name
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []
