"""Periodic jobs of the surveys app (see CELERY_BEAT_SCHEDULE in config/settings.py).

Both are idempotent: every email has a dedupe key, so running a job twice, or two
workers running it at once, writes each email once.
"""

import logging

from celery import shared_task

from surveys import connection_services, services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_survey_reminders() -> int:
    """Remind respondents who have not answered, one day and five days after the meeting."""
    count = services.survey_reminders_send()
    logger.info("Survey reminders written to the outbox: %s", count)
    return count


@shared_task(acks_late=True)
def invite_mentors_to_surveys() -> int:
    """Invite each mentor to their own survey once the meeting is over."""
    count = services.mentor_invitations_send()
    logger.info("Mentor survey invitations written to the outbox: %s", count)
    return count


@shared_task(acks_late=True)
def send_connection_surveys() -> dict[str, int]:
    """Invite both people of a connection to its check-in and closing survey, and remind
    those who have not answered; safe to run twice and concurrently."""
    counts = connection_services.connection_surveys_send()
    logger.info("Connection survey emails written to the outbox: %s", counts)
    return counts
