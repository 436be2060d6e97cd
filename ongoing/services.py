"""Writes of life after connecting: goals (every change kept) and notes.

Only the connection's two parties write; an ended connection is read-only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import Connection
from mentoring import dates
from mentoring.errors import IllegalTransition, InvalidInput, NotAllowed
from mentoring.models import User
from mentoring.validators import validate_plain_text, validate_single_line
from ongoing.models import (
    GOAL_DESCRIPTION_MAX,
    GOAL_TITLE_MAX,
    NOTE_BODY_MAX,
    Goal,
    GoalChange,
    Note,
)


class ConnectionNotActive(IllegalTransition):
    """Goals and notes are kept after the end, but no longer changed."""


def _check_party(*, connection: Connection, actor: User) -> None:
    if actor.pk not in (connection.mentor_id, connection.mentee_id):
        raise NotAllowed(_("Only the mentor and the mentee of this connection can do that."))
    if connection.status != Connection.Status.ACTIVE:
        raise ConnectionNotActive(
            _("This connection has ended; its goals and notes can be read but not changed.")
        )


def _clean_text(
    value: str, *, max_length: int, validator: Callable[[str], None], required: str | None
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(required)
    if len(value) > max_length:
        raise InvalidInput(_("Keep this to %(limit)d characters or fewer.") % {"limit": max_length})
    try:
        validator(value)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from error
    return value


def _clean_goal(*, title: str, description: str) -> tuple[str, str]:
    return (
        _clean_text(
            title,
            max_length=GOAL_TITLE_MAX,
            validator=validate_single_line,
            required=_("Give the goal a title."),
        ),
        _clean_text(
            description,
            max_length=GOAL_DESCRIPTION_MAX,
            validator=validate_plain_text,
            required=None,
        ),
    )


def _check_target_date(value: date | None) -> None:
    if value is not None and not dates.EARLIEST_YEAR <= value.year <= dates.LATEST_YEAR:
        raise InvalidInput(
            dates.NOT_STORABLE % {"earliest": dates.EARLIEST_YEAR, "latest": dates.LATEST_YEAR}
        )


@transaction.atomic
def goal_add(
    *,
    connection: Connection,
    actor: User,
    title: str,
    description: str = "",
    target_date: date | None = None,
) -> Goal:
    _check_party(connection=connection, actor=actor)
    title, description = _clean_goal(title=title, description=description)
    _check_target_date(target_date)
    now = timezone.now()
    goal = Goal.objects.create(
        connection=connection,
        title=title,
        description=description,
        target_date=target_date,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    GoalChange.objects.create(
        goal=goal,
        changed_by=actor,
        changed_at=now,
        field=GoalChange.Field.CREATED,
        new_value=title,
    )
    return goal


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    actor: User,
    title: str,
    description: str,
    target_date: date | None,
    status: str,
) -> list[GoalChange]:
    """Change the goal; one ``GoalChange`` per field that changed (none: nothing saved)."""
    goal = Goal.objects.select_for_update().select_related("connection").get(pk=goal.pk)
    _check_party(connection=goal.connection, actor=actor)
    if status not in Goal.Status.values:
        raise InvalidInput(_("Choose open, achieved or dropped."))
    title, description = _clean_goal(title=title, description=description)
    _check_target_date(target_date)
    now = timezone.now()
    changes = []
    for field, new in (
        (GoalChange.Field.TITLE, title),
        (GoalChange.Field.DESCRIPTION, description),
        (GoalChange.Field.TARGET_DATE, target_date),
        (GoalChange.Field.STATUS, status),
    ):
        old = getattr(goal, field)
        if old == new:
            continue
        changes.append(
            GoalChange(
                goal=goal,
                changed_by=actor,
                changed_at=now,
                field=field,
                old_value="" if old is None else str(old),
                new_value="" if new is None else str(new),
            )
        )
        setattr(goal, field, new)
    if changes:
        goal.updated_at = now
        goal.save()
        GoalChange.objects.bulk_create(changes)
    return changes


@transaction.atomic
def note_add(*, connection: Connection, actor: User, body: str, shared: bool) -> Note:
    """A shared note both parties read; a private one only ``actor`` ever reads."""
    _check_party(connection=connection, actor=actor)
    body = _clean_text(
        body,
        max_length=NOTE_BODY_MAX,
        validator=validate_plain_text,
        required=_("Write something in the note first."),
    )
    return Note.objects.create(
        connection=connection,
        author=actor,
        body=body,
        visibility=Note.Visibility.SHARED if shared else Note.Visibility.PRIVATE,
    )
