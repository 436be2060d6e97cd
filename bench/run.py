"""The benchmark: the pages and writes people use most against a minimal signed-in
baseline page, on the production setup (gunicorn + PostgreSQL + Redis + a Celery worker
sending real SMTP to a local sink), driven from this process over loopback.

Over 400 lines on purpose: the run from setup to report, in the order it happens;
the parts that stand alone are in pages, outbox, report, stack, targets and dataset.

    make bench [BENCH_SCALES="1 10"]     # or: <python> bench/run.py --help

For each scale: create/migrate that scale's database, build the dataset when it is
missing, stale or short of write targets (``bench.dataset``), sample each page's
targets and sign their mentees in (``bench.targets``), count each page's queries with
Django's test client, start the SMTP sink, the worker and gunicorn, then let the pages
take turns in rounds, each round between two runs of the baseline (bounded in time and
count), with the server's CPU time measured around every run. The table gives each
page's throughput ratio and CPU ratio to the baseline (medians over the rounds), and
the run ends with the outbox's delivery counts. Several scales run one after the other
(each in its own process) and are printed side by side. Everything goes to
bench/results/latest.json. Absolute numbers vary by machine; the ratios are tracked.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cpu, interpreter, report, stack  # noqa: E402
from bench.loadtest import Result, run_scenario  # noqa: E402
from bench.outbox import (  # noqa: E402
    drain,
    outbox_summary,
    writes_made,
)
from bench.pages import (  # noqa: E402
    PAGES,
    WRITE_PAGES,
    WRITE_RATE_CEILING,
    Once,
    query_counts,
    scenarios,
)

SECRET_KEY = "bench-only-secret-key-" + "x" * 40  # the server and this process share it
HOST = stack.HOST
RESULTS = ROOT / "bench" / "results"
# Bump when the generator's output changes: a dataset of another version is rebuilt.
DATASET_VERSION = "2"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench"),
        help="scale 1's database; scale N uses <name>_xN on the same server",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        help="the cache; this Redis database is emptied at the start of every run",
    )
    parser.add_argument(
        "--broker-url",
        default=os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
        help="Celery's broker, as production runs it (RabbitMQ, README: 'Choosing the "
        "broker'); 'redis' for the cache's Redis; its queue is emptied at the start of "
        "every run",
    )
    parser.add_argument(
        "--scales",
        type=int,
        nargs="+",
        default=[1],
        help="dataset scale factors (1 = 1,000 mentors, 10,000 mentees, 50,000 meetings)",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-concurrency", type=int, default=1, help="Celery worker")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    parser.add_argument("--seconds", type=float, default=15.0, help="per page, over all rounds")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="the pages take turns in this many rounds, each between two baseline runs",
    )
    parser.add_argument("--max-requests", type=int, default=20000, help="per page and round")
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=30.0,
        help="after a write page, wait up to this long for the worker to send its emails",
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the dataset")
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    return parser.parse_args(argv)


# --- Setting up ----------------------------------------------------------------------


def setup_django(database_url: str, redis_url: str, smtp_port: int, broker_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost,testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": stack.with_application_name(database_url, stack.RUNNER),
            "SITE_URL": "http://127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
            # As production runs: a broker, a worker that sends the emails over SMTP.
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url if broker_url == "redis" else broker_url,
            "EMAIL_URL": f"smtp://{HOST}:{smtp_port}",
        }
    )
    os.environ.pop("EMAIL_BACKEND", None)
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    name = stack.database_name(database_url)
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


def write_budget(args, page: str) -> int:
    return math.ceil(args.seconds * WRITE_RATE_CEILING[page]) + 1  # +1: the query count's


def prepare(args, scale: int):
    """Migrate, then sample the targets, building the dataset first when needed."""
    from django.core.management import call_command
    from django.db import connection

    from bench import dataset, targets
    from bench.schema import Program, Session, User

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    # The database is the benchmark's unless it holds users of its own: then a rebuild
    # removes only the benchmark's rows, and the sessions of earlier runs stay.
    owned = not User.objects.exclude(username__startswith="bench-").exists()
    if owned:
        with connection.cursor() as cursor:  # the sessions of earlier runs
            cursor.execute(f"TRUNCATE {Session._meta.db_table}")
    budget = targets.Budget(**{page: write_budget(args, page) for page in WRITE_RATE_CEILING})
    marker = f"bench dataset v{DATASET_VERSION}, scale {scale}"
    program = Program.objects.filter(slug=dataset.SLUG).first()
    reason = "--fresh" if args.fresh else ""
    if not reason and program is None:
        reason = "no dataset yet"
    if not reason and program.description != marker:
        reason = f"the dataset is {program.description or 'from an older generator'!r}"
    found = None
    if not reason:
        found = targets.sample(budget)
        if short := found.short_of(budget):
            reason = "not enough targets left for a whole run: " + ", ".join(
                f"{page} {have} of {want}" for page, (have, want) in short.items()
            )
    built = None
    if reason:
        print(f"building the scale {scale} dataset: {reason}", flush=True)
        built = dataset.build(
            scale, dataset.DatasetOptions(reset="truncate" if owned else "delete")
        )
        Program.objects.filter(slug=dataset.SLUG).update(description=marker)
        found = targets.sample(budget)
        if short := found.short_of(budget):
            print(f"warning: a fresh dataset is short of targets: {short}", flush=True)
    problems = check_targets(found)
    if problems:
        raise SystemExit("sampled targets the application would refuse: " + "; ".join(problems))
    started = time.perf_counter()
    signed_in = targets.sign_in(found)
    sign_in_seconds = time.perf_counter() - started
    info = {
        "built": built is not None,
        "reason": reason or None,
        "seconds": built.seconds if built else None,
        "steps": built.steps if built else None,
        "counts": built.counts if built else None,
        "targets": {
            name: len(getattr(found, name))
            for name in ("get", "no_thanks", "connect", "connect_post", "mentees")
        },
        "budget": budget.__dict__,
        "sessions": len(found.user_ids()),
        "sign_in_seconds": round(sign_in_seconds, 1),
    }
    return signed_in, info


def check_targets(found, per_page: int = 20) -> list[str]:
    """Ask the application's own rules about the first few write targets."""
    from bench.schema import FlashMeeting, Membership, User, capacity, eligibility

    problems = []
    for pk, _mentee in found.connect[:per_page]:
        meeting = FlashMeeting.objects.select_related(
            "program__matching_settings", "mentor", "mentee"
        ).get(pk=pk)
        decision = eligibility.for_meeting(meeting=meeting)
        if not decision.offered or not decision.is_forced_connection:
            problems.append(f"meeting {pk}: {decision.admin_message}")
    for membership_id, mentor_id, mentee_id in found.connect_post[:per_page]:
        mentor_membership = Membership.objects.select_related("program__matching_settings").get(
            pk=membership_id
        )
        program = mentor_membership.program
        mentee_membership = Membership.objects.get(
            program=program, user_id=mentee_id, role=Membership.Role.MENTEE
        )
        facts = capacity.request_facts(
            program=program,
            settings=program.matching_settings,
            mentor=User(pk=mentor_id),
            mentee=User(pk=mentee_id),
            mentor_membership=mentor_membership,
            mentee_membership=mentee_membership,
            counts=capacity.pair_counts(
                program_id=program.pk, mentor_id=mentor_id, mentee_id=mentee_id
            ),
        )
        decision = capacity.request_decision(facts)
        if not decision:
            problems.append(f"Connect {mentee_id} → {mentor_id}: {decision.reason}")
    return problems


