"""Life after connecting: a connection's goals (with their history) and its notes.

A goal belongs to the pair: either party adds and updates it, and every change is kept
(who, when, old → new) in ``GoalChange``. A note is shared (both parties read it) or
private (only its author ever reads it: not the other party, not the admin, not an
export)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Connection
from mentoring.validators import validate_plain_text, validate_single_line

GOAL_TITLE_MAX = 200
GOAL_DESCRIPTION_MAX = 2000
NOTE_BODY_MAX = 4000


class Goal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Dropped")

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="goals", verbose_name=_("connection")
    )
    title = models.CharField(
        _("title"), max_length=GOAL_TITLE_MAX, validators=[validate_single_line]
    )
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=GOAL_DESCRIPTION_MAX,
        validators=[validate_plain_text],
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["connection", "-created_at"], name="goal_connection_idx")]

    def __str__(self) -> str:
        return self.title


class GoalChange(models.Model):
    """One field of a goal changed (or the goal was added: field ``created``)."""

    class Field(models.TextChoices):
        CREATED = "created", _("Added")
        TITLE = "title", _("Title")
        DESCRIPTION = "description", _("Description")
        TARGET_DATE = "target_date", _("Target date")
        STATUS = "status", _("Status")

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="changes", verbose_name=_("goal")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    field = models.CharField(_("field"), max_length=16, choices=Field.choices)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)

    class Meta:
        verbose_name = _("goal change")
        verbose_name_plural = _("goal changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.field}"

    def _shown(self, value: str) -> str:
        if self.field == self.Field.STATUS and value in Goal.Status.values:
            return str(Goal.Status(value).label)
        return value

    @property
    def old_shown(self) -> str:
        """The old value as people read it (a status by its label)."""
        return self._shown(self.old_value)

    @property
    def new_shown(self) -> str:
        return self._shown(self.new_value)


class Note(models.Model):
    class Visibility(models.TextChoices):
        SHARED = "shared", _("Shared with the other person")
        PRIVATE = "private", _("Private (only you)")

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="notes", verbose_name=_("connection")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connection_notes",
        verbose_name=_("author"),
    )
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.SHARED
    )
    body = models.TextField(_("note"), max_length=NOTE_BODY_MAX, validators=[validate_plain_text])
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["connection", "-created_at"], name="note_connection_idx")]

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} note {self.pk}"

    @property
    def is_shared(self) -> bool:
        return self.visibility == self.Visibility.SHARED


class ConnectionHealth(Connection):
    """The connection health admin's view of a connection: when anything last happened
    in it (ongoing/admin.py). No table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("connection health")
        verbose_name_plural = _("connection health")
        default_permissions = ("view",)
        permissions = [("nudge_connection", _("Can nudge both people of a quiet connection"))]


class ConnectionNudge(models.Model):
    """A program admin nudged both people of a quiet connection (one email each); at
    most one a connection a day."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="nudges", verbose_name=_("connection")
    )
    nudged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nudged by"),
    )
    nudged_at = models.DateTimeField(_("nudged at"), default=timezone.now)
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("nudge")
        verbose_name_plural = _("nudges")
        ordering = ["-nudged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "day"], name="nudge_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.day}"
