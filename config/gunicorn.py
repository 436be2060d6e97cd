"""gunicorn settings: ``gunicorn -c config/gunicorn.py config.wsgi:application ...``.

- gunicorn's own lines (starting, booting a worker, a worker timing out) in the site's
  format: with ``LOG_FORMAT=json`` one JSON object per line like every other line, so a
  log shipper never meets a line it cannot parse. (Its access log stays off: the site
  writes one line per request itself, without the client's address or query string.)
- With ``PROMETHEUS_MULTIPROC_DIR`` set, prometheus_client keeps each worker's counters
  in files there, and ``/metrics`` adds up the files of every worker that has run since
  the directory was emptied (config/metrics.py). So the directory must start empty:
  numbers left by an earlier server would be counted again (and a new worker given an
  old pid would carry on from its file). Without the variable those hooks do nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger


class JsonLogger(Logger):
    """gunicorn's logger, writing its error log (its own lines) as JSON."""

    def setup(self, cfg: Any) -> None:  # also run again on a HUP
        super().setup(cfg)
        from config.logs import JsonFormatter

        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())


if os.environ.get("LOG_FORMAT") == "json":
    logger_class = "config.gunicorn.JsonLogger"


def on_starting(server: Any) -> None:
    """In the master, before any worker starts: an empty directory."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    # prometheus_client's files only (counter_<pid>.db, histogram_<pid>.db...): a
    # mistyped directory loses nothing else.
    for entry in path.glob("*.db"):
        entry.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker is gone: its live gauges stop counting (its counters still do)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
