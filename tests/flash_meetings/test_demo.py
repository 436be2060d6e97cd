from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from flash_meetings import selectors
from flash_meetings.models import AvailabilitySlot, FlashMeeting
from mentoring.models import Membership, User

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_slots_a_request_an_upcoming_and_an_over_meeting_idempotently():
    call_command("seed_demo", stdout=StringIO())
    counts = (FlashMeeting.objects.count(), AvailabilitySlot.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (FlashMeeting.objects.count(), AvailabilitySlot.objects.count()) == counts

    mentee1, mentor1 = User.objects.get(username="mentee1"), User.objects.get(username="mentor1")
    # mentee1 has several meetings to follow up (one per follow-up case, see
    # flash_meetings/demo_follow_up.py); the one with mentor1 is among them.
    to_follow_up, _upcoming = selectors.dashboard_meetings(user=mentee1)
    over = next(m for m in to_follow_up if m.mentor == mentor1)
    assert over.is_over()
    assert FlashMeeting.objects.filter(status=FlashMeeting.Status.REQUESTED).count() == 1
    assert FlashMeeting.objects.filter(
        status=FlashMeeting.Status.SCHEDULED, starts_at__gt=timezone.now()
    ).exists()
    membership = Membership.objects.get(
        user=mentor1, role=Membership.Role.MENTOR, program__slug="demo"
    )
    assert selectors.open_slots(
        program_id=membership.program_id, mentor_id=mentor1.pk, notice_hours=24
    ).exists()
