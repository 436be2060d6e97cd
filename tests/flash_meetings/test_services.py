"""The rules of flash meetings, enforced in services.

Over 400 lines on purpose: one specification per rule of the flash-meeting services,
in the order of a meeting's life.
"""

from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from flash_meetings import errors, services
from flash_meetings.models import AvailabilitySlot, FlashMeeting
from mentoring.models import Membership
from notifications.models import Notification
from tests.factories import MembershipFactory, UserFactory
from tests.flash_meetings.factories import (
    AvailabilitySlotFactory,
    FlashMeetingFactory,
    in_days,
)

pytestmark = pytest.mark.django_db


def request_slot(mentor_membership, mentee, slot, topic="Career change"):
    return services.flash_meeting_request(
        mentor_membership=mentor_membership, mentee=mentee, topic=topic, slot=slot
    )


def slot_for(mentor_membership, starts_at):
    return AvailabilitySlotFactory(
        program=mentor_membership.program,
        mentor=mentor_membership.user,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
    )


# --- requesting ---------------------------------------------------------------------


def test_requesting_an_open_slot_holds_it_and_tells_the_mentor(mentor_membership, mentee):
    slot = slot_for(mentor_membership, in_days(3))
    meeting = request_slot(mentor_membership, mentee, slot)
    assert meeting.status == FlashMeeting.Status.REQUESTED
    assert (meeting.starts_at, meeting.ends_at) == (slot.starts_at, slot.ends_at)
    assert meeting.expires_at is not None
    note = Notification.objects.get(kind="flash_meeting_requested")
    assert note.recipient == mentor_membership.user
    assert note.context["meeting_path"] == f"/meetings/{meeting.pk}/"


def test_second_request_for_the_same_slot_gets_a_clear_message(
    mentor_membership, mentee, make_mentee
):
    slot = slot_for(mentor_membership, in_days(3))
    request_slot(mentor_membership, mentee, slot)
    with pytest.raises(errors.SlotTaken, match="someone booked this slot"):
        request_slot(mentor_membership, make_mentee("other"), slot)


def test_a_released_slot_can_be_booked_again(mentor_membership, mentee, make_mentee):
    slot = slot_for(mentor_membership, in_days(3))
    first = request_slot(mentor_membership, mentee, slot)
    services.flash_meeting_withdraw(meeting=first, actor=mentee)
    second = request_slot(mentor_membership, make_mentee("other"), slot)
    assert second.slot == slot


