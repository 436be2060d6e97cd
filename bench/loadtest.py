"""A small, bounded HTTP load driver for the benchmark (``make bench``).

It talks to a server on 127.0.0.1 only, with a fixed number of keep-alive connections
(one per thread) for a fixed time per scenario, and reports requests per second and
p50/p95/p99 latency. Scenarios are plain dicts so the orchestrator decides what to hit.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count
from urllib.parse import urlencode


@dataclass
class Request:
    method: str
    path: str
    cookies: dict[str, str]
    body: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    status_counts: dict[int, int]
    # Server CPU seconds spent during this run, when the caller measured them.
    cpu_seconds: float | None = None

    @property
    def cpu_ms_per_request(self) -> float | None:
        if self.cpu_seconds is None or not self.requests:
            return None
        return self.cpu_seconds / self.requests * 1000

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index]

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 1) if self.latencies_ms else None,
            "status_counts": {str(k): v for k, v in sorted(self.status_counts.items())},
        }


def _send(conn: http.client.HTTPConnection, request: Request) -> int:
    headers = dict(request.headers)
    headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in request.cookies.items())
    body = None
    if request.body is not None:
        body = urlencode(request.body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(request.method, request.path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def run_scenario(
    *,
    name: str,
    host: str,
    port: int,
    make_request: Callable[[int], Request],
    concurrency: int,
    seconds: float,
    max_requests: int,
    ok_statuses: tuple[int, ...] = (200,),
) -> Result:
    """Hit the server from ``concurrency`` threads until ``seconds`` pass or
    ``max_requests`` were made (both bounds always apply)."""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("the load driver only targets this machine")
    ticket: Iterator[int] = count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(host, port, timeout=30)
        local_latencies: list[float] = []
        local_statuses: dict[int, int] = {}
        local_errors = 0
        while time.perf_counter() < deadline:
            with lock:
                number = next(ticket)
            if number >= max_requests:
                break
            request = make_request(number)
            started = time.perf_counter()
            try:
                status = _send(conn, request)
            except (OSError, http.client.HTTPException):
                local_errors += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                continue
            local_latencies.append((time.perf_counter() - started) * 1000)
            local_statuses[status] = local_statuses.get(status, 0) + 1
            if status not in ok_statuses:
                local_errors += 1
        conn.close()
        with lock:
            latencies.extend(local_latencies)
            for status, n in local_statuses.items():
                statuses[status] = statuses.get(status, 0) + n
            errors += local_errors

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return Result(
        name=name,
        requests=len(latencies),
        errors=errors,
        seconds=elapsed,
        latencies_ms=latencies,
        status_counts=statuses,
    )
