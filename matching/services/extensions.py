"""How long a connection runs: its end date, extensions (asked by one party, answered by
the other, or made by the program team), the reminder before the end and the end itself
(the periodic job closes connections at their end date as completed).

Every write locks the connection row first (``select_for_update``): one pending extension
at a time, an answer only while it is pending, and the end job never races an answer.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from matching.models import Connection, ConnectionExtension, MatchingSettings
from matching.services.pairs import email_paths
from mentoring import when
from mentoring.errors import IllegalTransition, NotAllowed
from mentoring.inserts import insert_unless_conflict
from mentoring.models import User
from notifications import localized
from notifications.services import notify
from webhooks.services import webhook_emit

Status = ConnectionExtension.Status


def _lock(connection_id: int) -> Connection:
    return (
        Connection.objects.select_for_update(of=("self",))
        .select_related("program__matching_settings", "mentor", "mentee")
        .get(pk=connection_id)
    )


def _other(connection: Connection, person_id: int | None) -> User:
    return connection.mentee if person_id == connection.mentor_id else connection.mentor


def _tell(*, kind: str, connection: Connection, recipient: User, key: str, **context) -> None:
    """One email about the connection's term; dates and our own words in ``context`` are
    ``notifications.localized`` values, written in the recipient's language at render."""
    notify(
        kind=kind,
        recipient=recipient,
        program=connection.program,
        context={
            "other_name": _other(connection, recipient.pk).name,
            "connection_path": reverse("portal:connection_detail", args=[connection.pk]),
            **email_paths(),
            **context,
        },
        dedupe_key=key,
    )


def _refuse_unless_extendable(connection: Connection) -> int:
    if connection.status != Connection.Status.ACTIVE:
        raise IllegalTransition(_("This connection has ended; it can no longer be extended."))
    if connection.ends_on is None:
        raise IllegalTransition(
            _("This connection has no end date, so there is nothing to extend.")
        )
    days = connection.program.matching_settings.connection_extension_days
    if not days:
        raise NotAllowed(_("This program does not allow extending connections."))
    return days


def _already_pending() -> IllegalTransition:
    # One refusal for the check and its backstop: the person reads the same words
    # whichever of the two caught the second request.
    return IllegalTransition(
        _("An extension is already waiting for an answer; wait for it or withdraw it.")
    )


def _move_end(connection: Connection, extension: ConnectionExtension, days: int) -> None:
    extension.previous_ends_on = connection.ends_on
    connection.ends_on = connection.ends_on + timedelta(days=days)
    extension.new_ends_on = connection.ends_on
    # A new end date earns a new reminder.
    connection.end_reminder_sent_at = None
    connection.save(update_fields=["ends_on", "end_reminder_sent_at"])


@transaction.atomic
def connection_extension_request(*, connection: Connection, actor: User) -> ConnectionExtension:
    """The mentor or the mentee asks to extend by the program's period; the other is asked."""
    current = _lock(connection.pk)
    if actor.pk not in (current.mentor_id, current.mentee_id):
        raise NotAllowed(_("Only the mentor or the mentee can ask to extend this connection."))
    days = _refuse_unless_extendable(current)
    if current.extensions.filter(status=Status.PENDING).exists():
        raise _already_pending()
    extension = ConnectionExtension(connection=current, requested_by=actor, days=days)
    # The constraint (one pending extension per connection) is the last defence behind
    # the lock and the check above: a row it refuses is simply not inserted.
    if not insert_unless_conflict(extension):
        raise _already_pending()
    other = _other(current, actor.pk)
    _tell(
        kind="connection_extension_requested",
        connection=current,
        recipient=other,
        key=f"conn-ext-requested:{extension.pk}",
        days=days,
        ends_on=localized.day(current.ends_on),
        new_ends_on=localized.day(current.ends_on + timedelta(days=days)),
    )
    return extension