def test_database_refuses_a_second_active_booking_of_a_slot(mentor_membership, mentee):
    slot = slot_for(mentor_membership, in_days(3))
    FlashMeetingFactory(
        program=slot.program,
        mentor=slot.mentor,
        mentee=mentee,
        slot=slot,
        status=FlashMeeting.Status.REQUESTED,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        FlashMeetingFactory(
            program=slot.program,
            mentor=slot.mentor,
            mentee=UserFactory(),
            slot=slot,
            status=FlashMeeting.Status.SCHEDULED,
        )


def test_proposed_times_up_to_three(mentor_membership, mentee):
    times = [in_days(3, 9), in_days(4, 9), in_days(5, 9)]
    meeting = services.flash_meeting_request(
        mentor_membership=mentor_membership, mentee=mentee, topic="t", proposed_starts=times
    )
    assert meeting.starts_at is None
    assert [p.starts_at for p in meeting.proposed_times.all()] == times
    with pytest.raises(errors.BadRequest, match="at most 3"):
        services.flash_meeting_request(
            mentor_membership=mentor_membership,
            mentee=mentee,
            topic="t",
            proposed_starts=[*times, in_days(6)],
        )


@pytest.mark.parametrize(
    ("with_slot", "proposed", "refusal"),
    [
        (True, 1, "Either pick an open slot or propose times, not both."),
        (False, 0, "Pick an open slot or propose at least one time."),
    ],
    ids=["both", "neither"],
)
def test_a_request_names_a_slot_or_proposes_times_never_both(
    mentor_membership, mentee, with_slot, proposed, refusal
):
    """The service's own rule (the request form and the API ask it too): before, a slot
    with proposed times was taken and the times dropped without a word."""
    slot = slot_for(mentor_membership, in_days(3, 9)) if with_slot else None
    with pytest.raises(errors.BadRequest) as refused:
        services.flash_meeting_request(
            mentor_membership=mentor_membership,
            mentee=mentee,
            topic="t",
            slot=slot,
            proposed_starts=[in_days(4, 9)] * proposed,
        )
    assert refused.value.message == refusal
    assert not FlashMeeting.objects.exists()


def test_a_mentor_cannot_meet_themselves(mentor_membership):
    MembershipFactory(program=mentor_membership.program, user=mentor_membership.user, role="mentee")
    slot = slot_for(mentor_membership, in_days(3))
    with pytest.raises(errors.SelfMeeting):
        request_slot(mentor_membership, mentor_membership.user, slot)


def test_inactive_memberships_cannot_act(mentor_membership, mentee):
    slot = slot_for(mentor_membership, in_days(3))
    Membership.objects.filter(user=mentee).update(active=False)
    with pytest.raises(errors.InactiveMembership):
        request_slot(mentor_membership, mentee, slot)
    Membership.objects.filter(user=mentee).update(active=True)
    meeting = request_slot(mentor_membership, mentee, slot)
    Membership.objects.filter(pk=mentor_membership.pk).update(active=False)
    with pytest.raises(errors.InactiveMembership):
        services.flash_meeting_accept(meeting=meeting, actor=mentor_membership.user)


def test_only_where_one_time_mentoring_is_offered(mentor_membership, mentee, matching_settings):
    slot = slot_for(mentor_membership, in_days(3))
    matching_settings.mentors_choose_modes = True
    matching_settings.save()
    Membership.objects.filter(pk=mentor_membership.pk).update(offers_one_time=False)
    mentor_membership.refresh_from_db()
    with pytest.raises(errors.NotOffered, match="does not offer one-time"):
        request_slot(mentor_membership, mentee, slot)
    matching_settings.mentors_choose_modes = False
    matching_settings.one_time_enabled = False
    matching_settings.save()
    with pytest.raises(errors.NotOffered, match="program does not offer"):
        request_slot(mentor_membership, mentee, slot)


def test_booking_notice_at_its_edge(mentor_membership, mentee, matching_settings, monkeypatch):
    now = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)  # django.utils.timezone, as services read it
    hours = matching_settings.min_booking_notice_hours
    too_soon = slot_for(mentor_membership, now + timedelta(hours=hours) - timedelta(minutes=1))
    just_right = slot_for(mentor_membership, now + timedelta(hours=hours))
    with pytest.raises(errors.TooSoon, match=f"at least {hours} hours ahead"):
        request_slot(mentor_membership, mentee, too_soon)
    assert request_slot(mentor_membership, mentee, just_right).pk


def test_pending_request_limit_at_its_edge(program, matching_settings, mentee):
    from tests.factories import MentorMembershipFactory

    matching_settings.max_pending_meeting_requests_per_mentee = 2
    matching_settings.save()
    memberships = MentorMembershipFactory.create_batch(3, program=program)
    for membership in memberships[:2]:
        request_slot(membership, mentee, slot_for(membership, in_days(3)))
    with pytest.raises(errors.PendingLimitReached, match="2 meeting requests"):
        request_slot(memberships[2], mentee, slot_for(memberships[2], in_days(3)))
    # Answered requests no longer count.
    first = FlashMeeting.objects.filter(mentee=mentee).first()
    services.flash_meeting_decline(meeting=first, actor=first.mentor, reason="Busy")
    assert request_slot(memberships[2], mentee, slot_for(memberships[2], in_days(4))).pk


def test_monthly_limit_counts_pending_and_scheduled_at_its_edge(mentor_membership, make_mentee):
    Membership.objects.filter(pk=mentor_membership.pk).update(max_flash_meetings_per_month=2)
    mentor_membership.refresh_from_db()
    # Three slots in the same calendar month, a fourth in the next month.
    first_of_next = (timezone.now() + timedelta(days=40)).replace(
        day=1, hour=10, minute=0, second=0, microsecond=0
    )
    slots = [slot_for(mentor_membership, first_of_next + timedelta(days=d)) for d in (2, 3, 4)]
    following = slot_for(mentor_membership, first_of_next + timedelta(days=40))
    a = request_slot(mentor_membership, make_mentee("a"), slots[0])
    services.flash_meeting_accept(meeting=a, actor=mentor_membership.user)  # scheduled
    request_slot(mentor_membership, make_mentee("b"), slots[1])  # pending
    with pytest.raises(errors.MonthlyLimitReached, match="no flash meetings left"):
        request_slot(mentor_membership, make_mentee("c"), slots[2])
    assert request_slot(mentor_membership, make_mentee("d"), following).pk


# --- answering ----------------------------------------------------------------------


