"""An email that went out is recorded as sent even if the database is away for a moment
(a restart, a failover): otherwise the sweep would send it a second time."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.models import QuerySet

from notifications.models import Notification
from notifications.tasks import deliver_notification
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

Status = Notification.Status


def _database_away_for(failures: int):
    """QuerySet.update fails like a restarting PostgreSQL for the first ``failures``
    writes of the row's final status, then works."""
    real_update = QuerySet.update
    left = [failures]

    def update(queryset, **fields):
        if fields.get("status") == Status.SENT and left[0]:
            left[0] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(queryset, **fields)

    return mock.patch.object(QuerySet, "update", update)


def test_the_worker_keeps_trying_to_record_the_email_it_sent(mailoutbox, settings):
    notification = NotificationFactory()
    with _database_away_for(2), mock.patch("notifications.tasks.time.sleep") as slept:
        assert deliver_notification.run(notification.pk) == "sent"
    assert slept.call_count == 2
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Status.SENT, 1)
    assert len(mailoutbox) == 1


def test_it_gives_up_after_a_while_and_leaves_the_row_to_the_sweep(mailoutbox, settings):
    settings.NOTIFICATIONS_RECORD_SENT_WITHIN = 0
    notification = NotificationFactory()
    with _database_away_for(1), pytest.raises(OperationalError):
        deliver_notification.run(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.SENDING  # the sweep resets it after STUCK_AFTER


def test_the_worker_gives_up_well_before_the_sweep_takes_the_row_back():
    from django.conf import settings

    assert settings.NOTIFICATIONS_RECORD_SENT_WITHIN * 2 <= settings.NOTIFICATIONS_STUCK_AFTER
