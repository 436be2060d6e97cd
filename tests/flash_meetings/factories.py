from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from flash_meetings.models import AvailabilitySlot, FlashMeeting, ProposedTime
from tests.factories import ProgramFactory, UserFactory


def in_days(days: float, hour: int = 10):
    return (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


class AvailabilitySlotFactory(DjangoModelFactory):
    class Meta:
        model = AvailabilitySlot

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(UserFactory)
    starts_at = factory.Sequence(lambda n: in_days(3 + n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=30))


class FlashMeetingFactory(DjangoModelFactory):
    """A scheduled meeting in a few days (override status/times as needed)."""

    class Meta:
        model = FlashMeeting

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(UserFactory)
    mentee = factory.SubFactory(UserFactory)
    topic = factory.Sequence(lambda n: f"Topic {n}")
    status = FlashMeeting.Status.SCHEDULED
    starts_at = factory.Sequence(lambda n: in_days(3) + timedelta(hours=n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=30))
    counts_in_month = factory.LazyAttribute(
        lambda o: o.starts_at.date().replace(day=1) if o.starts_at else None
    )


class ProposedTimeFactory(DjangoModelFactory):
    class Meta:
        model = ProposedTime

    meeting = factory.SubFactory(FlashMeetingFactory)
    starts_at = factory.Sequence(lambda n: in_days(4) + timedelta(hours=n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=30))
