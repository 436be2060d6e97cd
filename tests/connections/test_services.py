"""The services are the state machines: every rule holds here, whoever calls.

Over 400 lines on purpose: one specification per transition of requests and
connections.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from matching import capacity, services
from matching.errors import AlreadyConnected, MenteeAtLimit, MentorFull, RequestAlreadyPending
from matching.models import Connection, ConnectionRequest
from mentoring.errors import IllegalTransition, InvalidInput, NotAllowed
from mentoring.models import Membership
from notifications.models import Notification
from notifications.rendering import render_notification
from tests.connections.conftest import configure
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.factories import MembershipFactory, MentorMembershipFactory
from tests.factories import mentee as make_mentee
from tests.flash_meetings.factories import FlashMeetingFactory

pytestmark = pytest.mark.django_db

Status = ConnectionRequest.Status


def ask(program, mentor, mentee, message="Please mentor me.", **kwargs):
    return services.connection_request_create(
        program=program, mentor=mentor, mentee=mentee, message=message, **kwargs
    )


# --- Creating requests -------------------------------------------------------------------


def test_a_request_is_pending_and_tells_the_mentor(ongoing_program, mentor, mentee):
    request = ask(ongoing_program, mentor, mentee)
    assert request.status == Status.PENDING
    assert request.origin == ConnectionRequest.Origin.PROFILE
    note = Notification.objects.get(kind="connection_request_received")
    assert note.recipient == mentor
    assert note.context["mentee_name"] == "Elif Demir"


def test_a_second_request_for_the_same_pair_is_refused(ongoing_program, mentor, mentee):
    ask(ongoing_program, mentor, mentee)
    with pytest.raises(RequestAlreadyPending, match="waiting for an answer"):
        ask(ongoing_program, mentor, mentee)
    assert ConnectionRequest.objects.count() == 1
    assert Notification.objects.filter(kind="connection_request_received").count() == 1


def test_a_pending_request_holds_a_slot(ongoing_program, mentor_membership, mentor):
    mentor_membership.max_ongoing_mentees = 1
    mentor_membership.save()
    ask(ongoing_program, mentor, make_mentee(ongoing_program))
    with pytest.raises(MentorFull, match="isn't taking on new ongoing mentees right now"):
        ask(ongoing_program, mentor, make_mentee(ongoing_program))


def test_active_connections_hold_slots_and_zero_means_none(
    ongoing_program, mentor_membership, mentor, mentee
):
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=make_mentee(ongoing_program))
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=make_mentee(ongoing_program))
    with pytest.raises(MentorFull):
        ask(ongoing_program, mentor, mentee)  # program default: 2
    mentor_membership.max_ongoing_mentees = 0
    mentor_membership.save()
    Connection.objects.update(status=Connection.Status.ENDED, ended_at=timezone.now())
    with pytest.raises(MentorFull):
        ask(ongoing_program, mentor, mentee)


def test_no_request_to_oneself(ongoing_program, mentor):
    MembershipFactory(program=ongoing_program, user=mentor, role=Membership.Role.MENTEE)
    with pytest.raises(NotAllowed):
        ask(ongoing_program, mentor, mentor)


def test_the_database_refuses_self_requests_and_duplicate_pending_too(
    ongoing_program, mentor, mentee
):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=mentor)
    ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"ongoing_enabled": False}, NotAllowed),
        ({"preferred_mentoring_enabled": True}, NotAllowed),
    ],
)
def test_program_modes_decide_whether_mentees_may_ask(
    ongoing_program, mentor, mentee, change, error
):
    configure(ongoing_program, **change)
    with pytest.raises(error):
        ask(ongoing_program, mentor, mentee)


def test_a_one_time_only_mentor_cannot_be_asked(ongoing_program, mentor_membership, mentee):
    configure(ongoing_program, mentors_choose_modes=True)
    mentor_membership.offers_ongoing = False
    mentor_membership.save()
    with pytest.raises(NotAllowed, match="one-time meetings only"):
        ask(ongoing_program, mentor_membership.user, mentee)


def test_inactive_memberships_cannot_act(ongoing_program, mentor_membership, mentor, mentee):
    Membership.objects.filter(user=mentee).update(active=False)
    with pytest.raises(NotAllowed, match="Only mentees"):
        ask(ongoing_program, mentor, mentee)
    Membership.objects.filter(user=mentee).update(active=True)
    request = ask(ongoing_program, mentor, mentee)
    mentor_membership.active = False
    mentor_membership.save()
    with pytest.raises(NotAllowed):
        services.connection_request_accept(request=request, actor=mentor)


def test_mentee_limits_on_requests(ongoing_program, mentee):
    mentors = [MentorMembershipFactory(program=ongoing_program).user for _ in range(4)]
    for mentor in mentors[:3]:
        ask(ongoing_program, mentor, mentee)
    with pytest.raises(MenteeAtLimit, match="3 requests waiting"):
        ask(ongoing_program, mentors[3], mentee)
    ConnectionRequest.objects.update(status=Status.WITHDRAWN)
    for mentor in mentors[:2]:
        ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    with pytest.raises(MenteeAtLimit, match="2 ongoing mentors"):
        ask(ongoing_program, mentors[3], mentee)


def test_already_connected_pair_cannot_ask_again(ongoing_program, mentor, mentee):
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    with pytest.raises(AlreadyConnected):
        ask(ongoing_program, mentor, mentee)


def test_message_is_required_and_limited(ongoing_program, mentor, mentee):
    with pytest.raises(InvalidInput):
        ask(ongoing_program, mentor, mentee, message="   ")
    with pytest.raises(InvalidInput):
        ask(ongoing_program, mentor, mentee, message="x" * 1001)


# --- Answering ---------------------------------------------------------------------------


def test_accept_creates_the_connection_and_tells_the_mentee(ongoing_program, mentor, mentee):
    request = ask(ongoing_program, mentor, mentee)
    connection = services.connection_request_accept(request=request, actor=mentor)
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED and request.responded_at
    assert connection.status == Connection.Status.ACTIVE
    assert connection.origin == Connection.Origin.PROFILE_REQUEST
    assert connection.request == request
    assert Notification.objects.get(kind="connection_request_accepted").recipient == mentee


def test_accept_rechecks_a_lowered_limit(ongoing_program, mentor_membership, mentor, mentee):
    request = ask(ongoing_program, mentor, mentee)
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=make_mentee(ongoing_program))
    mentor_membership.max_ongoing_mentees = 1
    mentor_membership.save()
    with pytest.raises(MentorFull):
        services.connection_request_accept(request=request, actor=mentor)
    request.refresh_from_db()
    assert request.status == Status.PENDING
    assert Connection.objects.filter(mentor=mentor, status="active").count() == 1


def test_accept_refuses_when_the_mentee_reached_their_limit(ongoing_program, mentor, mentee):
    configure(ongoing_program, max_ongoing_mentors_per_mentee=1)
    request = ask(ongoing_program, mentor, mentee)
    ConnectionFactory(
        program=ongoing_program,
        mentor=MentorMembershipFactory(program=ongoing_program).user,
        mentee=mentee,
    )
    with pytest.raises(MenteeAtLimit, match="Elif Demir already has"):
        services.connection_request_accept(request=request, actor=mentor)


def test_reaching_the_mentee_limit_closes_their_other_requests_and_tells_those_mentors(
    ongoing_program, mentor, other_mentor, mentee
):
    configure(ongoing_program, max_ongoing_mentors_per_mentee=1)
    first = ask(ongoing_program, mentor, mentee)
    second = ask(ongoing_program, other_mentor, mentee)
    services.connection_request_accept(request=first, actor=mentor)
    second.refresh_from_db()
    assert second.status == Status.CLOSED
    assert second.close_reason == ConnectionRequest.CloseReason.MENTEE_AT_LIMIT
    closed = Notification.objects.get(kind="connection_request_closed")
    assert closed.recipient == other_mentor


def test_decline_records_reason_and_note(ongoing_program, mentor, mentee):
    request = ask(ongoing_program, mentor, mentee)
    services.connection_request_decline(
        request=request, actor=mentor, reason="busy", note="Ask me in spring."
    )
    request.refresh_from_db()
    assert request.status == Status.DECLINED
    assert request.get_decline_reason_display() == "Busy at this time"
    note = Notification.objects.get(kind="connection_request_declined")
    # The label is stored untranslated and written in the mentee's language when rendered.
    assert "Busy at this time" in render_notification(note).text
    assert note.context["note"] == "Ask me in spring."


def test_decline_needs_a_known_reason(ongoing_program, mentor, mentee):
    request = ask(ongoing_program, mentor, mentee)
    with pytest.raises(InvalidInput):
        services.connection_request_decline(request=request, actor=mentor, reason="nope")


def test_withdraw_frees_the_slot(ongoing_program, mentor_membership, mentor, mentee):
    mentor_membership.max_ongoing_mentees = 1
    mentor_membership.save()
    request = ask(ongoing_program, mentor, mentee)
    services.connection_request_withdraw(request=request, actor=mentee)
    assert Notification.objects.get(kind="connection_request_withdrawn").recipient == mentor
    ask(ongoing_program, mentor, make_mentee(ongoing_program))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("withdraw", "accept"),
        ("accept", "withdraw"),
        ("decline", "decline"),
        ("decline", "accept"),
        ("accept", "accept"),
        ("withdraw", "withdraw"),
        ("accept", "decline"),
    ],
)
def test_illegal_moves_are_refused(ongoing_program, mentor, mentee, first, second):
    request = ask(ongoing_program, mentor, mentee)
    moves = {
        "accept": lambda: services.connection_request_accept(request=request, actor=mentor),
        "decline": lambda: services.connection_request_decline(
            request=request, actor=mentor, reason="other"
        ),
        "withdraw": lambda: services.connection_request_withdraw(request=request, actor=mentee),
    }
    moves[first]()
    with pytest.raises(IllegalTransition, match="already"):
        moves[second]()


def test_only_the_right_person_may_answer(ongoing_program, mentor, other_mentor, mentee):
    request = ask(ongoing_program, mentor, mentee)
    with pytest.raises(NotAllowed):
        services.connection_request_accept(request=request, actor=other_mentor)
    with pytest.raises(NotAllowed):
        services.connection_request_decline(request=request, actor=mentee, reason="other")
    with pytest.raises(NotAllowed):
        services.connection_request_withdraw(request=request, actor=mentor)


# --- Expiry and reminders ----------------------------------------------------------------


def test_requests_expire_after_the_program_days_once(ongoing_program, mentor, mentee):
    request = ask(ongoing_program, mentor, mentee)
    now = timezone.now()
    assert services.connection_requests_expire(now=now + timedelta(days=13)) == 0
    assert services.connection_requests_expire(now=now + timedelta(days=14, minutes=1)) == 1
    assert services.connection_requests_expire(now=now + timedelta(days=15)) == 0
    request.refresh_from_db()
    assert request.status == Status.EXPIRED
    assert Notification.objects.filter(kind="connection_request_expired").count() == 1


def test_the_mentor_is_reminded_once_halfway(ongoing_program, mentor, mentee):
    request = ask(ongoing_program, mentor, mentee)
    now = timezone.now()
    services.connection_requests_expire(now=now + timedelta(days=6))
    assert not Notification.objects.filter(kind="connection_request_reminder").exists()
    services.connection_requests_expire(now=now + timedelta(days=7, minutes=1))
    services.connection_requests_expire(now=now + timedelta(days=8))
    reminders = Notification.objects.filter(kind="connection_request_reminder")
    assert reminders.count() == 1 and reminders.get().recipient == mentor
    request.refresh_from_db()
    assert request.reminder_sent_at is not None and request.status == Status.PENDING


def test_programs_without_expiry_keep_requests(ongoing_program, mentor, mentee):
    configure(ongoing_program, request_expiry_days=None)
    ask(ongoing_program, mentor, mentee)
    assert services.connection_requests_expire(now=timezone.now() + timedelta(days=400)) == 0


def test_answered_requests_never_expire(ongoing_program, mentor, mentee):
    request = ask(ongoing_program, mentor, mentee)
    services.connection_request_accept(request=request, actor=mentor)
    assert services.connection_requests_expire(now=timezone.now() + timedelta(days=30)) == 0


def test_the_periodic_task_runs_the_service(ongoing_program, mentor, mentee):
    from matching.tasks import expire_connection_requests

    request = ask(ongoing_program, mentor, mentee)
    ConnectionRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(days=20)
    )
    assert expire_connection_requests() == 1


# --- Connections -------------------------------------------------------------------------


def test_connection_create_closes_the_pairs_pending_request_and_uses_its_slot(
    ongoing_program, mentor_membership, mentor, mentee
):
    mentor_membership.max_ongoing_mentees = 1
    mentor_membership.save()
    request = ask(ongoing_program, mentor, mentee)
    connection = services.connection_create(
        program=ongoing_program, mentor=mentor, mentee=mentee, origin=Connection.Origin.ADMIN
    )
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert request.close_reason == ConnectionRequest.CloseReason.CONNECTED
    assert connection.origin == "admin"
    assert Notification.objects.filter(kind="connection_created").count() == 2


def test_connection_create_respects_capacity_and_pairs(ongoing_program, mentor, mentee):
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    with pytest.raises(AlreadyConnected):
        services.connection_create(
            program=ongoing_program, mentor=mentor, mentee=mentee, origin="admin"
        )
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=make_mentee(ongoing_program))
    with pytest.raises(MentorFull):
        services.connection_create(
            program=ongoing_program,
            mentor=mentor,
            mentee=make_mentee(ongoing_program),
            origin="admin",
        )


def _counts_that_missed_everything():
    """pair_counts as if it had not seen the pair's rows: only the database's constraint
    is left to refuse a second active connection or pending request."""
    return mock.patch(
        "matching.capacity.pair_counts", return_value=capacity.PairCounts(0, 0, 0, 0, 0, 0, None)
    )


def test_the_constraint_refuses_a_second_connection_the_counts_missed(
    ongoing_program, mentor, mentee
):
    ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    with transaction.atomic():  # the caller's transaction, as the follow-up's
        with _counts_that_missed_everything(), pytest.raises(AlreadyConnected) as refused:
            services.connection_create(
                program=ongoing_program, mentor=mentor, mentee=mentee, origin="admin"
            )
        # The same refusal as when the counts see the connection: words and code.
        assert refused.value.message == f"{mentor.name} and {mentee.name} are already connected."
        assert refused.value.code == capacity.ALREADY_CONNECTED
        # Refused without an error from the database: the caller's transaction goes on.
        assert Connection.objects.filter(mentor=mentor, mentee=mentee).count() == 1
    assert not Notification.objects.filter(kind="connection_created").exists()


def test_the_constraint_refuses_a_second_pending_request_the_counts_missed(
    ongoing_program, mentor, mentee
):
    ask(ongoing_program, mentor, mentee)
    with transaction.atomic():
        with _counts_that_missed_everything(), pytest.raises(RequestAlreadyPending) as refused:
            ask(ongoing_program, mentor, mentee, message="Again.")
        assert refused.value.message == f"Your request to {mentor.name} is waiting for an answer."
        assert refused.value.code == capacity.REQUEST_PENDING
        assert ConnectionRequest.objects.filter(mentor=mentor, mentee=mentee).count() == 1
    assert Notification.objects.filter(kind="connection_request_received").count() == 1


def test_services_work_nested_in_an_outer_transaction(ongoing_program, mentor, mentee):
    """The post-meeting flow calls them inside its own atomic block."""
    meeting = FlashMeetingFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    with transaction.atomic():
        request = ask(
            ongoing_program,
            mentor,
            mentee,
            origin=ConnectionRequest.Origin.FLASH_MEETING,
            flash_meeting=meeting,
        )
        with pytest.raises(RequestAlreadyPending):
            ask(ongoing_program, mentor, mentee)
        connection = services.connection_request_accept(request=request, actor=mentor)
    assert connection.origin == Connection.Origin.FLASH_MEETING
    with transaction.atomic():
        services.connection_end(connection=connection, actor=mentee, reason="Done")
        again = services.connection_create(
            program=ongoing_program,
            mentor=mentor,
            mentee=mentee,
            origin="flash_meeting",
            flash_meeting=meeting,
        )
    assert again.status == "active"


def test_end_connection_frees_the_slot_and_tells_the_other_side(
    ongoing_program, mentor_membership, mentor, mentee
):
    mentor_membership.max_ongoing_mentees = 1
    mentor_membership.save()
    connection = services.connection_create(
        program=ongoing_program, mentor=mentor, mentee=mentee, origin="admin"
    )
    services.connection_end(connection=connection, actor=mentee, reason="Reached my goal")
    connection.refresh_from_db()
    assert connection.status == "ended" and connection.ended_by == mentee
    ended = Notification.objects.get(kind="connection_ended")
    assert ended.recipient == mentor and ended.context["reason"] == "Reached my goal"
    ask(ongoing_program, mentor, make_mentee(ongoing_program))  # the slot is free again
    with pytest.raises(IllegalTransition):
        services.connection_end(connection=connection, actor=mentor, reason="again")


def test_end_needs_a_reason_and_a_party(ongoing_program, mentor, mentee, other_mentor):
    connection = ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    with pytest.raises(InvalidInput):
        services.connection_end(connection=connection, actor=mentor, reason=" ")
    with pytest.raises(NotAllowed):
        services.connection_end(connection=connection, actor=other_mentor, reason="x")


# --- Preferred mentors -----------------------------------------------------------------


def test_preferred_list_add_move_remove(ongoing_program, mentee):
    configure(ongoing_program, preferred_mentoring_enabled=True)
    mentors = [MentorMembershipFactory(program=ongoing_program).user for _ in range(3)]
    entries = [
        services.preferred_mentor_add(program=ongoing_program, mentee=mentee, mentor=m)
        for m in mentors
    ]
    assert [e.rank for e in entries] == [1, 2, 3]
    with pytest.raises(IllegalTransition):
        services.preferred_mentor_add(program=ongoing_program, mentee=mentee, mentor=mentors[0])
    services.preferred_mentor_move(entry=entries[2], actor=mentee, direction="up")
    ranked = list(mentee.preferred_mentors.order_by("rank").values_list("mentor", flat=True))
    assert ranked == [mentors[0].pk, mentors[2].pk, mentors[1].pk]
    services.preferred_mentor_remove(entry=entries[0], actor=mentee)
    ranks = list(mentee.preferred_mentors.order_by("rank").values_list("rank", "mentor"))
    assert ranks == [(1, mentors[2].pk), (2, mentors[1].pk)]


def test_preferred_list_only_in_preferred_programs(ongoing_program, mentor, mentee):
    with pytest.raises(NotAllowed):
        services.preferred_mentor_add(program=ongoing_program, mentee=mentee, mentor=mentor)
