"""What a worker subprocess did, recorded for the test that started it.

``celery -A config worker --include tests.task_results`` with ``TASK_RESULTS_FILE`` set
appends one line when the worker is ready to consume (``worker ready``) and one per
finished task, ``<task name> <state> <return value>`` (for example
``notifications.tasks.deliver_notification SUCCESS skipped``), whatever the logging
configuration says; ``task_results(path)`` reads them back.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery.signals import task_postrun, worker_ready

READY = "worker ready"


def _append(line: str) -> None:
    path = os.environ.get("TASK_RESULTS_FILE")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@worker_ready.connect(weak=False)
def _ready(**_kwargs) -> None:
    _append(READY)


@task_postrun.connect(weak=False)
def _finished(sender=None, retval=None, state=None, **_kwargs) -> None:
    if sender is not None:
        _append(f"{sender.name} {state} {retval}")


def task_results(path: Path, task: str | None = None) -> list[str]:
    """The recorded lines, oldest first; only ``task``'s, without its name, if given."""
    found = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    if task is None:
        return found
    return [line.removeprefix(f"{task} ") for line in found if line.startswith(f"{task} ")]
