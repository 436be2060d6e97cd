"""The benchmark's own parts: the dataset generator (at a small scale), the bounded load
driver against a real local HTTP server, and how ratios are taken."""

import json
import platform
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db.models import Count

from bench import interpreter
from bench.dataset import DatasetOptions, build
from bench.loadtest import Request, Result, run_scenario
from bench.run import ratios_by_round
from bench.schema import (
    Connection,
    ConnectionRequest,
    FlashMeeting,
    Membership,
    Program,
    SurveyResponse,
)

SMALL = {
    "mentors": 20,
    "mentees": 120,
    "meetings": 600,
    "connections": 60,
    "requests": 120,
    "responses": 100,
}


def dataset_counts() -> dict:
    program = Program.objects.get(slug="bench")
    return {
        "mentors": Membership.objects.filter(program=program, role="mentor").count(),
        "mentees": Membership.objects.filter(program=program, role="mentee").count(),
        "meetings": FlashMeeting.objects.filter(program=program).count(),
        "connections": Connection.objects.filter(program=program).count(),
        "requests": ConnectionRequest.objects.filter(program=program).count(),
        "responses": SurveyResponse.objects.filter(flash_meeting__program=program).count(),
    }


@pytest.mark.django_db(transaction=True)  # the generator ends with VACUUM ANALYZE
def test_dataset_has_the_asked_volumes_every_state_and_rebuilds_cleanly(capsys):
    first_report = build(1, DatasetOptions(**SMALL))
    first = dataset_counts()
    statuses = Counter(
        dict(FlashMeeting.objects.values_list("status").annotate(n=Count("pk")).order_by())
    )
    open_follow_ups = FlashMeeting.objects.filter(
        status=FlashMeeting.Status.SCHEDULED, follow_up_choice="", ends_at__isnull=False
    ).count()

    build(1, DatasetOptions(**SMALL))  # replaces the first one

    assert first == SMALL == first_report.counts
    assert dataset_counts() == SMALL
    assert set(statuses) == set(FlashMeeting.Status.values), statuses
    assert open_follow_ups > 0
    assert "bench dataset ready in" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_the_scale_multiplies_every_count():
    half = {name: n // 2 for name, n in SMALL.items()}

    report = build(2, DatasetOptions(**half, log=None))

    assert dataset_counts() == report.counts == {name: n * 2 for name, n in half.items()}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn answers

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        status = 500 if self.path == "/broken" else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.cookies.append(self.headers.get("Cookie"))

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.cookies = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def scenario(server, path="/", **kwargs) -> Result:
    return run_scenario(
        name="test",
        host="127.0.0.1",
        port=server.server_address[1],
        make_request=lambda n: Request("GET", path, {"sessionid": f"s{n}"}),
        **{"concurrency": 3, "seconds": 5, "max_requests": 40, **kwargs},
    )


def test_the_driver_stops_at_its_request_bound_and_counts_statuses(server):
    result = scenario(server)

    assert result.requests == 40 and result.errors == 0
    assert result.status_counts == {200: 40}
    assert sorted(server.cookies) == sorted(f"sessionid=s{n}" for n in range(40))
    assert 0 < result.percentile(50) <= result.percentile(95) <= result.percentile(99)


def test_the_driver_stops_at_its_time_bound(server):
    result = scenario(server, seconds=0.3, max_requests=10**9)

    assert result.requests > 0
    assert result.seconds < 2


def test_unexpected_statuses_count_as_errors(server):
    result = scenario(server, path="/broken", max_requests=6)

    assert result.status_counts == {500: 6} and result.errors == 6


def test_the_driver_only_targets_this_machine():
    with pytest.raises(ValueError, match="only targets this machine"):
        run_scenario(
            name="x",
            host="example.org",
            port=80,
            make_request=lambda n: Request("GET", "/", {}),
            concurrency=1,
            seconds=1,
            max_requests=1,
        )


def run(rps: float, requests: int = 100) -> Result:
    return Result("x", requests, 0, requests / rps if rps else 1.0, [], {})


def test_each_round_is_compared_with_the_baselines_on_either_side():
    baselines = [run(400), run(200), run(400)]

    assert ratios_by_round([run(150), run(150)], baselines) == [0.5, 0.5]


def test_a_round_without_requests_is_left_out_and_the_shape_is_checked():
    assert ratios_by_round([run(100), run(0, requests=0)], [run(200)] * 3) == [0.5]
    with pytest.raises(ValueError):
        ratios_by_round([run(100)], [run(200)])


def test_bench_python_wins_and_is_described_by_itself(tmp_path):
    kind, path, why = interpreter.choose(
        {"BENCH_PYTHON": sys.executable}, debian_python=str(tmp_path / "none")
    )
    described = interpreter.describe_other(path)

    assert why == "BENCH_PYTHON" and path == sys.executable
    assert kind == ("direct" if sys.prefix != sys.base_prefix else "base")
    assert described["version"] == platform.python_version()
    assert described["probe_ms"] > 0
    assert {"sysconfig_enable_optimizations", "sysconfig_with_lto", "debian_build"} <= set(
        described
    )
    json.dumps(described)


def test_without_bench_python_debian_python_then_the_project_venv(tmp_path):
    debian = tmp_path / "python3"
    debian.write_text("#!/bin/sh\n")
    debian.chmod(0o755)
    venv_python = tmp_path / "venv" / "bin" / "python"

    assert interpreter.choose({}, debian_python=str(debian), project_python=venv_python) == (
        "base",
        str(debian),
        "Debian's /usr/bin/python3",
    )
    assert interpreter.choose(
        {"BENCH_PYTHON": " "}, debian_python=str(tmp_path / "none"), project_python=venv_python
    )[:2] == ("direct", str(venv_python))
    with pytest.raises(interpreter.InterpreterError):
        interpreter.choose({"BENCH_PYTHON": str(tmp_path / "missing")})
