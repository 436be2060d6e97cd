"""Periodic jobs for ongoing mentoring."""

from celery import shared_task

from matching import services


@shared_task(acks_late=True)
def expire_connection_requests() -> int:
    """Expire stale connection requests and send halfway reminders; safe to run twice."""
    return services.connection_requests_expire()


@shared_task(acks_late=True)
def run_connection_terms() -> dict[str, int]:
    """Remind both people before a connection's end date and close connections whose
    end date has come; safe to run twice and concurrently."""
    return services.connections_run_terms()
