"""CPU time spent by the server and its database sessions, read from Linux's /proc.

Throughput ratios move with whatever else shares the machine; CPU time per request
moves much less, so the benchmark prints it beside them. Elsewhere (no /proc) it is
simply not reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")


def available() -> bool:
    return (PROC / "self" / "stat").exists()


def process_seconds(pid: int) -> float | None:
    """User plus system CPU seconds of one process (all its threads), or None if gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which is in parentheses and may hold spaces.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (gunicorn's workers)."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def snapshot(pids: Iterable[int]) -> dict[int, float]:
    seconds = {}
    for pid in pids:
        value = process_seconds(pid)
        if value is not None:
            seconds[pid] = value
    return seconds


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots; a process that appeared in between
    (a database session opened mid-run) counts from its start."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())
