"""Periodic jobs (``flash_meetings.tasks``), idempotent through conditional updates and
stamps: expire unanswered requests, remind once before the start, send the follow-up
email once after the end."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from flash_meetings.services.common import notify_about

REMINDER_LEAD = timedelta(hours=24)


def flash_meetings_expire_requests(*, now: datetime | None = None) -> int:
    """Expire unanswered requests past their ``expires_at``; tell the mentee once."""
    now = now or timezone.now()
    due = FlashMeeting.objects.filter(
        status=FlashMeeting.Status.REQUESTED, expires_at__lte=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = FlashMeeting.objects.filter(
                pk=pk, status=FlashMeeting.Status.REQUESTED, expires_at__lte=now
            ).update(status=FlashMeeting.Status.EXPIRED, updated_at=now)
            if not claimed:
                continue
            meeting = FlashMeeting.objects.select_related("program", "mentor", "mentee").get(pk=pk)
            notify_about(
                kind="flash_meeting_expired",
                meeting=meeting,
                recipient=meeting.mentee,
                dedupe_key=f"flash-expired:{pk}",
            )
            expired += 1
    return expired


def flash_meetings_send_reminders(*, now: datetime | None = None) -> int:
    """Remind both people once, within ``REMINDER_LEAD`` before a scheduled start."""
    now = now or timezone.now()
    due = FlashMeeting.objects.filter(
        status=FlashMeeting.Status.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_LEAD,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = FlashMeeting.objects.filter(
                pk=pk, status=FlashMeeting.Status.SCHEDULED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            meeting = FlashMeeting.objects.select_related("program", "mentor", "mentee").get(pk=pk)
            for recipient in (meeting.mentee, meeting.mentor):
                notify_about(
                    kind="flash_meeting_reminder",
                    meeting=meeting,
                    recipient=recipient,
                    dedupe_key=f"flash-reminder:{pk}:{recipient.pk}",
                )
            sent += 1
    return sent


def flash_meetings_send_follow_ups(*, now: datetime | None = None) -> int:
    """Once a flash meeting is over, send its mentee the follow-up email, once (a
    meeting within a connection has no follow-up)."""
    now = now or timezone.now()
    due = FlashMeeting.objects.filter(
        status__in=FlashMeeting.HELD_STATUSES,
        ends_at__lte=now,
        follow_up_sent_at__isnull=True,
        connection__isnull=True,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = FlashMeeting.objects.filter(
                Q(status__in=FlashMeeting.HELD_STATUSES),
                pk=pk,
                follow_up_sent_at__isnull=True,
            ).update(follow_up_sent_at=now)
            if not claimed:
                continue
            meeting = FlashMeeting.objects.select_related("program", "mentor", "mentee").get(pk=pk)
            notify_about(
                kind="flash_meeting_follow_up",
                meeting=meeting,
                recipient=meeting.mentee,
                dedupe_key=f"flash-follow-up:{pk}",
            )
            sent += 1
    return sent