def test_accept_a_slot_request_with_a_video_link_sends_both_an_invite(
    mentor_membership, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    slot = slot_for(mentor_membership, in_days(3))
    meeting = request_slot(mentor_membership, mentee, slot)
    with django_capture_on_commit_callbacks(execute=True):
        services.flash_meeting_accept(
            meeting=meeting, actor=mentor_membership.user, video_url="https://meet.example.org/x"
        )
    meeting.refresh_from_db()
    assert meeting.status == FlashMeeting.Status.SCHEDULED
    assert meeting.video_url == "https://meet.example.org/x"
    accepted = Notification.objects.filter(kind="flash_meeting_accepted")
    assert {n.recipient_id for n in accepted} == {mentee.pk, mentor_membership.user_id}
    invites = [m for m in mailoutbox if "scheduled" in m.subject]
    assert len(invites) == 2
    assert all(
        any(a[0] == "invite.ics" and "METHOD:REQUEST" in a[1] for a in m.attachments)
        for m in invites
    )


def test_accept_one_of_the_proposed_times(mentor_membership, mentee):
    times = [in_days(3, 9), in_days(4, 9)]
    meeting = services.flash_meeting_request(
        mentor_membership=mentor_membership, mentee=mentee, topic="t", proposed_starts=times
    )
    with pytest.raises(errors.BadRequest, match="choose one of the proposed times"):
        services.flash_meeting_accept(meeting=meeting, actor=mentor_membership.user)
    chosen = meeting.proposed_times.get(starts_at=times[1])
    services.flash_meeting_accept(
        meeting=meeting, actor=mentor_membership.user, proposed_time=chosen, location="Room 4"
    )
    meeting.refresh_from_db()
    assert meeting.starts_at == times[1] and meeting.location == "Room 4"


def test_only_the_mentor_answers_and_only_once(mentor_membership, mentee):
    meeting = request_slot(mentor_membership, mentee, slot_for(mentor_membership, in_days(3)))
    with pytest.raises(errors.NotAllowed):
        services.flash_meeting_accept(meeting=meeting, actor=mentee)
    services.flash_meeting_decline(meeting=meeting, actor=mentor_membership.user, reason="Away")
    with pytest.raises(errors.InvalidTransition, match="already been answered"):
        services.flash_meeting_accept(meeting=meeting, actor=mentor_membership.user)
    note = Notification.objects.get(kind="flash_meeting_declined")
    assert note.recipient == mentee and note.context["reason"] == "Away"


def test_decline_needs_a_reason(mentor_membership, mentee):
    meeting = request_slot(mentor_membership, mentee, slot_for(mentor_membership, in_days(3)))
    with pytest.raises(errors.BadRequest):
        services.flash_meeting_decline(meeting=meeting, actor=mentor_membership.user, reason=" ")


def test_mentor_proposes_another_time_and_the_mentee_accepts_it(mentor_membership, mentee):
    slot = slot_for(mentor_membership, in_days(3))
    meeting = request_slot(mentor_membership, mentee, slot)
    proposal = services.flash_meeting_propose_time(
        meeting=meeting,
        actor=mentor_membership.user,
        starts_at=in_days(5, 14),
        video_url="https://meet.example.org/p",
    )
    assert meeting.awaits_mentee
    assert Notification.objects.filter(kind="flash_meeting_time_proposed", recipient=mentee)
    with pytest.raises(errors.NotAllowed):
        services.flash_meeting_accept_proposal(
            meeting=meeting, actor=mentor_membership.user, proposed_time=proposal
        )
    services.flash_meeting_accept_proposal(meeting=meeting, actor=mentee, proposed_time=proposal)
    meeting.refresh_from_db()
    assert meeting.status == FlashMeeting.Status.SCHEDULED
    assert meeting.starts_at == in_days(5, 14)
    assert meeting.slot is None  # the originally asked-for slot is free again
    assert meeting.video_url == "https://meet.example.org/p"


def test_mentee_withdraws_while_pending_only(mentor_membership, mentee):
    meeting = request_slot(mentor_membership, mentee, slot_for(mentor_membership, in_days(3)))
    with pytest.raises(errors.NotAllowed):
        services.flash_meeting_withdraw(meeting=meeting, actor=mentor_membership.user)
    services.flash_meeting_withdraw(meeting=meeting, actor=mentee)
    assert meeting.status == FlashMeeting.Status.WITHDRAWN
    assert Notification.objects.filter(
        kind="flash_meeting_withdrawn", recipient=mentor_membership.user
    ).exists()
    with pytest.raises(errors.InvalidTransition):
        services.flash_meeting_withdraw(meeting=meeting, actor=mentee)


# --- overlap ------------------------------------------------------------------------


def test_overlapping_scheduled_meetings_are_refused(mentor_membership, mentee, make_mentee):
    start = in_days(4, 9)
    FlashMeetingFactory(
        program=mentor_membership.program,
        mentor=mentor_membership.user,
        mentee=make_mentee("busy"),
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    meeting = services.flash_meeting_request(
        mentor_membership=mentor_membership,
        mentee=mentee,
        topic="t",
        proposed_starts=[start + timedelta(minutes=15)],
    )
    with pytest.raises(errors.SlotOverlap, match="already has a meeting at that time"):
        services.flash_meeting_accept(
            meeting=meeting,
            actor=mentor_membership.user,
            proposed_time=meeting.proposed_times.get(),
        )
    meeting.refresh_from_db()
    assert meeting.status == FlashMeeting.Status.REQUESTED


def test_back_to_back_meetings_do_not_overlap(mentor_membership, mentee, make_mentee):
    start = in_days(4, 9)
    FlashMeetingFactory(
        program=mentor_membership.program,
        mentor=mentor_membership.user,
        mentee=make_mentee("busy"),
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    meeting = services.flash_meeting_request(
        mentor_membership=mentor_membership,
        mentee=mentee,
        topic="t",
        proposed_starts=[start + timedelta(minutes=30)],
    )
    services.flash_meeting_accept(
        meeting=meeting, actor=mentor_membership.user, proposed_time=meeting.proposed_times.get()
    )
    assert meeting.status == FlashMeeting.Status.SCHEDULED


def test_a_slot_overlapping_a_scheduled_meeting_cannot_be_requested(
    mentor_membership, mentee, make_mentee
):
    start = in_days(4, 9)
    slot = slot_for(mentor_membership, start)
    FlashMeetingFactory(
        program=mentor_membership.program,
        mentor=mentor_membership.user,
        mentee=make_mentee("busy"),
        starts_at=start + timedelta(minutes=10),
        ends_at=start + timedelta(minutes=40),
    )
    with pytest.raises(errors.SlotTaken):
        request_slot(mentor_membership, mentee, slot)


# --- cancelling and after the meeting -----------------------------------------------


def test_either_side_cancels_before_the_start_with_a_message(mentor_membership, mentee):
    meeting = request_slot(mentor_membership, mentee, slot_for(mentor_membership, in_days(3)))
    services.flash_meeting_accept(meeting=meeting, actor=mentor_membership.user)
    with pytest.raises(errors.BadRequest):
        services.flash_meeting_cancel(meeting=meeting, actor=mentee, message="")
    services.flash_meeting_cancel(meeting=meeting, actor=mentee, message="Sorry, ill")
    assert meeting.status == FlashMeeting.Status.CANCELLED
    assert meeting.cancelled_by == mentee and meeting.ics_sequence == 1
    notes = Notification.objects.filter(kind="flash_meeting_cancelled")
    assert notes.count() == 2
    assert all("METHOD:CANCEL" in n.attachments[0]["content"] for n in notes)


def test_a_started_meeting_cannot_be_cancelled(mentor_membership, mentee):
    start = timezone.now() - timedelta(minutes=5)
    meeting = FlashMeetingFactory(
        program=mentor_membership.program,
        mentor=mentor_membership.user,
        mentee=mentee,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    with pytest.raises(errors.InvalidTransition, match="already started"):
        services.flash_meeting_cancel(meeting=meeting, actor=mentee, message="late")


def over_meeting(mentor_membership, mentee, **kwargs):
    ends = timezone.now() - timedelta(hours=1)
    return FlashMeetingFactory(
        program=mentor_membership.program,
        mentor=mentor_membership.user,
        mentee=mentee,
        starts_at=ends - timedelta(minutes=30),
        ends_at=ends,
        **kwargs,
    )


def test_status_stays_scheduled_after_the_end_and_the_meeting_is_over(mentor_membership, mentee):
    meeting = over_meeting(mentor_membership, mentee)
    assert meeting.status == FlashMeeting.Status.SCHEDULED and meeting.is_over()


def test_record_not_held_is_idempotent_and_for_participants_only(
    mentor_membership, mentee, outsider
):
    meeting = over_meeting(mentor_membership, mentee)
    with pytest.raises(errors.NotAllowed):
        services.flash_meeting_record_not_held(meeting=meeting, actor=outsider)
    services.flash_meeting_record_not_held(meeting=meeting, actor=mentor_membership.user)
    assert meeting.status == FlashMeeting.Status.DID_NOT_HAPPEN
    stamp = meeting.outcome_recorded_at
    services.flash_meeting_record_not_held(meeting=meeting, actor=mentee)
    meeting.refresh_from_db()
    assert meeting.status == FlashMeeting.Status.DID_NOT_HAPPEN
    assert meeting.outcome_recorded_at == stamp


def test_record_not_held_corrects_a_completed_meeting(mentor_membership, mentee):
    meeting = over_meeting(mentor_membership, mentee)
    services.flash_meeting_complete(meeting=meeting)
    assert meeting.status == FlashMeeting.Status.COMPLETED
    services.flash_meeting_complete(meeting=meeting, actor=mentee)  # repeat: no change
    services.flash_meeting_record_not_held(meeting=meeting, actor=mentee)
    assert meeting.status == FlashMeeting.Status.DID_NOT_HAPPEN


def test_not_held_and_complete_need_the_meeting_to_be_over(mentor_membership, mentee):
    meeting = FlashMeetingFactory(
        program=mentor_membership.program, mentor=mentor_membership.user, mentee=mentee
    )
    with pytest.raises(errors.InvalidTransition):
        services.flash_meeting_record_not_held(meeting=meeting, actor=mentee)
    with pytest.raises(errors.InvalidTransition):
        services.flash_meeting_complete(meeting=meeting)
    cancelled = over_meeting(mentor_membership, mentee, status=FlashMeeting.Status.CANCELLED)
    with pytest.raises(errors.InvalidTransition):
        services.flash_meeting_complete(meeting=cancelled)


# --- availability -------------------------------------------------------------------


def test_weekly_slots_keep_the_wall_clock_time_across_dst(program, mentor_membership):
    mentor = mentor_membership.user
    mentor.time_zone = "Europe/London"
    mentor.save()
    # London's clocks go forward on Sunday 29 March 2026.
    year = timezone.now().year + 1
    monday = date(year, 3, 16)
    monday -= timedelta(days=monday.weekday())
    slots = services.availability_slots_create(
        membership=mentor_membership, day=monday, at=time(9, 0), repeat_weeks=3
    )
    assert len(slots) == 4
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    assert {slot.starts_at.astimezone(london).strftime("%H:%M") for slot in slots} == {"09:00"}
    utc_hours = [slot.starts_at.astimezone(ZoneInfo("UTC")).hour for slot in slots]
    assert 9 in utc_hours and 8 in utc_hours  # GMT before the change, BST after
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in slots)


def test_slot_length_follows_the_program_setting(mentor_membership, matching_settings):
    matching_settings.meeting_length_minutes = 60
    matching_settings.save()
    [slot] = services.availability_slots_create(
        membership=mentor_membership, day=in_days(5).date(), at=time(11, 0)
    )
    assert slot.ends_at - slot.starts_at == timedelta(minutes=60)


def test_a_time_skipped_by_the_clock_change_is_refused(mentor_membership):
    mentor = mentor_membership.user
    mentor.time_zone = "Europe/London"
    mentor.save()
    year = timezone.now().year + 1
    last_sunday = max(
        date(year, 3, day) for day in range(25, 32) if date(year, 3, day).weekday() == 6
    )
    with pytest.raises(errors.BadRequest, match="does not exist"):
        services.availability_slots_create(
            membership=mentor_membership, day=last_sunday, at=time(1, 30)
        )


def test_overlapping_slots_are_refused_and_nothing_is_added(mentor_membership):
    day = in_days(12).date()
    services.availability_slots_create(membership=mentor_membership, day=day, at=time(10, 0))
    with pytest.raises(errors.SlotOverlap):
        services.availability_slots_create(
            membership=mentor_membership,
            day=day - timedelta(days=7),
            at=time(10, 15),
            repeat_weeks=1,
        )
    assert AvailabilitySlot.objects.count() == 1


def test_only_unbooked_slots_can_be_removed(mentor_membership, mentee, outsider):
    slot = slot_for(mentor_membership, in_days(3))
    other = slot_for(mentor_membership, in_days(4))
    request_slot(mentor_membership, mentee, slot)
    with pytest.raises(errors.SlotTaken):
        services.availability_slot_remove(slot=slot, actor=mentor_membership.user)
    with pytest.raises(errors.NotAllowed):
        services.availability_slot_remove(slot=other, actor=outsider)
    services.availability_slot_remove(slot=other, actor=mentor_membership.user)
    assert list(AvailabilitySlot.objects.all()) == [slot]
