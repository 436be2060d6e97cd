"""Periodic jobs for flash meetings. Each is idempotent: a conditional update claims
each meeting (status or a ``*_sent_at`` stamp) before anything is sent, and every
email has a dedupe key, so running a job twice changes nothing the second time."""

from celery import shared_task

from flash_meetings import services


@shared_task(acks_late=True)
def expire_meeting_requests() -> int:
    return services.flash_meetings_expire_requests()


@shared_task(acks_late=True)
def send_meeting_reminders() -> int:
    return services.flash_meetings_send_reminders()


@shared_task(acks_late=True)
def send_meeting_follow_ups() -> int:
    return services.flash_meetings_send_follow_ups()
