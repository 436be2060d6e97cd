"""Reads for the admin's "Outcomes by origin" report: for one program, how the
connections that began each way (a profile request, a program admin, a flash meeting,
Preferred Mentoring) went: still active, reached their end or ended early, how long the
ended ones lasted, goals achieved, and the ratings of their check-in and closing surveys.

It answers the question the flash-to-ongoing feature raises: do connections that began
with a flash meeting go better than the others? Three aggregate queries, whatever the
number of connections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext

from matching.models import Connection
from mentoring.models import Program
from ongoing.models import Goal
from surveys.models import Answer, Question, Survey

# The rows: flash meetings first (the report's question is about them), then the others.
ORIGINS = [
    Connection.Origin.FLASH_MEETING,
    *(origin for origin in Connection.Origin if origin != Connection.Origin.FLASH_MEETING),
]
_LENGTH = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())


@dataclass(frozen=True)
class Ratings:
    """Rating answers (1..5) of one survey kind: how many, and their sum."""

    count: int = 0
    total: int = 0

    @property
    def average(self) -> float | None:
        return self.total / self.count if self.count else None

    def __add__(self, other: Ratings) -> Ratings:
        return Ratings(count=self.count + other.count, total=self.total + other.total)


@dataclass(frozen=True)
class OriginOutcomes:
    """One row of the report: the program's connections of one origin (or all of them)."""

    origin: str  # a Connection.Origin value; "" for the "All origins" row
    label: str
    connections: int = 0
    active: int = 0
    completed: int = 0  # reached their end date
    ended_early: int = 0
    ended: int = 0  # every ended connection, whatever its cause (the length averages these)
    total_length: timedelta = timedelta(0)
    goals_achieved: int = 0
    check_in: Ratings = Ratings()
    closing: Ratings = Ratings()

    @property
    def average_length_days(self) -> float | None:
        """Mean of ended_at − started_at over the ended connections, in days."""
        if not self.ended:
            return None
        return self.total_length.total_seconds() / 86400 / self.ended

    @property
    def goals_achieved_per_connection(self) -> float | None:
        if not self.connections:
            return None
        return self.goals_achieved / self.connections

    @property
    def rating_columns(self) -> tuple[Ratings, Ratings]:
        """The check-in's ratings, then the closing survey's (the table's order)."""
        return (self.check_in, self.closing)

    @property
    def ended_cause_unknown(self) -> int:
        """Ended connections with no recorded cause (ended before causes were kept)."""
        return self.ended - self.completed - self.ended_early

    def __add__(self, other: OriginOutcomes) -> OriginOutcomes:
        return OriginOutcomes(
            origin="",
            label=self.label,
            connections=self.connections + other.connections,
            active=self.active + other.active,
            completed=self.completed + other.completed,
            ended_early=self.ended_early + other.ended_early,
            ended=self.ended + other.ended,
            total_length=self.total_length + other.total_length,
            goals_achieved=self.goals_achieved + other.goals_achieved,
            check_in=self.check_in + other.check_in,
            closing=self.closing + other.closing,
        )


@dataclass(frozen=True)
class OutcomesReport:
    program: Program
    rows: list[OriginOutcomes]  # one per origin (ORIGINS' order), zeros included
    total: OriginOutcomes  # "All origins"

    @property
    def table_rows(self) -> list[OriginOutcomes]:
        return [*self.rows, self.total]


def outcomes_report(*, program: Program) -> OutcomesReport:
    """The program's connections by origin. Three aggregate queries (connections, goals
    achieved, ratings), each grouped by origin, whatever the number of connections."""
    connections = {
        row.pop("origin"): row
        for row in Connection.objects.filter(program=program)
        .order_by()
        .values("origin")
        .annotate(
            connections=Count("pk"),
            active=Count("pk", filter=Q(status=Connection.Status.ACTIVE)),
            completed=Count(
                "pk",
                filter=Q(status=Connection.Status.ENDED, end_cause=Connection.EndCause.COMPLETED),
            ),
            ended_early=Count(
                "pk",
                filter=Q(status=Connection.Status.ENDED, end_cause=Connection.EndCause.ENDED_EARLY),
            ),
            ended=Count("pk", filter=Q(status=Connection.Status.ENDED)),
            total_length=Sum(_LENGTH, filter=Q(status=Connection.Status.ENDED)),
        )
    }
    goals = dict(
        Goal.objects.filter(connection__program=program, status=Goal.Status.ACHIEVED)
        .order_by()
        .values("connection__origin")
        .annotate(n=Count("pk"))
        .values_list("connection__origin", "n")
    )
    ratings = {
        (row["response__connection__origin"], row["response__survey__kind"]): Ratings(
            count=row["count"], total=row["total"]
        )
        for row in Answer.objects.filter(
            response__connection__program=program,
            response__survey__kind__in=Survey.CONNECTION_KINDS,
            question_kind=Question.Kind.RATING,
            rating__isnull=False,
        )
        .order_by()
        .values("response__connection__origin", "response__survey__kind")
        .annotate(count=Count("pk"), total=Sum("rating"))
    }
    rows = []
    for origin in ORIGINS:
        counts = connections.get(origin.value, {})
        rows.append(
            OriginOutcomes(
                origin=origin.value,
                label=str(origin.label),
                connections=counts.get("connections", 0),
                active=counts.get("active", 0),
                completed=counts.get("completed", 0),
                ended_early=counts.get("ended_early", 0),
                ended=counts.get("ended", 0),
                total_length=counts.get("total_length") or timedelta(0),
                goals_achieved=goals.get(origin.value, 0),
                check_in=ratings.get((origin.value, Survey.Kind.CONNECTION_CHECK_IN), Ratings()),
                closing=ratings.get((origin.value, Survey.Kind.CONNECTION_CLOSING), Ratings()),
            )
        )
    total = sum(rows, OriginOutcomes(origin="", label=gettext("All origins")))
    return OutcomesReport(program=program, rows=rows, total=total)
