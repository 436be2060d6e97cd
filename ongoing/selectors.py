"""Reads of life after connecting: a connection's goals, the notes a person may read,
and the connection's activity timeline.

Every function here costs a fixed number of queries whatever the number of goals, notes
and events (the connection page pins it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from matching.models import Connection
from mentoring.models import User
from ongoing.models import Goal, GoalChange, Note


def goals(*, connection: Connection) -> QuerySet[Goal]:
    """The connection's goals, newest first (slice it: a page's cap)."""
    return (
        Goal.objects.filter(connection=connection)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def goals_with_history(*, connection: Connection) -> QuerySet[Goal]:
    """Goals with their changes (newest first) and who made them: two queries a page."""
    return goals(connection=connection).prefetch_related(
        Prefetch(
            "changes",
            queryset=GoalChange.objects.select_related("changed_by").order_by("-changed_at", "-pk"),
        )
    )


def visible_notes_q(*, viewer: User) -> Q:
    """Notes ``viewer`` may read: shared ones and their own private ones."""
    return Q(visibility=Note.Visibility.SHARED) | Q(author=viewer)


def notes_for(*, connection: Connection, viewer: User) -> QuerySet[Note]:
    """The notes ``viewer`` may read on the connection, newest first: never another
    person's private note."""
    return (
        Note.objects.filter(visible_notes_q(viewer=viewer), connection=connection)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


# --- The timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    when: datetime
    kind: str  # a short machine name ("connected", "goal_added", "note", ...)
    text: str  # one sentence a person reads
    link: str = ""  # where to read more ("" for none)


# A source returns at most ``limit`` items, newest first, in a fixed number of queries.
TimelineSource = Callable[[Connection, User, int], list[TimelineItem]]


def _connection_events(connection: Connection, viewer: User, limit: int) -> list[TimelineItem]:
    """Start (and how) and end, from the connection's own fields: no query."""
    origin_text = {
        Connection.Origin.FLASH_MEETING: _("Connected after a flash meeting."),
        Connection.Origin.PROFILE_REQUEST: _(
            "Connected: the mentor accepted a request sent with the Connect button."
        ),
        Connection.Origin.PREFERRED_MENTORING: _("Connected through Preferred Mentoring."),
        Connection.Origin.ADMIN: _("Connected by a program admin."),
    }
    items = [
        TimelineItem(
            when=connection.started_at,
            kind="connected",
            text=origin_text.get(connection.origin, _("Connected.")),
        )
    ]
    if connection.ended_at:
        if connection.ended_by_id:
            text = _("%(name)s ended the connection.") % {"name": connection.ended_by.name}
        else:
            text = _("The connection ended.")
        items.append(TimelineItem(when=connection.ended_at, kind="ended", text=text))
    return items


def _goal_events(connection: Connection, viewer: User, limit: int) -> list[TimelineItem]:
    """Goals added and changed: one query."""
    link = reverse("portal:connection_goals", args=[connection.pk])
    changes = (
        GoalChange.objects.filter(goal__connection=connection)
        .select_related("changed_by", "goal")
        .order_by("-changed_at", "-pk")[:limit]
    )
    items = []
    for change in changes:
        who = change.changed_by.name if change.changed_by else _("Someone")
        params = {"who": who, "goal": change.goal.title}
        if change.field == GoalChange.Field.CREATED:
            text = _("%(who)s added the goal “%(goal)s”.") % params
            kind = "goal_added"
        elif change.field == GoalChange.Field.STATUS:
            params["status"] = Goal.Status(change.new_value).label
            text = _("%(who)s set the goal “%(goal)s” to %(status)s.") % params
            kind = "goal_status"
        else:
            params["field"] = GoalChange.Field(change.field).label.lower()
            text = _("%(who)s changed the %(field)s of the goal “%(goal)s”.") % params
            kind = "goal_changed"
        items.append(
            TimelineItem(
                when=change.changed_at, kind=kind, text=text, link=f"{link}#goal-{change.goal_id}"
            )
        )
    return items


def _note_events(connection: Connection, viewer: User, limit: int) -> list[TimelineItem]:
    """Notes the viewer may read: one query (never another person's private note)."""
    link = reverse("portal:connection_notes", args=[connection.pk])
    items = []
    for note in notes_for(connection=connection, viewer=viewer)[:limit]:
        if note.is_shared:
            text = _("%(who)s added a shared note.") % {"who": note.author.name}
        else:
            text = _("You added a private note.")
        items.append(
            TimelineItem(
                when=note.created_at, kind="note", text=text, link=f"{link}#note-{note.pk}"
            )
        )
    return items


# Other apps' events join by appending a source here (each one query or none).
TIMELINE_SOURCES: list[TimelineSource] = [_connection_events, _goal_events, _note_events]


def timeline(*, connection: Connection, viewer: User, limit: int = 20) -> list[TimelineItem]:
    """The connection's latest ``limit`` events from every source, newest first."""
    items: list[TimelineItem] = []
    for source in TIMELINE_SOURCES:
        items.extend(source(connection, viewer, limit))
    items.sort(key=lambda item: item.when, reverse=True)
    return items[:limit]