def _lock_pending(extension: ConnectionExtension) -> tuple[Connection, ConnectionExtension]:
    connection = _lock(extension.connection_id)
    current = ConnectionExtension.objects.select_related("requested_by").get(pk=extension.pk)
    if current.status != Status.PENDING:
        raise IllegalTransition(_("This extension has already been answered or withdrawn."))
    return connection, current


def _lock_for_answer(
    extension: ConnectionExtension, actor: User
) -> tuple[Connection, ConnectionExtension]:
    """Lock a pending extension that ``actor`` may answer: the other party of its
    connection, never the one who asked."""
    connection, current = _lock_pending(extension)
    if actor.pk not in (connection.mentor_id, connection.mentee_id):
        raise NotAllowed(_("Only the mentor or the mentee can answer this extension."))
    if actor.pk == current.requested_by_id:
        raise NotAllowed(_("The other person answers your extension; you may withdraw it."))
    return connection, current


def _answer(current: ConnectionExtension, status: str, actor: User, now: datetime) -> None:
    current.status = status
    current.responded_at = now
    current.responded_by = actor
    current.save(
        update_fields=[
            "status",
            "responded_at",
            "responded_by",
            "previous_ends_on",
            "new_ends_on",
        ]
    )


@transaction.atomic
def connection_extension_accept(
    *, extension: ConnectionExtension, actor: User
) -> ConnectionExtension:
    """The other party accepts: the end date moves by the extension's days."""
    connection, current = _lock_for_answer(extension, actor)
    if connection.status != Connection.Status.ACTIVE or connection.ends_on is None:
        raise IllegalTransition(_("This connection has ended; it can no longer be extended."))
    _move_end(connection, current, current.days)
    _answer(current, Status.ACCEPTED, actor, timezone.now())
    if current.requested_by is not None:
        _tell(
            kind="connection_extended",
            connection=connection,
            recipient=current.requested_by,
            key=f"conn-extended:{current.pk}:{current.requested_by_id}",
            extended_by_name=actor.name,
            ends_on=localized.day(connection.ends_on),
        )
    return current


@transaction.atomic
def connection_extension_decline(
    *, extension: ConnectionExtension, actor: User
) -> ConnectionExtension:
    """The other party declines: the end date stays."""
    connection, current = _lock_for_answer(extension, actor)
    _answer(current, Status.DECLINED, actor, timezone.now())
    if current.requested_by is not None:
        _tell(
            kind="connection_extension_declined",
            connection=connection,
            recipient=current.requested_by,
            key=f"conn-ext-declined:{current.pk}",
            ends_on=localized.day(connection.ends_on),
        )
    return current


@transaction.atomic
def connection_extension_withdraw(
    *, extension: ConnectionExtension, actor: User
) -> ConnectionExtension:
    """The party who asked takes it back; the other is told."""
    connection, current = _lock_pending(extension)
    if actor.pk != current.requested_by_id:
        raise NotAllowed(_("Only the person who asked can withdraw this extension."))
    _answer(current, Status.WITHDRAWN, actor, timezone.now())
    _tell(
        kind="connection_extension_withdrawn",
        connection=connection,
        recipient=_other(connection, actor.pk),
        key=f"conn-ext-withdrawn:{current.pk}",
        ends_on=localized.day(connection.ends_on),
    )
    return current


@transaction.atomic
def connection_extend_by_admin(*, connection: Connection, actor: User) -> ConnectionExtension:
    """The program team extends by the program's period at once (recorded, accepted);
    a pending request of the pair is superseded (withdrawn) and both people are told."""
    current = _lock(connection.pk)
    days = _refuse_unless_extendable(current)
    now = timezone.now()
    current.extensions.filter(status=Status.PENDING).update(
        status=Status.WITHDRAWN, responded_at=now, responded_by=actor
    )
    extension = ConnectionExtension(
        connection=current, requested_by=actor, days=days, by_admin=True, created_at=now
    )
    _move_end(current, extension, days)
    extension.status = Status.ACCEPTED
    extension.responded_at = now
    extension.responded_by = actor
    extension.save()
    for recipient in (current.mentor, current.mentee):
        _tell(
            kind="connection_extended",
            connection=current,
            recipient=recipient,
            key=f"conn-extended:{extension.pk}:{recipient.pk}",
            extended_by_name=localized.text(gettext_noop("The program team")),
            ends_on=localized.day(current.ends_on),
        )
    return extension


