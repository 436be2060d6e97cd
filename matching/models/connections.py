"""What matching produces: ``Connection`` (an ongoing mentoring connection) with its
``ConnectionExtension``s, the ``ConnectionRequest`` that may lead to one, and a mentee's
ranked ``PreferredMentor`` list."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.dates import validate_sane_moment
from mentoring.models import Program
from mentoring.validators import validate_plain_text


class Connection(models.Model):
    """An ongoing mentoring connection; it holds one of the mentor's slots while active."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    class EndCause(models.TextChoices):
        COMPLETED = "completed", _("Completed at its end date")
        ENDED_EARLY = "ended_early", _("Ended early")

    class Origin(models.TextChoices):
        PROFILE_REQUEST = "profile_request", _("Profile request")
        ADMIN = "admin", _("Program admin")
        FLASH_MEETING = "flash_meeting", _("Flash meeting")
        PREFERRED_MENTORING = "preferred_mentoring", _("Preferred mentoring")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="connections", verbose_name=_("program")
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connections_as_mentor",
        verbose_name=_("mentor"),
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connections_as_mentee",
        verbose_name=_("mentee"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    origin = models.CharField(_("origin"), max_length=32, choices=Origin.choices)
    flash_meeting = models.ForeignKey(
        "flash_meetings.FlashMeeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="connections",
        verbose_name=_("flash meeting"),
    )
    request = models.OneToOneField(
        "ConnectionRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="connection",
        verbose_name=_("request"),
    )
    started_at = models.DateTimeField(
        _("started at"), default=timezone.now, validators=[validate_sane_moment]
    )
    ended_at = models.DateTimeField(
        _("ended at"), null=True, blank=True, validators=[validate_sane_moment]
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end_reason = models.TextField(
        _("reason for ending"), blank=True, max_length=500, validators=[validate_plain_text]
    )
    end_cause = models.CharField(
        _("how it ended"), max_length=16, choices=EndCause.choices, blank=True
    )
    # The program's duration when the connection was made; blank: open-ended. An
    # accepted extension moves it (recorded as a ConnectionExtension).
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    end_reminder_sent_at = models.DateTimeField(_("end reminder sent at"), null=True, blank=True)
    # Halfway between the start and the end date the connection was made with; an
    # extension does not move it (the check-in is about the term first agreed).
    check_in_on = models.DateField(_("check-in from"), null=True, blank=True)

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "mentor", "mentee"],
                condition=Q(status="active"),
                name="connection_one_active_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")), name="connection_not_with_oneself"
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True)
                | Q(status="ended", ended_at__isnull=False),
                name="connection_ended_has_end_time",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "status"], name="connection_mentor_status_idx"),
            models.Index(fields=["mentee", "status"], name="connection_mentee_status_idx"),
            models.Index(fields=["status", "ends_on"], name="connection_status_ends_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee} ({self.program})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class ConnectionExtension(models.Model):
    """One party asks to extend a connection by the program's period; the other accepts
    or declines. A program admin's extension is recorded here too, accepted at once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("connection"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    days = models.PositiveIntegerField(_("days"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    by_admin = models.BooleanField(_("by the program team"), default=False)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    previous_ends_on = models.DateField(_("end date before"), null=True, blank=True)
    new_ends_on = models.DateField(_("end date after"), null=True, blank=True)

    class Meta:
        verbose_name = _("connection extension")
        verbose_name_plural = _("connection extensions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(status="pending"),
                name="connection_extension_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1), name="connection_extension_at_least_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection} +{self.days}d ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class ConnectionRequest(models.Model):
    """A mentee asks a mentor for ongoing mentoring; a pending request holds a slot."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        CLOSED = "closed", _("Closed")

    class Origin(models.TextChoices):
        PROFILE = "profile", _("Mentor profile")
        FLASH_MEETING = "flash_meeting", _("Flash meeting")

    class DeclineReason(models.TextChoices):
        NOT_RIGHT_MATCH = "not_right_match", _("Not the right match")
        REACHED_LIMIT = "reached_limit", _("Reached my limit")
        BUSY = "busy", _("Busy at this time")
        OTHER = "other", _("Other")

    class CloseReason(models.TextChoices):
        MENTEE_AT_LIMIT = (
            "mentee_at_limit",
            _("The mentee reached the most ongoing mentors the program allows"),
        )
        CONNECTED = "connected", _("The program team connected them directly")

    MESSAGE_MAX_LENGTH = 1000

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="connection_requests",
        verbose_name=_("program"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connection_requests_received",
        verbose_name=_("mentor"),
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connection_requests_sent",
        verbose_name=_("mentee"),
    )
    message = models.TextField(
        _("message"), max_length=MESSAGE_MAX_LENGTH, validators=[validate_plain_text]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    origin = models.CharField(
        _("origin"), max_length=32, choices=Origin.choices, default=Origin.PROFILE
    )
    flash_meeting = models.ForeignKey(
        "flash_meetings.FlashMeeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="connection_requests",
        verbose_name=_("flash meeting"),
    )
    decline_reason = models.CharField(
        _("reason for declining"), max_length=32, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.TextField(
        _("note"), blank=True, max_length=500, validators=[validate_plain_text]
    )
    close_reason = models.CharField(
        _("reason for closing"), max_length=32, choices=CloseReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("connection request")
        verbose_name_plural = _("connection requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "mentor", "mentee"],
                condition=Q(status="pending"),
                name="connection_request_one_pending_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")), name="connection_request_not_to_oneself"
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "status"], name="conn_request_mentor_status_idx"),
            models.Index(fields=["mentee", "status"], name="conn_request_mentee_status_idx"),
            models.Index(fields=["status", "created_at"], name="conn_request_status_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} → {self.mentor} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class PreferredMentor(models.Model):
    """One entry of a mentee's ranked list in a Preferred Mentoring program (1 = first)."""

    MAX_PER_MENTEE = 10

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="preferred_mentors",
        verbose_name=_("program"),
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferred_mentors",
        verbose_name=_("mentee"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferred_by",
        verbose_name=_("mentor"),
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("preferred mentor")
        verbose_name_plural = _("preferred mentors")
        ordering = ["program", "mentee", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "mentee", "mentor"], name="preferred_mentor_once_per_list"
            ),
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")), name="preferred_mentor_not_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee}: {self.rank}. {self.mentor}"
