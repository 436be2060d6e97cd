"""What the write pages left behind: the outbox's rows and their delivery (the worker
must have sent every email of the run), and the rows each write page made."""

from __future__ import annotations

import time


def outbox_waiting(since) -> int:
    from bench.schema import Notification

    return Notification.objects.filter(
        created_at__gte=since,
        status__in=[Notification.Status.PENDING, Notification.Status.SENDING],
    ).count()


def drain(since, limit: float) -> float:
    """Wait (up to ``limit`` seconds) until the worker has sent what was written since
    ``since``; returns the seconds waited."""
    started = time.perf_counter()
    while outbox_waiting(since) and time.perf_counter() - started < limit:
        time.sleep(0.25)
    return time.perf_counter() - started


def outbox_summary(since) -> dict:
    from django.db.models import Count

    from bench.schema import Notification

    rows = (
        Notification.objects.filter(created_at__gte=since)
        .values_list("kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_status: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    for kind, status, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        by_kind[kind] = by_kind.get(kind, 0) + n
    return {
        "written": sum(by_status.values()),
        "sent": by_status.get("sent", 0),
        "pending": by_status.get("pending", 0),
        "sending": by_status.get("sending", 0),
        "failed": by_status.get("failed", 0),
        "by_kind": by_kind,
    }


def writes_made(since) -> dict[str, int]:
    """What the write pages left in the database since ``since``."""
    from bench.schema import Connection, ConnectionRequest, FlashMeeting

    return {
        "follow_up_no_thanks": FlashMeeting.objects.filter(
            follow_up_choice="no_thanks", follow_up_answered_at__gte=since
        ).count(),
        "follow_up_connect": Connection.objects.filter(
            origin=Connection.Origin.FLASH_MEETING, started_at__gte=since
        ).count(),
        "connect_post": ConnectionRequest.objects.filter(
            origin=ConnectionRequest.Origin.PROFILE, created_at__gte=since
        ).count(),
    }


def delivery_problems(result: dict) -> list[str]:
    """Do the rows and emails add up to what the write pages answered?"""
    writes, box = result["writes"], result["outbox"]
    problems = [
        f"{name}: {w['answered_302']} answered 302 but {w['rows_made']} rows were made"
        for name, w in writes.items()
        if w["answered_302"] != w["rows_made"]
    ]
    kinds = box["by_kind"]
    expected = {
        "flash_connection_created_mentor": writes["follow_up_connect"]["rows_made"],
        "flash_connection_created_mentee": writes["follow_up_connect"]["rows_made"],
        "connection_request_received": writes["connect_post"]["rows_made"],
    }
    problems += [
        f"{kind}: {kinds.get(kind, 0)} emails written for {n} writes"
        for kind, n in expected.items()
        if kinds.get(kind, 0) != n
    ]
    if box["sent"] != box["written"]:
        problems.append(f"{box['written'] - box['sent']} emails of this run were not sent")
    if box["worker_deliveries"] != box["sent"]:
        problems.append(f"the worker ran {box['worker_deliveries']} deliveries, not {box['sent']}")
    if box["smtp_sink_received"] != box["sent"]:
        problems.append(f"the SMTP sink received {box['smtp_sink_received']}, not {box['sent']}")
    return problems
