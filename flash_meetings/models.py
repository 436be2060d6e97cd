from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.models import Program


class FlashMeeting(models.Model):
    """A one-time meeting between a mentor and a mentee.

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
    topic = models.CharField(_("topic"), max_length=200)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    # Null while only proposed times exist (a request without a slot).
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

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
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.mentor} / {self.mentee})"

    def is_over(self, now: datetime | None = None) -> bool:
        """Held (or still marked scheduled) and past its end time."""
        now = now or timezone.now()
        return (
            self.status in self.HELD_STATUSES and self.ends_at is not None and self.ends_at <= now
        )
