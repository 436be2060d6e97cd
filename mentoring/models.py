from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.validators import validate_time_zone


class User(AbstractUser):
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=150,
        blank=True,
        help_text=_("How other people in your programs see you; your full name if blank."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Times are shown to you in this zone, e.g. Europe/Paris."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_from(self.display_name, self.first_name, self.last_name, self.username)

    @staticmethod
    def name_from(display_name: str, first_name: str, last_name: str, username: str) -> str:
        """The name people see: the display name, else the full name, else the username
        (also for rows read without a User instance)."""
        return display_name or f"{first_name} {last_name}".strip() or username


class Program(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in a program: mentor or mentee (a person may be both)."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("program")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    # Mentor fields (ignored for mentees).
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    bio = models.TextField(_("bio"), blank=True)
    expertise = models.CharField(
        _("expertise"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated topics, e.g. “career change, Python, leadership”."),
    )
    max_ongoing_mentees = models.PositiveSmallIntegerField(
        _("maximum ongoing mentees"),
        null=True,
        blank=True,
        help_text=_(
            "Blank uses the program's default; 0 means this mentor takes no new ongoing mentees."
        ),
    )
    offers_ongoing = models.BooleanField(_("offers ongoing mentoring"), default=True)
    offers_one_time = models.BooleanField(_("offers one-time mentoring"), default=True)
    max_flash_meetings_per_month = models.PositiveSmallIntegerField(
        _("maximum flash meetings per month"),
        default=4,
        help_text=_("Pending and scheduled flash meetings count, per calendar month."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["program", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "role"], name="membership_one_per_role"
            ),
            models.CheckConstraint(
                condition=Q(max_ongoing_mentees__isnull=True) | Q(max_ongoing_mentees__gte=0),
                name="membership_max_ongoing_mentees_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "role", "active"], name="membership_program_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.program}"

    @property
    def slots_used(self) -> int:
        """Active connections plus pending requests (from ``capacity.with_slots``)."""
        return self.active_connections + self.pending_requests

    @property
    def slot_limit(self) -> int:
        """The mentor's own limit, or the program's default when blank."""
        # Imported here: matching.capacity reads these models at import time.
        from matching.capacity import mentor_limit

        return mentor_limit(
            max_ongoing_mentees=self.max_ongoing_mentees,
            default_max_ongoing_mentees=self.program.matching_settings.default_max_ongoing_mentees,
        )

    @property
    def expertise_list(self) -> list[str]:
        return self.split_expertise(self.expertise)

    @staticmethod
    def split_expertise(expertise: str) -> list[str]:
        return [topic.strip() for topic in expertise.split(",") if topic.strip()]


class Connection(models.Model):
    """An ongoing mentoring connection; it holds one of the mentor's slots while active."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

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
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end_reason = models.TextField(_("reason for ending"), blank=True, max_length=500)

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
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee} ({self.program})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


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
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
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
    decline_note = models.TextField(_("note"), blank=True, max_length=500)
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


class ProgramAdministrator(models.Model):
    """A staff user who runs one program in Django admin: they see and change only the
    programs they administer (see ``mentoring/admin_scoping.py``). Superusers see all."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="administrators",
        verbose_name=_("program"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="administered_programs",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("program administrator")
        verbose_name_plural = _("program administrators")
        ordering = ["program", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"], name="program_administrator_once_per_program"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.program}"
