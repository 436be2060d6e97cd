"""A program's matching settings and their audit trail: the flash-to-ongoing policy,
``MatchingSettings`` (one per program) with ``MatchingSettingsChange``, and
``MembershipChange`` (the history of one person's own terms in a program)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from matching import history
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
        return history.summary(self.changes)


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
        return history.summary(self.changes)
