from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.dates import validate_sane_moment
from mentoring.models import Program
from mentoring.validators import validate_plain_text


class FlashToOngoingPolicy(models.TextChoices):
    # The labels are the ones program admins know; keep them word for word.
    FORCED_CONNECTION = (
        "forced_connection",
        _(
            "Connect them if mentee wants to connect again with mentor for ongoing "
            "mentoring connection"
        ),
    )
    CONNECTION_REQUEST = (
        "connection_request",
        _(
            "Send a mentoring request to mentor if mentee looks to connect again for an "
            "ongoing mentoring connection"
        ),
    )


class MatchingSettings(models.Model):
    """How one program matches mentors and mentees; exactly one per program."""

    program = models.OneToOneField(
        Program,
        on_delete=models.CASCADE,
        related_name="matching_settings",
        verbose_name=_("program"),
    )

    # Mentoring modes
    ongoing_enabled = models.BooleanField(_("ongoing mentoring"), default=True)
    one_time_enabled = models.BooleanField(_("one-time mentoring"), default=True)
    preferred_mentoring_enabled = models.BooleanField(
        _("preferred mentoring"),
        default=False,
        help_text=_(
            "Mentees rank mentors they prefer and admins make the connections; "
            "mentees cannot send requests."
        ),
    )
    mentors_choose_modes = models.BooleanField(
        _("mentors choose their modes"),
        default=False,
        help_text=_("Each mentor says whether they offer ongoing, one-time or both."),
    )

    # Ongoing mentoring
    default_max_ongoing_mentees = models.PositiveSmallIntegerField(
        _("default maximum ongoing mentees per mentor"),
        default=5,
        help_text=_("Used for mentors who have not set their own limit."),
    )
    max_ongoing_mentors_per_mentee = models.PositiveSmallIntegerField(
        _("maximum ongoing mentors per mentee"), default=1
    )
    max_pending_requests_per_mentee = models.PositiveSmallIntegerField(
        _("maximum pending requests per mentee"), default=3
    )
    request_expiry_days = models.PositiveSmallIntegerField(
        _("requests expire after (days)"),
        null=True,
        blank=True,
        default=14,
        help_text=_("Blank means pending requests never expire."),
    )
    mentor_max_ongoing_mentees = models.PositiveSmallIntegerField(
        _("most ongoing mentees a mentor may choose"),
        null=True,
        blank=True,
        help_text=_(
            "Mentors set their own limit on their participation page, from 0 up to this "
            "number. Blank: no cap (mentors who set nothing use the default above)."
        ),
    )
    decline_cooldown_days = models.PositiveIntegerField(
        _("cool-off after a mentor declines (days)"),
        default=90,
        help_text=_(
            "For this many days after a mentor declines a mentee's request, that mentee can "
            "neither send that mentor a new request nor be connected with them after a flash "
            "meeting. 0 turns this off."
        ),
    )

    # How long a connection runs
    connection_duration_days = models.PositiveIntegerField(
        _("connections last (days)"),
        null=True,
        blank=True,
        help_text=_(
            "A new connection ends this many days after it starts; both people are told "
            "and the mentor's place is freed. Blank: connections are open-ended. "
            "Existing connections keep their end date."
        ),
    )
    connection_end_reminder_days = models.PositiveSmallIntegerField(
        _("remind both people before the end (days)"),
        default=14,
        help_text=_(
            "The mentor and the mentee are reminded once, this many days before their "
            "connection ends. 0: no reminder."
        ),
    )
    connection_extension_days = models.PositiveIntegerField(
        _("an extension adds (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Either person may ask to extend their connection by this many days; it is "
            "extended when the other accepts. Blank: connections cannot be extended."
        ),
    )

    connection_check_in_enabled = models.BooleanField(
        _("mid-point check-in survey"),
        default=True,
        help_text=_(
            "Halfway through a connection that has an end date, the mentor and the mentee "
            "are each asked to answer the check-in survey (edited under Surveys), and "
            "reminded once or twice if they have not."
        ),
    )
    connection_closing_survey_enabled = models.BooleanField(
        _("closing survey"),
        default=True,
        help_text=_(
            "When a connection ends, at its end date or early, the mentor and the mentee are "
            "each asked to answer the closing survey (edited under Surveys)."
        ),
    )

    inactivity_nudge_days = models.PositiveSmallIntegerField(
        _("a connection is quiet after (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            'In the connection health list, the filter "No activity in the last N days" '
            "shows this program's connections with no goal change, note or meeting for "
            "this many days; you may then nudge both people."
        ),
    )

    # One-time mentoring
    flash_to_ongoing_enabled = models.BooleanField(
        _("offer ongoing mentoring after a one-time meeting"),
        default=False,
        help_text=_(
            "After a flash meeting, the mentee may turn it into an ongoing mentoring connection."
        ),
    )
    flash_to_ongoing_policy = models.CharField(
        _("when the mentee wants to connect again"),
        max_length=32,
        choices=FlashToOngoingPolicy.choices,
        default=FlashToOngoingPolicy.CONNECTION_REQUEST,
    )

    class MeetingLength(models.IntegerChoices):
        HALF_HOUR = 30, _("30 minutes")
        HOUR = 60, _("60 minutes")

    meeting_length_minutes = models.PositiveSmallIntegerField(
        _("flash meeting length"), choices=MeetingLength.choices, default=MeetingLength.HALF_HOUR
    )
    min_booking_notice_hours = models.PositiveSmallIntegerField(
        _("book at least this many hours ahead"), default=24
    )
    max_pending_meeting_requests_per_mentee = models.PositiveSmallIntegerField(
        _("maximum pending meeting requests per mentee"), default=5
    )
    mentor_max_flash_meetings_per_month = models.PositiveSmallIntegerField(
        _("most flash meetings a month a mentor may choose"),
        null=True,
        blank=True,
        default=10,
        help_text=_(
            "Mentors set their own monthly limit on their participation page, from 0 up to "
            "this number. Blank: no cap."
        ),
    )
    meeting_request_expiry_days = models.PositiveSmallIntegerField(
        _("meeting requests expire after (days)"),
        default=7,
        help_text=_("Unanswered flash meeting requests expire after this many days."),
    )

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_ongoing_mentors_per_mentee__gte=1),
                name="matching_mentee_may_have_one_mentor",
            ),
            models.CheckConstraint(
                condition=Q(request_expiry_days__isnull=True) | Q(request_expiry_days__gte=1),
                name="matching_request_expiry_at_least_a_day",
            ),
            models.CheckConstraint(
                condition=Q(connection_duration_days__isnull=True)
                | Q(connection_duration_days__gte=1, connection_duration_days__lte=3650),
                name="matching_connection_duration_sane",
            ),
            models.CheckConstraint(
                condition=Q(connection_extension_days__isnull=True)
                | Q(connection_extension_days__gte=1, connection_extension_days__lte=3650),
                name="matching_connection_extension_sane",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Matching settings of %(program)s") % {"program": self.program})


class MatchingSettingsChange(models.Model):
    """An audit line: who changed which matching setting, when, from what to what."""

    matching_settings = models.ForeignKey(
        MatchingSettings,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("matching settings"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True, db_index=True)
    # {"field_name": {"label": ..., "old": ..., "new": ...}}
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("matching settings change")
        verbose_name_plural = _("matching settings changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.matching_settings} @ {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def summary(self) -> str:
        return "; ".join(
            f"{item['label']}: {item['old']} → {item['new']}" for item in self.changes.values()
        )


class MembershipChange(models.Model):
    """An audit line: who changed what of one membership (a mentor's modes, limits, pause
    and profile, a mentee's goals), when, from what to what. Written by
    ``services.membership_update`` for the participation page and the admin alike."""

    membership = models.ForeignKey(
        "mentoring.Membership",
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("membership"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True, db_index=True)
    # {"field_name": {"label": ..., "old": ..., "new": ...}}
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.membership_id} @ {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def summary(self) -> str:
        return "; ".join(
            f"{item['label']}: {item['old']} → {item['new']}" for item in self.changes.values()
        )


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
