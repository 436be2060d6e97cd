"""Reads for the admin's flash-to-ongoing report: how many flash meetings turned into
ongoing mentoring, per program."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching.eligibility import Reason
from matching.models import Connection, ConnectionRequest
from mentoring.models import Program


@dataclass(frozen=True)
class FollowUpReport:
    program: Program
    meetings_over: int
    follow_ups_answered: int
    offers_shown: int
    offers_not_shown: list[tuple[str, str, int]]  # (code, label, count)
    forced_connections: int
    requests_sent: int
    requests_accepted: int

    @property
    def connections_made(self) -> int:
        return self.forced_connections + self.requests_accepted

    @property
    def conversion_rate(self) -> float | None:
        """Share of meetings over that became an ongoing connection."""
        if not self.meetings_over:
            return None
        return self.connections_made / self.meetings_over


def follow_up_report(*, program: Program, now: datetime | None = None) -> FollowUpReport:
    """Three aggregate queries, whatever the program's size."""
    now = now or timezone.now()
    over = Q(ends_at__lte=now) & Q(
        status__in=[
            FlashMeeting.Status.SCHEDULED,
            FlashMeeting.Status.COMPLETED,
            FlashMeeting.Status.DID_NOT_HAPPEN,
        ]
    )
    meetings = FlashMeeting.objects.filter(program=program)
    totals = meetings.aggregate(
        over=Count("pk", filter=over),
        answered=Count("pk", filter=~Q(follow_up_choice="")),
        shown=Count("pk", filter=Q(follow_up_offer_shown=True)),
    )
    not_shown = dict(
        meetings.filter(follow_up_offer_shown=False)
        .values_list("follow_up_offer_reason")
        .annotate(n=Count("pk"))
        .values_list("follow_up_offer_reason", "n")
    )
    # A connection made by accepting a request from a flash meeting also has the
    # flash-meeting origin, but points at its request: only those without are forced.
    ongoing = Connection.objects.filter(
        program=program, origin=Connection.Origin.FLASH_MEETING, request__isnull=True
    ).aggregate(n=Count("pk"))
    requests = ConnectionRequest.objects.filter(
        program=program, origin=ConnectionRequest.Origin.FLASH_MEETING
    ).aggregate(
        sent=Count("pk"),
        accepted=Count("pk", filter=Q(status=ConnectionRequest.Status.ACCEPTED)),
    )
    return FollowUpReport(
        program=program,
        meetings_over=totals["over"],
        follow_ups_answered=totals["answered"],
        offers_shown=totals["shown"],
        offers_not_shown=[
            (reason.value, str(reason.label), not_shown.get(reason.value, 0)) for reason in Reason
        ],
        forced_connections=ongoing["n"],
        requests_sent=requests["sent"],
        requests_accepted=requests["accepted"],
    )
