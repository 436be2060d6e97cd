"""Concurrency: real threads and real transactions against PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from flash_meetings import errors, services
from flash_meetings.models import FlashMeeting
from mentoring.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.flash_meetings.factories import AvailabilitySlotFactory, FlashMeetingFactory, in_days

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="thread races and the exclusion constraint need PostgreSQL "
    "(SQLite serialises writers and has no row locks); set DATABASE_URL",
)

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgres]

THREADS = 20


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    outcomes = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            outcomes[index] = ("ok", function())
        except Exception as error:  # noqa: BLE001  (recorded for the assertions)
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(index, function))
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_twenty_mentees_race_for_one_slot_and_exactly_one_gets_it(
    program, mentor_membership, racer_db
):
    program.matching_settings.max_pending_meeting_requests_per_mentee = 5
    program.matching_settings.save()
    Membership.objects.filter(pk=mentor_membership.pk).update(max_flash_meetings_per_month=50)
    mentor_membership.refresh_from_db()
    slot = AvailabilitySlotFactory(program=program, mentor=mentor_membership.user)
    mentees = []
    for index in range(THREADS):
        user = UserFactory(username=f"racer{index}")
        MembershipFactory(program=program, user=user, role=Membership.Role.MENTEE)
        mentees.append(user)

    outcomes = run_together(
        [
            lambda mentee=mentee: services.flash_meeting_request(
                mentor_membership=mentor_membership, mentee=mentee, topic="Race", slot=slot
            )
            for mentee in mentees
        ]
    )

    winners = [value for kind, value in outcomes if kind == "ok"]
    losers = [value for kind, value in outcomes if kind == "error"]
    assert len(winners) == 1
    assert len(losers) == THREADS - 1
    assert all(isinstance(error, errors.SlotTaken) for error in losers), losers
    assert all("someone booked this slot" in error.message for error in losers)

    meeting = winners[0]
    services.flash_meeting_accept(meeting=meeting, actor=mentor_membership.user)
    assert FlashMeeting.objects.filter(slot=slot).count() == 1
    assert FlashMeeting.objects.filter(status=FlashMeeting.Status.SCHEDULED).count() == 1
    racer_db.assert_routed(at_least=THREADS)


def test_concurrent_accepts_of_overlapping_times_schedule_only_one(
    program, mentor_membership, racer_db
):
    Membership.objects.filter(pk=mentor_membership.pk).update(max_flash_meetings_per_month=50)
    mentor_membership.refresh_from_db()
    start = in_days(5, 9)
    meetings = []
    for index in range(THREADS):
        user = UserFactory(username=f"asker{index}")
        MembershipFactory(program=program, user=user, role=Membership.Role.MENTEE)
        meetings.append(
            services.flash_meeting_request(
                mentor_membership=mentor_membership,
                mentee=user,
                topic="Overlap",
                proposed_starts=[start + timedelta(minutes=index)],
            )
        )

    outcomes = run_together(
        [
            lambda meeting=meeting: services.flash_meeting_accept(
                meeting=meeting,
                actor=mentor_membership.user,
                proposed_time=meeting.proposed_times.get(),
            )
            for meeting in meetings
        ]
    )

    assert sum(kind == "ok" for kind, _value in outcomes) == 1
    assert all(isinstance(value, errors.SlotOverlap) for kind, value in outcomes if kind == "error")
    assert FlashMeeting.objects.filter(status=FlashMeeting.Status.SCHEDULED).count() == 1
    racer_db.assert_routed(at_least=THREADS)


def test_the_database_refuses_overlapping_scheduled_meetings_of_one_mentor(program, mentor):
    start = in_days(5, 9)
    FlashMeetingFactory(
        program=program, mentor=mentor, starts_at=start, ends_at=start + timedelta(minutes=30)
    )
    # Touching end to start is fine ('[)' ranges) ...
    FlashMeetingFactory(
        program=program,
        mentor=mentor,
        starts_at=start + timedelta(minutes=30),
        ends_at=start + timedelta(minutes=60),
    )
    # ... an overlap is not, even bypassing the services ...
    with pytest.raises(IntegrityError), transaction.atomic():
        FlashMeetingFactory(
            program=program,
            mentor=mentor,
            starts_at=start + timedelta(minutes=10),
            ends_at=start + timedelta(minutes=40),
        )
    # ... unless one of them is not scheduled.
    FlashMeetingFactory(
        program=program,
        mentor=mentor,
        status=FlashMeeting.Status.CANCELLED,
        starts_at=start + timedelta(minutes=10),
        ends_at=start + timedelta(minutes=40),
    )
