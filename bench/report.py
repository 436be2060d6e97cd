"""How the benchmark's numbers are taken and shown: ratios per round, merged rounds,
the table of one scale and the scales side by side. No Django here."""

from __future__ import annotations

import statistics

from bench import interpreter
from bench.loadtest import Result
from bench.outbox import delivery_problems

# Targets, judged on the CPU ratio (baseline CPU ms per request ÷ the page's).
TARGETS = {
    "follow_up_get": 0.5,
    "follow_up_no_thanks": 0.4,
    "follow_up_connect": 0.4,
    "connect_post": 0.35,
    "directory": 0.4,
    "dashboard": 0.4,
}
LABELS = {
    "baseline": "baseline (signed-in, tiny template)",
    "follow_up_get": "follow-up GET (distinct ended meetings)",
    "follow_up_no_thanks": 'follow-up POST "No thanks"',
    "follow_up_connect": 'follow-up POST "Yes, connect me" (forced connection)',
    "connect_post": "Connect POST from a mentor's profile (new request)",
    "directory": "mentor directory (pages 1–20)",
    "dashboard": "mentee dashboard",
}


def _around(baselines: list[Result], page_runs: list[Result]) -> None:
    if len(baselines) != len(page_runs) + 1:
        raise ValueError("need one baseline run before each round and one after the last")


def ratios_by_round(page_runs: list[Result], baselines: list[Result]) -> list[float]:
    """A page's throughput in each round over the mean of the two baseline runs around
    that round (``baselines`` has one more run than there are rounds). A round where the
    page made no request (its write targets ran out) says nothing and is left out."""
    _around(baselines, page_runs)
    return [
        result.rps / ((baselines[i].rps + baselines[i + 1].rps) / 2)
        for i, result in enumerate(page_runs)
        if result.requests
    ]


def cpu_ratios_by_round(page_runs: list[Result], baselines: list[Result]) -> list[float]:
    """The mean of the two baseline runs' CPU ms per request around each round over the
    page's CPU ms per request in that round (1.0: as cheap as the baseline). Rounds
    without requests or without CPU figures are left out."""
    _around(baselines, page_runs)
    ratios = []
    for i, result in enumerate(page_runs):
        page_ms = result.cpu_ms_per_request
        before, after = baselines[i].cpu_ms_per_request, baselines[i + 1].cpu_ms_per_request
        if not page_ms or before is None or after is None:
            continue
        ratios.append((before + after) / 2 / page_ms)
    return ratios


def merged(name: str, results: list[Result]) -> Result:
    """One page's rounds as one run: all its requests over all its time."""
    cpu = [r.cpu_seconds for r in results]
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
        cpu_seconds=None if None in cpu else sum(cpu),
    )


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def page_row(name: str, runs: list[Result], baselines: list[Result], queries: int | None) -> dict:
    """One page's line of the report (the baseline's too: its ratios are 1)."""
    if name == "baseline":
        page = merged(name, baselines)
        rps_ratios = cpu_ratios = []
        ratio = cpu_ratio = 1.0
        per_round = baselines
    else:
        page = merged(name, runs)
        rps_ratios = ratios_by_round(runs, baselines)
        cpu_ratios = cpu_ratios_by_round(runs, baselines)
        ratio = statistics.median(rps_ratios) if rps_ratios else None
        cpu_ratio = statistics.median(cpu_ratios) if cpu_ratios else None
        per_round = runs
    target = TARGETS.get(name)
    return {
        **page.as_dict(),
        "label": LABELS.get(name, name),
        "queries": queries,
        "ratio": _round(ratio),
        "round_ratios": [round(r, 2) for r in rps_ratios],
        "cpu_ms_per_request": _round(page.cpu_ms_per_request),
        "round_cpu_ms": [_round(r.cpu_ms_per_request) for r in per_round],
        "round_requests": [r.requests for r in per_round],
        "cpu_ratio": _round(cpu_ratio, 3),
        "round_cpu_ratios": [round(r, 3) for r in cpu_ratios],
        "target": target,
        "meets_target": None if target is None or cpu_ratio is None else cpu_ratio >= target,
    }


def _num(value: float | None, width: int, digits: int = 1) -> str:
    return f"{'—':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def _mark(row: dict) -> str:
    if row["meets_target"] is None:
        return ""
    return "pass" if row["meets_target"] else "FAIL"


def print_table(report: dict) -> None:
    """The table of one scale."""
    header = (
        f"{'page':<21}{'req/s':>8}{'ratio':>7}{'CPU ms':>8}{'CPU ratio':>10}{'target':>8}"
        f"{'':>6}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'queries':>9}{'errors':>8}"
    )
    print(f"\nscale {report['scale']} ({report['database']}):")
    print(header)
    print("-" * len(header))
    for row in report["pages"]:
        target = f"≥{row['target']}" if row["target"] else "—"
        queries = "—" if row["queries"] is None else str(row["queries"])
        print(
            f"{row['name']:<21}{row['rps']:>8.1f}{_num(row['ratio'], 7, 2)}"
            f"{_num(row['cpu_ms_per_request'], 8)}{_num(row['cpu_ratio'], 10, 3)}{target:>8}"
            f"{_mark(row):>6}{row['p50_ms']:>8.1f}{row['p95_ms']:>8.1f}{row['p99_ms']:>8.1f}"
            f"{queries:>9}{row['errors']:>8}"
        )
    print(
        "ratio: throughput against the baseline runs on either side of each round, median"
        " of the rounds;\nCPU ms: gunicorn's (master and workers) and its PostgreSQL"
        " sessions' CPU time per request;\nCPU ratio: the baseline's CPU ms over the page's,"
        " per round, median of the rounds (targets are judged on it)"
    )


