"""gunicorn with config/gunicorn.py and several workers: whichever worker answers the
scrape reports every worker's requests (PROMETHEUS_MULTIPROC_DIR), and with
LOG_FORMAT=json every line the server writes, gunicorn's own included, is JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Connection": "close"})  # noqa: S310
    # Our own server on 127.0.0.1 over http: no other scheme ever reaches these.
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.read()


def _get_requests_counted(base: str) -> float:
    text = _get(f"{base}/metrics").decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "django_http_requests_total_by_method_total" and sample.labels == {
                "method": "GET"
            }:
                return sample.value
    return 0.0


@pytest.fixture
def gunicorn(tmp_path):
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed beside this interpreter")
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left by an earlier server")
    port = free_port()
    env = {
        **{key: value for key, value in os.environ.items() if key not in ("REDIS_URL",)},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    log = tmp_path / "gunicorn.log"  # a file, not a pipe: a full pipe would stall it
    process = subprocess.Popen(  # noqa: S603 - gunicorn from this virtualenv
        [
            str(GUNICORN),
            "-c",
            "config/gunicorn.py",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            _get(f"{base}/health/live")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(log.read_text()[-2000:]) from None
            time.sleep(0.1)

    def stop() -> list[str]:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)
        return log.read_text().splitlines()

    yield base, metrics_dir, stop
    stop()


def test_every_workers_requests_are_counted_whichever_worker_answers(gunicorn):
    base, metrics_dir, stop = gunicorn
    assert not (metrics_dir / "counter_1.db").exists(), "the directory must start empty"
    sent = 0
    lock = threading.Lock()

    def burst() -> None:
        nonlocal sent
        for _ in range(5):
            _get(f"{base}/accounts/login/")
            with lock:
                sent += 1

    # Until both workers have served (each writes counter_<pid>.db), in concurrent bursts.
    # (A worker may write its file as it boots, before serving anything: one round at least.)
    while sent == 0 or (len(list(metrics_dir.glob("counter_*.db"))) < 2 and sent < 400):
        threads = [threading.Thread(target=burst) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(list(metrics_dir.glob("counter_*.db"))) == 2, "one worker served everything"
    # Several scrapes, answered by either worker: all of them see every request (the
    # scrapes themselves are answered before the request metrics and are not counted).
    counted = {_get_requests_counted(base) for _ in range(6)}
    assert counted == {float(sent)}

    lines = [json.loads(line) for line in stop()]  # every line, or json.loads says which
    requests = [line for line in lines if line["logger"] == "mentoring_platform.requests"]
    assert len(requests) == sent
    assert {line["path"] for line in requests} == {"/accounts/login/"}
    assert any(line["logger"] == "gunicorn.error" for line in lines)
