from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentoring.models import Program


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
