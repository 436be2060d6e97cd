"""The benchmark's own parts: the dataset generator (at a small scale), the targets it
samples and the sessions it signs in, the bounded load driver against a real local HTTP
server, how ratios are taken, and which interpreter runs it. None of this needs the
optimised interpreter, Redis or a running server."""

import json
import platform
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import interpreter, report, stack
from bench.dataset import DatasetOptions, build
from bench.loadtest import Request, Result, run_scenario
from bench.pages import CONNECT, CONNECT_MESSAGE, FOLLOW_UP
from bench.report import cpu_ratios_by_round, ratios_by_round
from bench.run import scale_args
from bench.schema import (
    Connection,
    ConnectionRequest,
    FlashMeeting,
    Membership,
    Program,
    Session,
    SurveyResponse,
    User,
)
from bench.targets import Budget, sample, sessions_for, sign_in

SMALL = {
    "mentors": 20,
    "mentees": 120,
    "meetings": 600,
    "connections": 60,
    "requests": 120,
    "responses": 100,
}


def small(**options) -> DatasetOptions:
    return DatasetOptions(**SMALL, **options)


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
    first_report = build(1, small())
    first = dataset_counts()
    statuses = Counter(
        dict(FlashMeeting.objects.values_list("status").annotate(n=Count("pk")).order_by())
    )
    open_follow_ups = FlashMeeting.objects.filter(
        status=FlashMeeting.Status.SCHEDULED, follow_up_choice="", ends_at__isnull=False
    ).count()

    build(1, small())  # replaces the first one

    assert first == SMALL == first_report.counts
    assert dataset_counts() == SMALL
    assert set(statuses) == set(FlashMeeting.Status.values), statuses
    assert open_follow_ups > 0
    assert "bench dataset ready in" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_the_scale_multiplies_every_count():
    half = {name: n // 2 for name, n in SMALL.items()}

    report_ = build(2, DatasetOptions(**half, log=None))

    assert dataset_counts() == report_.counts == {name: n * 2 for name, n in half.items()}


@pytest.mark.django_db(transaction=True)
def test_truncate_empties_the_tables_at_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("reset='truncate' is PostgreSQL's TRUNCATE (run with DATABASE_URL)")
    User.objects.create(username="someone-else", email="else@example.org")

    build(1, small(reset="truncate", log=None))

    assert dataset_counts() == SMALL
    assert not User.objects.filter(username="someone-else").exists()


def test_scale_must_be_a_whole_number_from_one():
    with pytest.raises(ValueError):
        build(0, small())


# --- Targets and sign-ins ---------------------------------------------------------------


@pytest.mark.django_db
def test_sign_ins_are_written_and_read_in_batches():
    users = User.objects.bulk_create(
        [User(username=f"u{i}", email=f"u{i}@example.org") for i in range(25)]
    )
    ids = [user.pk for user in users]

    with CaptureQueriesContext(connection) as captured:
        sessions = sessions_for(ids, batch_size=10)

    reads = [q for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")]
    assert len(reads) == 3  # 10 + 10 + 5 users
    assert Session.objects.count() == 25 and sorted(sessions) == sorted(ids)
    client = Client()
    for user_id in (ids[0], ids[12], ids[24]):
        client.cookies["sessionid"] = sessions[user_id]
        response = client.get("/baseline/")
        assert response.status_code == 200
        assert response.wsgi_request.user.pk == user_id


BUDGET = Budget(get=8, no_thanks=8, connect=8, connect_post=8, mentees=10)


@pytest.fixture
def bench_dataset(transactional_db):
    build(1, small(log=None))


@pytest.mark.django_db(transaction=True)
def test_the_sample_is_bounded_and_keeps_every_page_apart(bench_dataset):
    found = sample(BUDGET)

    assert found.short_of(BUDGET) == {}
    meetings = [pk for pk, _ in found.get + found.no_thanks + found.connect]
    assert len(meetings) == len(set(meetings)) == 24  # no meeting serves two pages
    connect_mentees = [mentee for _, mentee in found.connect]
    profile_mentees = [mentee for _, _, mentee in found.connect_post]
    assert len(set(connect_mentees)) == 8 and len(set(profile_mentees)) == 8
    assert not set(connect_mentees) & set(profile_mentees)
    writers = set(connect_mentees) | set(profile_mentees) | {m for _, m in found.no_thanks}
    assert not writers & set(found.mentees)  # their dashboards stay as they are
    greedy = Budget(get=10**6, no_thanks=1, connect=1, connect_post=1, mentees=1)
    assert sample(greedy).short_of(greedy).keys() == {"get"}


@pytest.mark.django_db(transaction=True)
def test_connect_targets_are_accepted_and_each_makes_a_connection(bench_dataset):
    signed_in = sign_in(sample(BUDGET), batch_size=5)
    client = Client()

    for pk, session in signed_in.connect:
        client.cookies["sessionid"] = session
        response = client.post(
            FOLLOW_UP.format(pk), {"choice": "connect", "policy": "forced_connection"}
        )
        assert response.status_code == 302
        assert not response["Location"].endswith(FOLLOW_UP.format(pk))  # not refused
        assert Connection.objects.filter(flash_meeting_id=pk, status="active").exists()
    assert FlashMeeting.objects.filter(follow_up_choice="connect").count() == 8


@pytest.mark.django_db(transaction=True)
def test_profile_connect_targets_are_accepted_and_each_makes_a_pending_request(bench_dataset):
    found = sample(BUDGET)
    signed_in = sign_in(found, batch_size=5)
    client = Client()

    for (membership_id, session), (_, mentor, mentee) in zip(
        signed_in.connect_post, found.connect_post, strict=True
    ):
        client.cookies["sessionid"] = session
        response = client.post(CONNECT.format(membership_id), {"message": CONNECT_MESSAGE})
        assert response.status_code == 302
        assert ConnectionRequest.objects.filter(
            mentor_id=mentor, mentee_id=mentee, status="pending", origin="profile"
        ).exists()


@pytest.mark.django_db(transaction=True)
def test_no_thanks_and_get_targets_answer_as_the_benchmark_expects(bench_dataset):
    signed_in = sign_in(sample(BUDGET))
    client = Client()

    for pk, session in signed_in.get:
        client.cookies["sessionid"] = session
        assert client.get(FOLLOW_UP.format(pk)).status_code == 200
    for pk, session in signed_in.no_thanks:
        client.cookies["sessionid"] = session
        assert client.post(FOLLOW_UP.format(pk), {"choice": "no_thanks"}).status_code == 302
    assert (
        FlashMeeting.objects.filter(
            follow_up_choice="no_thanks", pk__in=[pk for pk, _ in signed_in.no_thanks]
        ).count()
        == 8
    )


# --- The load driver -------------------------------------------------------------------


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


# --- Ratios ----------------------------------------------------------------------------


def run(rps: float, requests: int = 100, cpu_ms: float | None = None) -> Result:
    cpu_seconds = None if cpu_ms is None else cpu_ms * requests / 1000
    return Result("x", requests, 0, requests / rps if rps else 1.0, [], {}, cpu_seconds)


def test_each_round_is_compared_with_the_baselines_on_either_side():
    baselines = [run(400), run(200), run(400)]

    assert ratios_by_round([run(150), run(150)], baselines) == [0.5, 0.5]


def test_a_round_without_requests_is_left_out_and_the_shape_is_checked():
    assert ratios_by_round([run(100), run(0, requests=0)], [run(200)] * 3) == [0.5]
    with pytest.raises(ValueError):
        ratios_by_round([run(100)], [run(200)])


def test_the_cpu_ratio_is_taken_per_round_against_the_baselines_around_it():
    # The machine slows down in round 2: the baseline's CPU ms rise with the page's.
    baselines = [run(400, cpu_ms=4.0), run(400, cpu_ms=4.0), run(300, cpu_ms=6.0)]
    rounds = [run(200, cpu_ms=8.0), run(150, cpu_ms=12.5)]

    assert cpu_ratios_by_round(rounds, baselines) == pytest.approx([0.5, 0.4])
    row = report.page_row("directory", rounds, baselines, queries=5)
    assert row["round_cpu_ms"] == [8.0, 12.5]
    assert row["cpu_ratio"] == pytest.approx(0.45)  # the median of 0.5 and 0.4
    assert row["meets_target"] is True  # directory: ≥ 0.4, judged on the CPU ratio
    assert report.page_row("baseline", [], baselines, queries=2)["cpu_ratio"] == 1.0


def test_rounds_without_requests_or_cpu_figures_are_left_out_of_the_cpu_ratio():
    baselines = [run(400, cpu_ms=4.0), run(400), run(400, cpu_ms=4.0), run(400, cpu_ms=4.0)]
    rounds = [run(200, cpu_ms=8.0), run(200, cpu_ms=8.0), run(0, requests=0, cpu_ms=0.0)]

    assert cpu_ratios_by_round(rounds, baselines) == []  # round 1 and 2 touch the gap
    assert cpu_ratios_by_round(rounds[:1], [run(1, cpu_ms=4.0)] * 2) == [0.5]


def test_scales_side_by_side_flag_query_counts_that_change_with_scale():
    def scale(n: int, queries: int) -> dict:
        row = {"name": "dashboard", "queries": queries, "cpu_ms_per_request": 9.0}
        row.update(cpu_ratio=0.4, ratio=0.4, rps=100.0, meets_target=True)
        return {"scale": n, "pages": [row]}

    same = report.comparison([scale(1, 6), scale(10, 6)])
    differ = report.comparison([scale(1, 6), scale(10, 7)])

    assert same[0]["scales"]["10"]["cpu_ms_per_request"] == 9.0
    assert not same[0]["queries_differ"] and differ[0]["queries_differ"]


# --- Interpreter and processes ------------------------------------------------------------


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


def test_each_process_kind_has_its_own_application_name_and_each_scale_its_database():
    url = "postgres://postgres@127.0.0.1:5432/bench_wt?sslmode=disable"

    assert stack.with_application_name(url, "bench-web").endswith(
        "/bench_wt?sslmode=disable&application_name=bench-web"
    )
    assert stack.for_scale(url, 1) == url
    assert stack.database_name(stack.for_scale(url, 10)) == "bench_wt_x10"


def test_each_scale_runs_with_the_same_arguments():
    argv = ["--seconds", "9", "--scales", "1", "10", "--fresh", "--output", "x.json"]

    assert scale_args(argv, 10) == ["--seconds", "9", "--fresh", "--scales", "10"]


def test_the_run_names_its_broker_without_the_credentials(settings):
    settings.CELERY_BROKER_URL = "amqp://guest:s3cret@127.0.0.1:5672//"
    assert stack.broker_name() == "amqp://127.0.0.1:5672//"
    settings.CELERY_BROKER_URL = "redis://:s3cret@127.0.0.1:6379/13"
    assert stack.broker_name() == "redis://127.0.0.1:6379/13"
