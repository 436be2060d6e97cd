"""Connection health: when anything last happened in a connection, and nudging both
people of a quiet one (one email each, recorded, at most once a connection a day)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest, Now
from django.urls import reverse
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching.models import Connection, MatchingSettings
from matching.services.pairs import email_paths
from mentoring.models import User
from notifications.services import notify
from ongoing.models import ConnectionNudge, GoalChange, Note


def _max_of(qs: QuerySet, field: str) -> Subquery:
    """The largest ``field`` of ``qs`` (already filtered by the outer connection)."""
    return Subquery(
        qs.order_by(f"-{field}").values(field)[:1],
        output_field=DateTimeField(),
    )


def with_last_activity(qs: QuerySet) -> QuerySet:
    """``qs`` (connections) annotated with ``last_activity``: the latest of the
    connection's start, a goal change, a note (shared or private), a meeting asked for
    and a meeting held. One query: each source is a correlated subquery."""
    connection = OuterRef("pk")
    sources = [
        _max_of(GoalChange.objects.filter(goal__connection=connection), "changed_at"),
        _max_of(Note.objects.filter(connection=connection), "created_at"),
        _max_of(FlashMeeting.objects.filter(connection=connection), "created_at"),
        _max_of(
            FlashMeeting.objects.filter(
                connection=connection,
                status__in=FlashMeeting.HELD_STATUSES,
                starts_at__lte=Now(),
            ),
            "starts_at",
        ),
    ]
    # GREATEST ignores NULL on PostgreSQL but not on SQLite: a missing source counts as
    # the start.
    return qs.annotate(
        last_activity=Greatest(
            F("started_at"),
            *[Coalesce(source, F("started_at")) for source in sources],
            output_field=DateTimeField(),
        )
    )


def quiet(qs: QuerySet, *, now=None) -> QuerySet:
    """Of ``qs`` (annotated by ``with_last_activity``), the connections with no activity
    in their program's ``inactivity_nudge_days``: each row against its own program."""
    now = now or timezone.now()
    settings = MatchingSettings.objects.filter(
        program_id__in=qs.order_by().values("program_id")
    ).values_list("program_id", "inactivity_nudge_days")
    condition = Q(pk__in=[])
    for program_id, days in settings:
        condition |= Q(program_id=program_id, last_activity__lt=now - timedelta(days=days))
    return qs.filter(condition)


def _other(connection: Connection, user: User) -> User:
    return connection.mentee if user.pk == connection.mentor_id else connection.mentor


@transaction.atomic
def connection_nudge(
    *, connection: Connection, actor: User | None, today: date | None = None
) -> ConnectionNudge | None:
    """Nudge both people of an active connection: one email each through the outbox,
    recorded as a ``ConnectionNudge``. Again the same day: nothing more (None)."""
    if connection.status != Connection.Status.ACTIVE:
        return None
    today = today or timezone.localdate()
    nudge, created = ConnectionNudge.objects.get_or_create(
        connection=connection, day=today, defaults={"nudged_by": actor}
    )
    if not created:
        return None
    days = (
        MatchingSettings.objects.filter(program_id=connection.program_id)
        .values_list("inactivity_nudge_days", flat=True)
        .first()
    ) or 30
    for recipient in (connection.mentor, connection.mentee):
        notify(
            kind="connection_nudge",
            recipient=recipient,
            program=connection.program,
            context={
                "other_name": _other(connection, recipient).name,
                "days": days,
                "connection_path": reverse("portal:connection_detail", args=[connection.pk]),
                **email_paths(),
            },
            dedupe_key=f"conn-nudge:{connection.pk}:{today.isoformat()}:{recipient.pk}",
        )
    return nudge