def measured_pids(server) -> tuple[list[int], int]:
    """gunicorn's master and workers, and the database sessions serving them (only
    those: the worker's and this process's sessions have other application names);
    and how many such sessions there are."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [stack.WEB],
        )
        sessions = [pid for (pid,) in cursor.fetchall()]
    return [server.pid, *cpu.children(server.pid), *sessions], len(sessions)


def run_scale(args, scale: int) -> dict:
    from django.utils import timezone

    database_url = stack.for_scale(args.database_url, scale)
    ensure_database(database_url)
    sink, smtp_port = stack.start_smtp_sink()
    worker = server = None
    received = None
    try:
        setup_django(database_url, args.redis_url, smtp_port, args.broker_url)
        stack.flush_redis(args.redis_url)
        stack.purge_broker()
        signed_in, dataset_info = prepare(args, scale)
        since = timezone.now()
        worker = stack.start_worker(database_url, concurrency=args.worker_concurrency)
        counts, made = query_counts(signed_in)
        server = stack.start_server(
            database_url, port=args.port, workers=args.workers, threads=args.threads
        )
        baselines, runs, drained, left, web_sessions = measure(args, server, signed_in, since)
        stack.stop(server)
        drained += drain(since, max(args.drain_seconds, 120))
        worker_tasks = stack.worker_task_counts()
    finally:
        stack.stop(server)
        stack.stop(worker)
        received = stack.stop_smtp_sink(sink)
    outbox = outbox_summary(since)
    outbox["smtp_sink_received"] = received["messages"]
    outbox["worker_deliveries"] = worker_tasks.get("notifications.tasks.deliver_notification", 0)
    writes = writes_made(since)
    answered = {
        name: sum(r.status_counts.get(302, 0) for r in runs[name]) + made[name]
        for name in WRITE_PAGES
    }
    rows = [report.page_row("baseline", [], baselines, counts["baseline"])]
    rows += [report.page_row(name, runs[name], baselines, counts[name]) for name in PAGES]
    return {
        "scale": scale,
        "database": stack.database_name(database_url),
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "interpreter": interpreter.describe(with_probe=False),
        "broker": stack.broker_name(),
        "setup": {
            "gunicorn_workers": args.workers,
            "threads": args.threads,
            "celery_worker_concurrency": args.worker_concurrency,
            "client_connections": args.concurrency,
            "seconds_per_page": args.seconds,
            "rounds": len(baselines) - 1,
            "baseline_runs_rps": [round(r.rps, 1) for r in baselines],
            "baseline_runs_cpu_ms": [report._round(r.cpu_ms_per_request) for r in baselines],
            "outbox_drain_seconds": round(drained, 1),
            "web_database_sessions": [min(web_sessions), max(web_sessions)],
        },
        "dataset": dataset_info,
        "pages": rows,
        "outbox": outbox,
        "writes": {
            name: {
                "answered_302": answered[name],
                "rows_made": writes[name],
                "targets_left": left[name],
            }
            for name in WRITE_PAGES
        },
    }


def measure(args, server, signed_in, since):
    plan = scenarios(signed_in)
    rounds = max(1, args.rounds)
    seconds = args.seconds / rounds
    baselines: list[Result] = []
    runs: dict[str, list[Result]] = {name: [] for name in PAGES}
    drained = 0.0
    web_sessions: list[int] = []  # gunicorn's database sessions after each run
    # Warm both workers up (imports, template caches, connections, prepared statements).
    run_scenario(
        name="warm-up",
        host=HOST,
        port=args.port,
        make_request=plan["baseline"][0],
        concurrency=args.concurrency,
        seconds=2,
        max_requests=2000,
    )

    def run(name: str) -> Result:
        make_request, ok = plan[name]
        limit = args.max_requests
        if isinstance(make_request, Once):
            limit = min(limit, make_request.left)
        pids, _ = measured_pids(server)
        before = cpu.snapshot(pids)
        result = run_scenario(
            name=name,
            host=HOST,
            port=args.port,
            make_request=make_request,
            concurrency=args.concurrency,
            seconds=seconds,
            max_requests=max(limit, 0),
            ok_statuses=ok,
        )
        pids, sessions = measured_pids(server)
        if cpu.available():
            result.cpu_seconds = cpu.spent(before, cpu.snapshot(pids))
        web_sessions.append(sessions)
        ms = result.cpu_ms_per_request
        print(
            f"  {name}: {result.rps:.1f} req/s"
            + (f", {ms:.1f} CPU ms" if ms is not None else "")
            + (f", {result.errors} errors" if result.errors else ""),
            flush=True,
        )
        return result

    # The machine's speed drifts (other work shares its cores): every round of pages
    # sits between two baseline runs, and each page's ratios are taken against the
    # baselines on either side of it, then the median over the rounds. After a write
    # page the worker sends that page's emails before the next page starts, so its CPU
    # does not land in another page's run.
    baselines.append(run("baseline"))
    for round_number in range(1, rounds + 1):
        print(f" round {round_number} of {rounds}", flush=True)
        for name in PAGES:
            runs[name].append(run(name))
            if name in WRITE_PAGES:
                drained += drain(since, args.drain_seconds)
        baselines.append(run("baseline"))
    left = {name: plan[name][0].left for name in WRITE_PAGES}
    return baselines, runs, drained, left, web_sessions


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    info = interpreter.measured()
    report.print_interpreter(info, info["project_venv"])
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if len(args.scales) == 1:
        result = run_scale(args, args.scales[0])
        report.print_scale(result)
        results = [result]
    else:
        os.environ["BENCH_INTERPRETER_INFO"] = json.dumps(info)  # measured once
        results = []
        for scale in args.scales:
            part = RESULTS / f"scale-{scale}.json"
            command = [sys.executable, str(Path(__file__).resolve()), *scale_args(argv, scale)]
            command += ["--output", str(part)]
            print(f"\n=== scale {scale} ===", flush=True)
            subprocess.run(command, check=True)
            results.append(json.loads(part.read_text())["scales"][str(scale)])
    combined = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "interpreter": info,
        "scales": {str(r["scale"]): r for r in results},
    }
    if len(results) > 1:
        combined["comparison"] = report.comparison(results)
        report.print_comparison(combined["comparison"], [r["scale"] for r in results])
    output.write_text(json.dumps(combined, indent=2))
    print(f"\nwritten to {output}")


def scale_args(argv: list[str] | None, scale: int) -> list[str]:
    """This run's arguments for one scale: ``--scales N``, no ``--output``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    kept: list[str] = []
    skipping = False
    for arg in argv:
        if arg in ("--scales", "--output"):
            skipping = True
            continue
        if arg.startswith(("--scales=", "--output=")):
            continue
        if skipping and not arg.startswith("--"):
            continue
        skipping = False
        kept.append(arg)
    return [*kept, "--scales", str(scale)]


if __name__ == "__main__":
    main()
