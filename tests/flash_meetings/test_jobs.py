"""Periodic jobs: running twice changes nothing the second time; each email once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from flash_meetings import services, tasks
from flash_meetings.models import FlashMeeting
from notifications.models import Notification
from tests.flash_meetings.factories import FlashMeetingFactory

pytestmark = pytest.mark.django_db


def snapshot():
    return list(
        FlashMeeting.objects.order_by("pk").values_list(
            "pk", "status", "reminder_sent_at", "follow_up_sent_at", "updated_at"
        )
    )


@pytest.fixture
def meeting_of(program, mentor, mentee):
    def make(**kwargs):
        return FlashMeetingFactory(program=program, mentor=mentor, mentee=mentee, **kwargs)

    return make


def test_expiry_runs_twice_and_tells_the_mentee_once(
    meeting_of, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    due = meeting_of(status=FlashMeeting.Status.REQUESTED, expires_at=now - timedelta(minutes=1))
    not_yet = meeting_of(status=FlashMeeting.Status.REQUESTED, expires_at=now + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expire_meeting_requests() == 1
    after_first = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expire_meeting_requests() == 0
    assert snapshot() == after_first
    due.refresh_from_db()
    not_yet.refresh_from_db()
    assert due.status == FlashMeeting.Status.EXPIRED
    assert not_yet.status == FlashMeeting.Status.REQUESTED
    assert Notification.objects.filter(kind="flash_meeting_expired").count() == 1
    assert [m.to for m in mailoutbox] == [[mentee.email]]
    assert "expired" in mailoutbox[0].subject


def test_expiry_honours_the_program_setting(mentor_membership, mentee, matching_settings):
    from tests.flash_meetings.factories import AvailabilitySlotFactory

    matching_settings.meeting_request_expiry_days = 3
    matching_settings.save()
    slot = AvailabilitySlotFactory(program=mentor_membership.program, mentor=mentor_membership.user)
    meeting = services.flash_meeting_request(
        mentor_membership=mentor_membership, mentee=mentee, topic="t", slot=slot
    )
    assert services.flash_meetings_expire_requests(now=timezone.now() + timedelta(days=2)) == 0
    assert services.flash_meetings_expire_requests(now=timezone.now() + timedelta(days=3)) == 1
    meeting.refresh_from_db()
    assert meeting.status == FlashMeeting.Status.EXPIRED
    # The expired request released the slot.
    assert not FlashMeeting.objects.filter(
        slot=slot, status__in=FlashMeeting.ACTIVE_STATUSES
    ).exists()


def test_reminder_once_per_meeting_even_if_the_job_runs_twice(
    meeting_of, mentor, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    soon = meeting_of(starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=3.5))
    meeting_of(starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=1))
    meeting_of(
        status=FlashMeeting.Status.CANCELLED,
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(hours=2.5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_meeting_reminders() == 1
    after_first = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_meeting_reminders() == 0
    assert snapshot() == after_first
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.email, mentee.email])
    assert all(m.subject.startswith("Reminder: flash meeting with") for m in mailoutbox)


def test_follow_up_once_after_the_end(
    meeting_of, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    over = meeting_of(starts_at=now - timedelta(hours=1), ends_at=now - timedelta(minutes=30))
    meeting_of(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    meeting_of(
        status=FlashMeeting.Status.CANCELLED,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_meeting_follow_ups() == 1
    after_first = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_meeting_follow_ups() == 0
    assert snapshot() == after_first
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [mentee.email]
    assert f"http://testserver/meetings/{over.pk}/follow-up/" in message.body
    assert over.program.name in message.body
    assert "You received this email because" in message.body
    html = message.alternatives[0][0]
    assert f'href="http://testserver/meetings/{over.pk}/follow-up/"' in html
