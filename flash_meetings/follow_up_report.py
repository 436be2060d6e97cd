"""Reads for the admin's flash-to-ongoing report: how many flash meetings turned into
ongoing mentoring, per program; and, for one answered meeting, what its follow-up offered
and what the mentee chose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings.models import FlashMeeting
from matching.eligibility import Reason
from matching.models import Connection, ConnectionRequest, FlashToOngoingPolicy
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


def offer_and_answer(meeting: FlashMeeting) -> str:
    """For an answered follow-up: what the page offered when the mentee answered (as the
    answer recorded it) and what they chose, for the admin's readout (the live decision
    would only say "already answered"). Policies by their labels."""
    mentor = meeting.mentor.name
    forced = meeting.follow_up_policy == FlashToOngoingPolicy.FORCED_CONNECTION
    if meeting.follow_up_offer_shown:
        button = (
            _("Yes, connect me with %(name)s") if forced else _("Yes, send %(name)s a request")
        ) % {"name": mentor}
        offered = _("Offered: “%(button)s” (%(policy)s)") % {
            "button": button,
            "policy": policy_label(meeting.follow_up_policy),
        }
    elif meeting.follow_up_offer_shown is None:
        offered = _("What was offered was not recorded")
    else:
        offered = _("No offer: %(reason)s") % {
            "reason": reason_label(meeting.follow_up_offer_reason)
        }
    choice = FlashMeeting.FollowUpChoice
    outcome = {
        choice.CONNECT: _("connection made") if forced else _("request sent"),
        choice.DID_NOT_HAPPEN: _("meeting recorded as not held"),
    }.get(meeting.follow_up_choice)
    chosen = str(choice(meeting.follow_up_choice).label)
    if outcome:
        chosen = _("%(choice)s (%(outcome)s)") % {"choice": chosen, "outcome": outcome}
    return _("%(offered)s — chosen: %(chosen)s.") % {"offered": offered, "chosen": chosen}


def reason_label(code: str) -> str:
    """A recorded reason as "label (code)"; the code alone if no reason has it any more."""
    if code in Reason.values:
        return f"{Reason(code).label} ({code})"
    return code or "—"


def policy_label(code: str) -> str:
    """A recorded policy by its label (program admins know the labels, not the codes)."""
    if code in FlashToOngoingPolicy.values:
        return str(FlashToOngoingPolicy(code).label)
    return code or "—"
