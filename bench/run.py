"""The benchmark: the pages people use most against a minimal signed-in baseline page,
on the production setup (gunicorn + PostgreSQL), driven from this process over loopback.

    make bench                       # or: .venv/bin/python bench/run.py --help

Steps: create/migrate the benchmark database, build the dataset once (``bench.dataset``),
sign in thousands of mentees (sessions written in bulk), count each page's queries with
Django's test client, start gunicorn, then let the pages take turns in rounds, each round
between two runs of the baseline (bounded in time and count), and print a table with each
page's ratio to the baseline (the median over the rounds) and write it to JSON.
Absolute numbers vary by machine; the ratios are what we track.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cpu, interpreter  # noqa: E402
from bench.loadtest import Request, Result, run_scenario  # noqa: E402

SECRET_KEY = "bench-only-secret-key-" + "x" * 40  # the server and this process share it
HOST = "127.0.0.1"
TARGETS = {
    "follow_up_get": 0.5,
    "follow_up_post": 0.35,
    "directory": 0.35,
    "dashboard": 0.35,
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench"),
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    parser.add_argument("--seconds", type=float, default=15.0, help="per page, over all rounds")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="the pages take turns in this many rounds, each between two baseline runs",
    )
    parser.add_argument("--max-requests", type=int, default=20000, help="per page and round")
    parser.add_argument("--fresh", action="store_true", help="rebuild the dataset")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "latest.json"))
    return parser.parse_args()


def setup_django(database_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost,testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": database_url,
            "SITE_URL": "http://127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)  # emails are not part of what we measure
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"unexpected database name {name!r}: use letters, digits and _")
    exists = subprocess.run(
        [
            "psql",
            "-h",
            HOST,
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",  # noqa: S608  (name checked above)
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", HOST, "-U", "postgres", name], check=True)


# Meetings still waiting for their follow-up: half for the GETs, half answered by the
# POSTs (each once). A run answers up to a few thousand; below this the dataset is built
# again rather than letting the POSTs run out mid-run.
MIN_OPEN_FOLLOW_UPS = 8000


def open_follow_ups() -> int:
    from django.utils import timezone

    from flash_meetings.models import FlashMeeting

    return FlashMeeting.objects.filter(
        program__slug="bench",
        status=FlashMeeting.Status.SCHEDULED,
        ends_at__lte=timezone.now(),
        follow_up_choice="",
    ).count()


def prepare(fresh: bool) -> dict:
    from django.core.management import call_command

    from bench import dataset
    from bench.schema import Program, User

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    reason = "--fresh" if fresh else ""
    if not reason and not Program.objects.filter(slug="bench").exists():
        reason = "no dataset yet"
    if not reason and (left := open_follow_ups()) < MIN_OPEN_FOLLOW_UPS:
        reason = f"only {left} meetings left to follow up (earlier runs answered the rest)"
    generation = None
    if reason:
        print(f"building the dataset: {reason}", flush=True)
        # The database is the benchmark's: empty its tables at once, unless it holds
        # users of its own (then remove only the benchmark's rows).
        owned = not User.objects.exclude(username__startswith="bench-").exists()
        built = dataset.build(1, dataset.DatasetOptions(reset="truncate" if owned else "delete"))
        generation = built.seconds
    return {"dataset_seconds": generation}


def sessions_for(user_ids: list[int]) -> dict[int, str]:
    """Signed-in sessions for many users at once, exactly as Django's login writes them."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from mentoring.models import User

    users = User.objects.in_bulk(user_ids)
    store = SessionStore()
    expire = timezone.now() + timezone.timedelta(days=1)
    keys: dict[int, str] = {}
    rows = []
    for user_id in user_ids:
        key = secrets.token_hex(16)
        keys[user_id] = key
        data = {
            SESSION_KEY: str(user_id),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: users[user_id].get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    Session.objects.bulk_create(rows, batch_size=5000)
    return keys


def pick_targets() -> dict:
    from django.utils import timezone

    from flash_meetings.models import FlashMeeting
    from mentoring.models import Membership

    open_meetings = list(
        FlashMeeting.objects.filter(
            program__slug="bench",
            status=FlashMeeting.Status.SCHEDULED,
            ends_at__lte=timezone.now(),
            follow_up_choice="",
        )
        .order_by("pk")
        .values_list("pk", "mentee_id")
    )
    half = len(open_meetings) // 2
    get_meetings, post_meetings = open_meetings[:half], open_meetings[half:]
    mentees = list(
        Membership.objects.filter(program__slug="bench", role="mentee")
        .order_by("pk")
        .values_list("user_id", flat=True)[:2000]
    )
    needed = sorted({m for _, m in open_meetings} | set(mentees))
    sessions = sessions_for(needed)
    return {
        "get": [(pk, sessions[mentee]) for pk, mentee in get_meetings],
        "post": [(pk, sessions[mentee]) for pk, mentee in post_meetings],
        "mentees": [sessions[m] for m in mentees],
    }


def query_counts(targets: dict) -> dict[str, int]:
    """Queries per page, from Django's test client on the same dataset."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    def count(method: str, path: str, session: str, data: dict | None = None) -> int:
        client = Client()
        client.cookies["sessionid"] = session
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(path, data or {})
        if response.status_code not in (200, 302):
            raise SystemExit(f"{path} answered {response.status_code}")
        return len(captured.captured_queries)

    get_pk, get_session = targets["get"].pop()
    post_pk, post_session = targets["post"].pop()
    mentee_session = targets["mentees"][0]
    return {
        "baseline": count("get", reverse("baseline"), mentee_session),
        "follow_up_get": count(
            "get", reverse("flash_meetings:follow_up", args=[get_pk]), get_session
        ),
        "follow_up_post": count(
            "post",
            reverse("flash_meetings:follow_up", args=[post_pk]),
            post_session,
            {"choice": "no_thanks"},
        ),
        "directory": count("get", reverse("mentoring:directory", args=["bench"]), mentee_session),
        "dashboard": count("get", reverse("mentoring:dashboard"), mentee_session),
    }


def start_server(args) -> subprocess.Popen:
    env = dict(os.environ)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{args.port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection((HOST, args.port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start within 30 s")


def scenarios(targets: dict) -> dict:
    from django.urls import reverse

    # Every request carries the CSRF cookie, as a browser's do after its first page:
    # without it, each page with a form (all but the baseline) minted a new CSRF secret
    # and set the cookie on every response.
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    mentees = targets["mentees"]
    get_list, post_list = targets["get"], targets["post"]

    def cookies(session: str) -> dict[str, str]:
        return {"sessionid": session, "csrftoken": csrf}

    def baseline(n: int) -> Request:
        return Request("GET", reverse("baseline"), cookies(mentees[n % len(mentees)]))

    def follow_up_get(n: int) -> Request:
        pk, session = get_list[n % len(get_list)]
        return Request("GET", reverse("flash_meetings:follow_up", args=[pk]), cookies(session))

    post_tickets = count()  # shared by every round: each meeting is answered once

    def follow_up_post(n: int) -> Request:
        pk, session = post_list[next(post_tickets) % len(post_list)]
        return Request(
            "POST",
            reverse("flash_meetings:follow_up", args=[pk]),
            cookies(session),
            body={"choice": "no_thanks"},
            headers={"X-CSRFToken": csrf},
        )

    def directory(n: int) -> Request:
        page = n % 20 + 1
        return Request(
            "GET",
            f"{reverse('mentoring:directory', args=['bench'])}?page={page}",
            cookies(mentees[n % len(mentees)]),
        )

    def dashboard(n: int) -> Request:
        return Request("GET", reverse("mentoring:dashboard"), cookies(mentees[n % len(mentees)]))

    return {
        "baseline": (baseline, (200,)),
        "follow_up_get": (follow_up_get, (200,)),
        "follow_up_post": (follow_up_post, (302,)),
        "directory": (directory, (200,)),
        "dashboard": (dashboard, (200,)),
    }


def main() -> None:
    args = parse_args()
    python = interpreter.describe()
    print(f"interpreter: {python['executable']} (Python {python['version']})")
    print(f"  {interpreter.build_flags(python)}; pure-Python probe: {python['probe_ms']:.0f} ms")
    ensure_database(args.database_url)
    setup_django(args.database_url)
    info = prepare(args.fresh)
    targets = pick_targets()
    counts = query_counts(targets)
    server = start_server(args)
    plan = scenarios(targets)
    pages = [name for name in plan if name != "baseline"]
    rounds = max(1, args.rounds)
    seconds = args.seconds / rounds
    baselines: list[Result] = []
    runs: dict[str, list[Result]] = {name: [] for name in pages}
    posts_left = len(targets["post"])
    cpu_seconds: dict[str, float] = {}
    try:
        # Warm both workers up (imports, template caches, connections).
        run_scenario(
            name="warm-up",
            host=HOST,
            port=args.port,
            make_request=plan["baseline"][0],
            concurrency=args.concurrency,
            seconds=2,
            max_requests=2000,
        )

        def run(name: str, max_requests: int) -> Result:
            make_request, ok = plan[name]
            before = cpu.snapshot(measured_pids(server))
            result = run_scenario(
                name=name,
                host=HOST,
                port=args.port,
                make_request=make_request,
                concurrency=args.concurrency,
                seconds=seconds,
                max_requests=max_requests,
                ok_statuses=ok,
            )
            cpu_seconds[name] = cpu_seconds.get(name, 0.0) + cpu.spent(
                before, cpu.snapshot(measured_pids(server))
            )
            print(f"  {name}: {result.rps:.1f} req/s", flush=True)
            return result

        # The machine's speed drifts (other work shares its cores): every round of pages
        # sits between two baseline runs, and each page's ratio is taken against the
        # baselines on either side of it, then the median over the rounds.
        baselines.append(run("baseline", args.max_requests))
        for round_number in range(1, rounds + 1):
            print(f" round {round_number} of {rounds}", flush=True)
            for name in pages:
                limit = args.max_requests
                if name == "follow_up_post":
                    limit = min(limit, posts_left)
                result = run(name, limit)
                if name == "follow_up_post":
                    posts_left -= result.requests
                runs[name].append(result)
            baselines.append(run("baseline", args.max_requests))
    finally:
        server.terminate()
        server.wait(timeout=30)

    baseline = merged("baseline", baselines)

    def cpu_ms(name: str, result: Result) -> float | None:
        if not cpu.available() or not result.requests:
            return None
        return round(cpu_seconds[name] / result.requests * 1000, 2)

    rows = [{**baseline.as_dict(), "ratio": 1.0, "target": None, "meets_target": None}]
    rows[0].update(queries=counts["baseline"], cpu_ms_per_request=cpu_ms("baseline", baseline))
    for name in pages:
        round_ratios = ratios_by_round(runs[name], baselines)
        ratio = statistics.median(round_ratios) if round_ratios else 0.0
        target = TARGETS.get(name)
        page = merged(name, runs[name])
        rows.append(
            {
                **page.as_dict(),
                "ratio": round(ratio, 2),
                "round_ratios": [round(r, 2) for r in round_ratios],
                "target": target,
                "meets_target": None if target is None else ratio >= target,
                "queries": counts[name],
                "cpu_ms_per_request": cpu_ms(name, page),
            }
        )
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "setup": {
            "gunicorn_workers": args.workers,
            "threads": args.threads,
            "client_connections": args.concurrency,
            "seconds_per_page": args.seconds,
            "rounds": rounds,
            "baseline_runs_rps": [round(result.rps, 1) for result in baselines],
        },
        "dataset_seconds": info["dataset_seconds"],
        "interpreter": python,
        "pages": rows,
    }
    print_table(report)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {output}")


def measured_pids(server: subprocess.Popen) -> list[int]:
    """gunicorn's master and workers, and the database sessions serving them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        sessions = [pid for (pid,) in cursor.fetchall()]
    return [server.pid, *cpu.children(server.pid), *sessions]


def ratios_by_round(page_runs: list[Result], baselines: list[Result]) -> list[float]:
    """A page's throughput in each round over the mean of the two baseline runs around
    that round (``baselines`` has one more run than there are rounds). A round where the
    page made no request (the POSTs ran out of meetings) says nothing and is left out."""
    if len(baselines) != len(page_runs) + 1:
        raise ValueError("need one baseline run before each round and one after the last")
    return [
        result.rps / ((baselines[i].rps + baselines[i + 1].rps) / 2)
        for i, result in enumerate(page_runs)
        if result.requests
    ]


def merged(name: str, results: list[Result]) -> Result:
    """One page's rounds as one run: all its requests over all its time."""
    return Result(
        name=name,
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
        seconds=sum(r.seconds for r in results),
        latencies_ms=[ms for r in results for ms in r.latencies_ms],
        status_counts={
            status: sum(r.status_counts.get(status, 0) for r in results)
            for status in {s for r in results for s in r.status_counts}
        },
    )


def print_table(report: dict) -> None:
    header = (
        f"{'page':<16}{'req/s':>8}{'ratio':>7}{'target':>8}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'queries':>9}{'errors':>8}{'CPU ms':>8}"
    )
    print()
    print(header)
    print("-" * len(header))
    for row in report["pages"]:
        target = f"≥{row['target']}" if row["target"] else "—"
        mark = "" if row["meets_target"] in (None, True) else " ✗"
        cpu_ms = row["cpu_ms_per_request"]
        cpu_column = f"{cpu_ms:>8.1f}" if cpu_ms is not None else f"{'—':>8}"
        print(
            f"{row['name']:<16}{row['rps']:>8.1f}{row['ratio']:>7.2f}{target:>8}"
            f"{row['p50_ms']:>8.1f}{row['p95_ms']:>8.1f}{row['p99_ms']:>8.1f}"
            f"{row['queries']:>9}{row['errors']:>8}{cpu_column}{mark}"
        )
    print(
        "\nratio: throughput against the baseline runs on either side, median of the rounds;"
        "\nCPU ms: server and database CPU time per request (gunicorn and its sessions)"
    )
    if report["dataset_seconds"] is not None:
        print(f"dataset generated in {report['dataset_seconds']:.1f} s")


if __name__ == "__main__":
    main()
