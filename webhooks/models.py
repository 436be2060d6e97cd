"""Webhook endpoints (where a program's events go) and the delivery outbox.

A program admin registers an ``Endpoint`` (an https URL, the events it wants, a signing
secret the platform generates). A service that changes something calls
``webhooks.services.webhook_emit`` inside its transaction; that writes one ``Delivery``
row per subscribed active endpoint of the program, all with the same ``event_id``
(the ``webhook-id`` header). After commit a Celery task delivers each row; a periodic
sweep picks up rows that were never handed to a worker or whose worker died.
"""

from __future__ import annotations

import base64
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webhooks.network import validate_endpoint_url
from webhooks.signing import SECRET_PREFIX

SECRET_BYTES = 32


def generate_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


class EventType(models.TextChoices):
    CONNECTION_CREATED = "connection.created", _("A connection was created")
    CONNECTION_ENDED = "connection.ended", _("A connection ended")
    CONNECTION_REQUEST_CREATED = (
        "connection_request.created",
        _("A mentee sent a connection request"),
    )
    CONNECTION_REQUEST_ACCEPTED = (
        "connection_request.accepted",
        _("A mentor accepted a connection request"),
    )
    CONNECTION_REQUEST_DECLINED = (
        "connection_request.declined",
        _("A mentor declined a connection request"),
    )
    FLASH_MEETING_SCHEDULED = "flash_meeting.scheduled", _("A flash meeting was scheduled")
    FLASH_MEETING_CANCELLED = "flash_meeting.cancelled", _("A flash meeting was cancelled")
    FOLLOW_UP_ANSWERED = (
        "follow_up.answered",
        _("A mentee answered a meeting's follow-up"),
    )


def validate_events(value) -> None:
    """A list of known event names, at least one."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one event."), code="no_events")
    unknown = [event for event in value if event not in EventType.values]
    if unknown:
        raise ValidationError(
            _("Unknown events: %(events)s.") % {"events": ", ".join(map(str, unknown))},
            code="unknown_events",
        )


class Endpoint(models.Model):
    program = models.ForeignKey(
        "mentoring.Program",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("program"),
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What this endpoint is for, for example “HR system” or “Chat bot”."),
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[validate_endpoint_url],
        help_text=_(
            "Where we send each event, as an HTTPS POST. It must be reachable on the public "
            "internet: addresses of private networks and of this server are refused."
        ),
    )
    events = models.JSONField(
        _("events"),
        default=list,
        validators=[validate_events],
        help_text=_("The events sent to this endpoint."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=generate_secret,
        editable=False,
        help_text=_(
            "Your receiver checks the webhook-signature header of each request with this "
            "secret. Keep it private; rotate it if it may have leaked."
        ),
    )
    previous_secret = models.CharField(
        _("previous signing secret"), max_length=100, blank=True, editable=False
    )
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret also signs until"), null=True, blank=True, editable=False
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Untick to stop sending events here without deleting the endpoint."),
    )
    deactivated_reason = models.CharField(
        _("why it was turned off"), max_length=300, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    secret_rotated_at = models.DateTimeField(
        _("secret rotated at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["program", "name", "pk"]
        indexes = [
            models.Index(fields=["program", "active"], name="webhook_endpoint_program_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(secret__startswith=SECRET_PREFIX), name="webhook_endpoint_secret_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def subscribes_to(self, event: str) -> bool:
        return event in (self.events or [])

    def signing_secrets(self, *, now=None) -> list[str]:
        """The current secret, and the previous one while its grace period lasts."""
        now = now or timezone.now()
        found = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > now
        ):
            found.append(self.previous_secret)
        return found


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        Endpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event_id = models.CharField(
        _("event id"),
        max_length=64,
        help_text=_(
            "The webhook-id header: the same for every endpoint and every attempt of this "
            "event, so a receiver can ignore repeats."
        ),
    )
    event_type = models.CharField(_("event"), max_length=64, choices=EventType.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_response = models.TextField(
        _("start of the last response"), blank=True, help_text=_("At most 1,000 characters.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        default=timezone.now,
        help_text=_(
            "When delivery is next due; the sweep re-enqueues pending rows left well past "
            "this time."
        ),
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_pending_due_idx",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["claimed_at"],
                name="webhook_sending_claimed_idx",
                condition=Q(status="sending"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "delivered", "failed"]),
                name="webhook_delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="webhook_delivered_has_delivered_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False),
                name="webhook_sending_has_claimed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"