def comparison(reports: list[dict]) -> list[dict]:
    """Per page, each scale's queries, CPU ms and both ratios; flags query counts that
    differ between scales."""
    names = [row["name"] for row in reports[0]["pages"]]
    rows = []
    for name in names:
        by_scale = {}
        for report in reports:
            row = next((r for r in report["pages"] if r["name"] == name), None)
            if row is not None:
                by_scale[str(report["scale"])] = {
                    key: row[key]
                    for key in (
                        "queries",
                        "cpu_ms_per_request",
                        "cpu_ratio",
                        "ratio",
                        "rps",
                        "meets_target",
                    )
                }
        queries = {v["queries"] for v in by_scale.values()}
        rows.append(
            {
                "name": name,
                "target": TARGETS.get(name),
                "scales": by_scale,
                "queries_differ": len(queries) > 1,
            }
        )
    return rows


def print_comparison(rows: list[dict], scales: list[int]) -> None:
    """The scales side by side: queries, CPU ms, CPU ratio and throughput ratio."""
    tags = [f"{s}x" for s in scales]

    def group(title: str, width: int) -> str:
        return f"{title:^{width * len(scales)}}"

    w = 8
    print("\nscales side by side:")
    print(
        f"{'':<21}{group('queries', w)}  {group('CPU ms', w)}  {group('CPU ratio', w)}"
        f"  {group('req/s ratio', w)}  {'target':>7}  {'by CPU ratio':<12}"
    )
    line = f"{'page':<21}" + "  ".join("".join(f"{t:>{w}}" for t in tags) for _ in range(4))
    print(line + f"  {'':>7}  {' / '.join(tags)}")
    print("-" * (len(line) + 23))
    flagged = []
    for row in rows:
        cells = []
        for key, digits in (
            ("queries", None),
            ("cpu_ms_per_request", 1),
            ("cpu_ratio", 3),
            ("ratio", 2),
        ):
            values = []
            for scale in scales:
                value = row["scales"].get(str(scale), {}).get(key)
                if digits is None:
                    values.append(f"{'—' if value is None else value:>{w}}")
                else:
                    values.append(_num(value, w, digits))
            cells.append("".join(values))
        target = f"≥{row['target']}" if row["target"] else "—"
        marks = [
            {True: "pass", False: "FAIL", None: ""}[
                row["scales"].get(str(s), {}).get("meets_target")
            ]
            for s in scales
        ]
        mark_text = " / ".join(m for m in marks if m)
        print(f"{row['name']:<21}" + "  ".join(cells) + f"  {target:>7}  {mark_text}")
        if row["queries_differ"]:
            flagged.append(row["name"])
    if flagged:
        print(f"query counts differ between scales: {', '.join(flagged)}")
    else:
        print("query counts are the same at every scale")


def print_interpreter(info: dict, reference: dict | None) -> None:
    print(f"interpreter: {info['executable']} (Python {info['version']}, {info['base_realpath']})")
    print(f"  chosen by: {info['chosen_by']}")
    print(f"  {interpreter.build_flags(info)}")
    line = f"  pure-Python probe: {info['probe_ms']:.0f} ms"
    if reference:
        line += (
            f"; the project's .venv ({reference['base_realpath']}, Python "
            f"{reference['version']}): {reference['probe_ms']:.0f} ms "
            f"({reference['probe_ms'] / info['probe_ms']:.1f}x this one's time)"
        )
    print(line, flush=True)


def print_scale(result: dict) -> None:
    print_table(result)
    data = result["dataset"]
    if data["built"]:
        print(f"dataset built in {data['seconds']:.1f} s ({data['reason']})")
    print(
        f"targets: {data['targets']} (budget {data['budget']}); "
        f"{data['sessions']} sessions signed in in {data['sign_in_seconds']} s"
    )
    box = result["outbox"]
    print(
        f"outbox since the start: {box['written']} written, {box['sent']} sent, "
        f"{box['pending']} pending, {box['sending']} sending, {box['failed']} failed; "
        f"the worker ran {box['worker_deliveries']} deliveries and the SMTP sink received "
        f"{box['smtp_sink_received']}"
        f" (waited {result['setup']['outbox_drain_seconds']} s for the worker in all)"
    )
    print(f"  by kind: {box['by_kind']}")
    print(f"broker: {result['broker']}")
    low, high = result["setup"]["web_database_sessions"]
    print(f"CPU measured: gunicorn's processes and its {low}–{high} database sessions")
    writes = result["writes"]
    print(
        "writes: "
        + "; ".join(
            f"{name} {w['answered_302']} × 302, {w['rows_made']} rows" for name, w in writes.items()
        )
    )
    for problem in delivery_problems(result):
        print(f"warning: {problem}")
    for name, w in writes.items():
        if w["targets_left"] == 0:
            print(
                f"warning: {name} used up its targets; raise WRITE_RATE_CEILING in bench/pages.py"
            )
