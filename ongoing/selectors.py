"""Reads of life after connecting: a connection's goals and the notes a person may read
(the connection's activity timeline is ``ongoing.timeline``).

Every function here costs a fixed number of queries whatever the number of goals and
notes (the connection page pins it)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

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