# --- The periodic job -------------------------------------------------------------------


def connections_run_terms(*, now: datetime | None = None) -> dict[str, int]:
    """Remind both people N days before the end and close connections whose end date has
    come (completed). Idempotent and safe to run concurrently: each connection is claimed
    in its own short transaction (``skip_locked``) and re-checked under the lock; every
    email has a dedupe key. Returns how many were reminded and completed."""
    now = now or timezone.now()
    today = when.program_date(now)
    completed = 0
    for pk in Connection.objects.filter(
        status=Connection.Status.ACTIVE, ends_on__isnull=False, ends_on__lte=today
    ).values_list("pk", flat=True):
        completed += _complete_one(pk=pk, now=now, today=today)
    reminded = 0
    for settings in MatchingSettings.objects.filter(connection_end_reminder_days__gt=0).only(
        "program_id", "connection_end_reminder_days"
    ):
        horizon = today + timedelta(days=settings.connection_end_reminder_days)
        for pk in Connection.objects.filter(
            program_id=settings.program_id,
            status=Connection.Status.ACTIVE,
            ends_on__gt=today,
            ends_on__lte=horizon,
            end_reminder_sent_at__isnull=True,
        ).values_list("pk", flat=True):
            reminded += _remind_one(pk=pk, now=now, today=today, horizon=horizon)
    return {"reminded": reminded, "completed": completed}


def _claim(pk: int, **filters) -> Connection | None:
    return (
        Connection.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("program", "mentor", "mentee")
        .filter(pk=pk, status=Connection.Status.ACTIVE, **filters)
        .first()
    )


@transaction.atomic
def _complete_one(*, pk: int, now: datetime, today: date) -> int:
    connection = _claim(pk, ends_on__lte=today)
    if connection is None:
        return 0
    connection.status = Connection.Status.ENDED
    connection.ended_at = now
    connection.end_cause = Connection.EndCause.COMPLETED
    connection.end_reason = _("Completed at its end date.")
    connection.save(update_fields=["status", "ended_at", "end_cause", "end_reason"])
    connection.extensions.filter(status=Status.PENDING).update(
        status=Status.WITHDRAWN, responded_at=now
    )
    webhook_emit(event="connection.ended", instance=connection)
    for recipient in (connection.mentor, connection.mentee):
        _tell(
            kind="connection_completed",
            connection=connection,
            recipient=recipient,
            key=f"conn-completed:{connection.pk}:{recipient.pk}",
            ends_on=localized.day(connection.ends_on),
        )
    return 1


@transaction.atomic
def _remind_one(*, pk: int, now: datetime, today: date, horizon: date) -> int:
    connection = _claim(
        pk, ends_on__gt=today, ends_on__lte=horizon, end_reminder_sent_at__isnull=True
    )
    if connection is None:
        return 0
    connection.end_reminder_sent_at = now
    connection.save(update_fields=["end_reminder_sent_at"])
    extension_days = (
        MatchingSettings.objects.filter(program_id=connection.program_id)
        .values_list("connection_extension_days", flat=True)
        .first()
    )
    for recipient in (connection.mentor, connection.mentee):
        _tell(
            kind="connection_end_reminder",
            connection=connection,
            recipient=recipient,
            # The end date is in the key: after an extension, the new date reminds again.
            key=f"conn-end-reminder:{connection.pk}:{connection.ends_on}:{recipient.pk}",
            ends_on=localized.day(connection.ends_on),
            days_left=(connection.ends_on - today).days,
            extension_days=extension_days or 0,
        )
    return 1
