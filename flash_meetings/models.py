from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Connection
from mentoring.dates import validate_sane_moment
from mentoring.models import Program
from mentoring.validators import validate_plain_text, validate_single_line


class AvailabilitySlot(models.Model):
    """A time a mentor has opened for flash meetings (stored in UTC).

    A slot is *booked* while a meeting in an active status (requested, scheduled,
    completed) points at it; a declined, withdrawn, expired or cancelled meeting
    releases it. A slot is *open* when it is not booked, starts far enough ahead and
    does not overlap one of the mentor's scheduled meetings (see selectors.open_slots).
    """

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="availability_slots",
        verbose_name=_("program"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="availability_slots",
        verbose_name=_("mentor"),
    )
    starts_at = models.DateTimeField(_("starts at"), validators=[validate_sane_moment])
    ends_at = models.DateTimeField(_("ends at"), validators=[validate_sane_moment])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("availability slot")
        verbose_name_plural = _("availability slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "starts_at"], name="availability_slot_one_per_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="availability_slot_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["program", "mentor", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.mentor} · {self.starts_at:%Y-%m-%d %H:%M} UTC"


class FlashMeeting(models.Model):
    """A one-time meeting between a mentor and a mentee.

    Life cycle (transitions happen only in ``flash_meetings.services``):

    * ``requested``: the mentee asked for the meeting, either for an open slot
      (``slot`` set, ``starts_at``/``ends_at`` copied from it) or with up to three
      proposed times (``proposed_times``; ``starts_at`` null). The mentor may propose
      another time (``counter_proposed_at`` set; a ``ProposedTime`` by the mentor) that
      the mentee can accept. Requests expire at ``expires_at``.
    * ``requested`` → ``scheduled`` (accepted) | ``declined`` (with ``decline_reason``)
      | ``withdrawn`` (by the mentee) | ``expired`` (periodic job).
    * ``scheduled`` → ``cancelled`` (either side, before the start, with
      ``cancel_message``).

    The status stays ``scheduled`` after the end time; the meeting is then *over*
    (see ``is_over``) until the follow-up or the mentor records what happened:
    ``completed`` or ``did_not_happen`` (a completed meeting may still be corrected to
    ``did_not_happen``).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SCHEDULED = "scheduled", _("Scheduled")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        DID_NOT_HAPPEN = "did_not_happen", _("Did not happen")

    HELD_STATUSES = (Status.SCHEDULED, Status.COMPLETED)
    # Scheduled meetings whose outcome may already be recorded: once past their end,
    # the follow-up and the feedback survey can be answered.
    ENDED_STATUSES = (Status.SCHEDULED, Status.COMPLETED, Status.DID_NOT_HAPPEN)

    class FollowUpChoice(models.TextChoices):
        """The mentee's answer on the post-meeting follow-up page."""

        CONNECT = "connect", _("Yes, continue in ongoing mentoring")
        NO_THANKS = "no_thanks", _("No thanks")
        DID_NOT_HAPPEN = "did_not_happen", _("The meeting did not happen")

    # Statuses that hold a slot and count towards the mentor's monthly limit.
    ACTIVE_STATUSES = (Status.REQUESTED, Status.SCHEDULED, Status.COMPLETED)

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="flash_meetings", verbose_name=_("program")
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="flash_meetings_as_mentor",
        verbose_name=_("mentor"),
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="flash_meetings_as_mentee",
        verbose_name=_("mentee"),
    )
    topic = models.CharField(_("topic"), max_length=200, validators=[validate_single_line])
    message = models.TextField(
        _("message"), blank=True, max_length=2000, validators=[validate_plain_text]
    )
    # Null while only proposed times exist (a request without a slot).
    starts_at = models.DateTimeField(
        _("starts at"), null=True, blank=True, validators=[validate_sane_moment]
    )
    ends_at = models.DateTimeField(
        _("ends at"), null=True, blank=True, validators=[validate_sane_moment]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Set for a meeting within an ongoing connection (issue 17): the same machinery and
    # states, but it counts against no one-time limit and has no follow-up.
    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("connection"),
    )
    slot = models.ForeignKey(
        AvailabilitySlot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("requested slot"),
    )
    # The calendar month (first day, in the mentor's zone) the meeting counts in for
    # the mentor's monthly limit: the month of its time, or of the first proposed time.
    counts_in_month = models.DateField(_("counts in month"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("request expires at"), null=True, blank=True, validators=[validate_sane_moment]
    )
    counter_proposed_at = models.DateTimeField(
        _("mentor proposed another time at"), null=True, blank=True
    )
    location = models.CharField(
        _("location"), max_length=200, blank=True, validators=[validate_single_line]
    )
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    decline_reason = models.TextField(
        _("reason for declining"), blank=True, max_length=2000, validators=[validate_plain_text]
    )
    cancel_message = models.TextField(
        _("cancellation message"), blank=True, max_length=2000, validators=[validate_plain_text]
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    outcome_recorded_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome recorded by"),
    )
    # Calendar invites: UID is stable per meeting; SEQUENCE goes up on every change.
    ics_sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    follow_up_sent_at = models.DateTimeField(_("follow-up sent at"), null=True, blank=True)

    # The post-meeting follow-up: what was offered when the mentee answered (the offer
    # shown, or the reason not), and what the mentee chose.
    follow_up_offer_shown = models.BooleanField(
        _("ongoing mentoring offered"), null=True, blank=True
    )
    follow_up_offer_reason = models.CharField(
        _("why no offer was shown"), max_length=32, blank=True
    )
    follow_up_policy = models.CharField(_("policy in force"), max_length=32, blank=True)
    follow_up_offer_recorded_at = models.DateTimeField(
        _("offer recorded at"), null=True, blank=True
    )
    follow_up_choice = models.CharField(
        _("follow-up choice"), max_length=20, choices=FollowUpChoice.choices, blank=True
    )
    follow_up_answered_at = models.DateTimeField(_("follow-up answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("flash meeting")
        verbose_name_plural = _("flash meetings")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")), name="flash_meeting_not_with_oneself"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__isnull=False, ends_at__gt=F("starts_at")),
                name="flash_meeting_ends_after_it_starts",
            ),
            # A slot is booked at most once (a released request frees it again).
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status__in=["requested", "scheduled", "completed"]),
                name="flash_meeting_slot_booked_once",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "completed", "did_not_happen"])
                | Q(starts_at__isnull=False),
                name="flash_meeting_held_has_time",
            ),
            # On PostgreSQL, migration 0002 adds an exclusion constraint
            # (flash_meeting_mentor_no_overlap): no two scheduled meetings of one
            # mentor overlap. Services check the same rule under a row lock, which is
            # what SQLite relies on.
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["status", "ends_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.mentor} / {self.mentee})"

    def is_over(self, now: datetime | None = None) -> bool:
        """Held (or still marked scheduled) and past its end time."""
        now = now or timezone.now()
        return (
            self.status in self.HELD_STATUSES and self.ends_at is not None and self.ends_at <= now
        )

    def has_ended(self, now: datetime | None = None) -> bool:
        """Was scheduled (whatever its recorded outcome) and its end time has passed: the
        follow-up and the survey open then."""
        now = now or timezone.now()
        return (
            self.status in self.ENDED_STATUSES and self.ends_at is not None and self.ends_at <= now
        )

    def has_started(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.starts_at is not None and self.starts_at <= now

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.REQUESTED

    @property
    def awaits_mentee(self) -> bool:
        """The mentor proposed another time; the mentee's answer is awaited."""
        return self.is_pending and self.counter_proposed_at is not None

    def is_upcoming(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.SCHEDULED
            and self.ends_at is not None
            and (self.ends_at > now)
        )

    def needs_follow_up(self, now: datetime | None = None) -> bool:
        """The mentee still has to answer the follow-up: the meeting is over and no
        choice is recorded. "My meetings" and the dashboard both follow this one rule
        (the dashboard's statement, ``queries.dashboard_meetings``, says it in SQL)."""
        return self.is_over(now) and not self.follow_up_choice and self.connection_id is None

    @property
    def in_connection(self) -> bool:
        """A meeting within an ongoing connection, not a one-time flash meeting."""
        return self.connection_id is not None

    @property
    def kind_label(self) -> str:
        """What people call it: a flash meeting, or a mentoring meeting in a connection."""
        return _("Mentoring meeting") if self.in_connection else _("Flash meeting")

    @property
    def status_key(self) -> str:
        """The status as people see it (and its badge): a scheduled meeting past its
        end reads "Completed" until someone records that it did not happen, and a
        request the mentor answered with another time reads "New time proposed"."""
        if self.awaits_mentee:
            return "time_proposed"
        if self.status == self.Status.SCHEDULED and self.is_over():
            return self.Status.COMPLETED.value
        return self.status

    @property
    def status_label(self) -> str:
        """One word per status, the same on every page (see ``status_key``)."""
        if self.status_key == "time_proposed":
            return _("New time proposed")
        return self.Status(self.status_key).label

    def other_party(self, user):
        return self.mentee if user.pk == self.mentor_id else self.mentor


class ProposedTime(models.Model):
    """A time proposed for a request: by the mentee (up to three) or the mentor."""

    meeting = models.ForeignKey(
        FlashMeeting,
        on_delete=models.CASCADE,
        related_name="proposed_times",
        verbose_name=_("meeting"),
    )
    starts_at = models.DateTimeField(_("starts at"), validators=[validate_sane_moment])
    ends_at = models.DateTimeField(_("ends at"), validators=[validate_sane_moment])
    by_mentor = models.BooleanField(_("proposed by the mentor"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposed time")
        verbose_name_plural = _("proposed times")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "starts_at"], name="proposed_time_once_per_meeting"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="proposed_time_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} UTC"


def month_start(day: date) -> date:
    return day.replace(day=1)
