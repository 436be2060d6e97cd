"""Meetings within an ongoing connection (issue 17): the flash-meeting machinery, with
the connection's mentee asking its mentor; no one-time limit counts them, one-time
mentoring need not be offered, and none of them ever gets the follow-up."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from flash_meetings import errors, selectors, services
from flash_meetings.ics import ics_attachment
from flash_meetings.models import FlashMeeting
from matching.models import Connection, MatchingSettings
from mentoring.models import Membership
from notifications.models import Notification
from surveys import selectors as survey_selectors
from surveys import services as survey_services
from tests.connections.factories import ConnectionFactory
from tests.flash_meetings.factories import AvailabilitySlotFactory, FlashMeetingFactory, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection(program, mentor, mentee):
    return ConnectionFactory(program=program, mentor=mentor, mentee=mentee)


@pytest.fixture
def one_time_closed(program, mentor_membership):
    """One-time mentoring off, the mentor offering ongoing only and at a limit of zero
    flash meetings a month, and the mentee allowed no pending request."""
    MatchingSettings.objects.filter(program=program).update(
        one_time_enabled=False, mentors_choose_modes=True
    )
    Membership.objects.filter(pk=mentor_membership.pk).update(
        offers_one_time=False, max_flash_meetings_per_month=0
    )
    mentor_membership.refresh_from_db()
    return mentor_membership


def slot_for(mentor_membership, starts_at):
    return AvailabilitySlotFactory(
        program=mentor_membership.program,
        mentor=mentor_membership.user,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
    )


_ENDED = itertools.count(1)


def ended_connection_meeting(connection, **kwargs):
    starts_at = timezone.now() - timedelta(days=1, hours=next(_ENDED))
    return FlashMeetingFactory(
        program=connection.program,
        mentor=connection.mentor,
        mentee=connection.mentee,
        connection=connection,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        counts_in_month=None,
        **kwargs,
    )


# --- requesting and answering -------------------------------------------------------


def test_requested_and_accepted_with_one_time_off_and_the_mentor_at_the_monthly_limit(
    one_time_closed, mentee, connection, django_capture_on_commit_callbacks, mailoutbox
):
    slot = slot_for(one_time_closed, in_days(3))
    # A flash meeting is refused: one-time mentoring is off.
    with pytest.raises(errors.NotOffered):
        services.flash_meeting_request(
            mentor_membership=one_time_closed, mentee=mentee, topic="Plans", slot=slot
        )
    meeting = services.flash_meeting_request(
        mentor_membership=one_time_closed,
        mentee=mentee,
        topic="Plans",
        slot=slot,
        connection=connection,
    )
    assert meeting.connection == connection
    assert meeting.counts_in_month is None
    with django_capture_on_commit_callbacks(execute=True):
        services.flash_meeting_accept(meeting=meeting, actor=one_time_closed.user)
    meeting.refresh_from_db()
    assert meeting.status == FlashMeeting.Status.SCHEDULED
    assert meeting.counts_in_month is None
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"flash_meeting_requested", "flash_meeting_accepted"} <= kinds
    accepted = Notification.objects.filter(kind="flash_meeting_accepted")
    assert accepted.count() == 2 and all(n.attachments for n in accepted)  # .ics invites
    # Named a mentoring meeting, not a flash meeting, in the emails and the invite.
    assert {m.subject for m in mailoutbox} >= {
        "Mentoring meeting scheduled with Mona Mentor",
        "Mentoring meeting scheduled with Eli Mentee",
    }
    assert not any("flash meeting" in m.body.lower() for m in mailoutbox)
    assert "Mentoring meeting between" in ics_attachment(meeting)["content"]


def test_proposed_times_and_a_counter_proposal_work_in_a_connection(
    one_time_closed, mentee, connection
):
    meeting = services.flash_meeting_request(
        mentor_membership=one_time_closed,
        mentee=mentee,
        topic="Plans",
        proposed_starts=[in_days(5), in_days(6)],
        connection=connection,
    )
    proposal = services.flash_meeting_propose_time(
        meeting=meeting, actor=one_time_closed.user, starts_at=in_days(7)
    )
    services.flash_meeting_accept_proposal(meeting=meeting, actor=mentee, proposed_time=proposal)
    meeting.refresh_from_db()
    assert meeting.status == FlashMeeting.Status.SCHEDULED
    assert meeting.starts_at == in_days(7)


def test_connection_meetings_count_against_no_one_time_limit(
    program, mentor_membership, mentee, connection
):
    Membership.objects.filter(pk=mentor_membership.pk).update(max_flash_meetings_per_month=1)
    MatchingSettings.objects.filter(program=program).update(
        max_pending_meeting_requests_per_mentee=1
    )
    mentor_membership.refresh_from_db()
    day = (timezone.now() + timedelta(days=40)).replace(
        day=5, hour=10, minute=0, second=0, microsecond=0
    )
    for offset in (0, 1, 2):  # three pending in one month, beyond both limits
        services.flash_meeting_request(
            mentor_membership=mentor_membership,
            mentee=mentee,
            topic="Plans",
            slot=slot_for(mentor_membership, day + timedelta(days=offset)),
            connection=connection,
        )
    # The one flash meeting the month and the mentee's pending limit allow is still free.
    flash = services.flash_meeting_request(
        mentor_membership=mentor_membership,
        mentee=mentee,
        topic="One-time",
        slot=slot_for(mentor_membership, day + timedelta(days=3)),
    )
    assert flash.connection is None and flash.counts_in_month is not None


def test_only_the_connections_mentee_with_its_mentor_while_it_is_active(
    program, mentor_membership, mentee, outsider, connection
):
    def ask(who, membership=mentor_membership, starts_at=None):
        return services.flash_meeting_request(
            mentor_membership=membership,
            mentee=who,
            topic="Plans",
            slot=slot_for(membership, starts_at or in_days(3)),
            connection=connection,
        )

    with pytest.raises(errors.ConnectionNotOpen):
        ask(outsider)
    other_mentor = Membership.objects.create(
        program=program,
        user=outsider.__class__.objects.create(username="other-mentor"),
        role=Membership.Role.MENTOR,
    )
    with pytest.raises(errors.ConnectionNotOpen):
        ask(mentee, membership=other_mentor)
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.ENDED, ended_at=timezone.now()
    )
    with pytest.raises(errors.ConnectionNotOpen, match="ended"):
        ask(mentee, starts_at=in_days(4))
    assert not FlashMeeting.objects.exists()


# --- never a follow-up --------------------------------------------------------------


def test_an_ended_connection_meeting_never_needs_a_follow_up(client, connection, mentee):
    meeting = ended_connection_meeting(connection)
    assert not meeting.needs_follow_up()
    to_follow_up, upcoming = selectors.dashboard_meetings(user=mentee)
    assert to_follow_up == [] and upcoming == []
    assert selectors.mentee_meetings(mentee=mentee).to_follow_up == []
    assert selectors.mentee_meetings(mentee=mentee).past == [meeting]
    assert services.flash_meetings_send_follow_ups() == 0
    assert not Notification.objects.filter(kind="flash_meeting_follow_up").exists()
    client.force_login(mentee)
    for name in ("flash_meetings:follow_up", "flash_meetings:follow_up_not_held"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 404
    response = client.post(
        reverse("flash_meetings:follow_up", args=[meeting.pk]), {"choice": "no_thanks"}
    )
    assert response.status_code == 404
    assert client.get(reverse("portal:dashboard")).status_code == 200
    detail = client.get(reverse("flash_meetings:detail", args=[meeting.pk])).content.decode()
    listed = client.get(reverse("flash_meetings:my_meetings")).content.decode()
    assert "Mentoring meeting" in listed
    assert reverse("flash_meetings:follow_up", args=[meeting.pk]) not in listed
    assert "Mentoring meeting:" in detail
    assert reverse("flash_meetings:follow_up", args=[meeting.pk]) not in detail
    meeting.refresh_from_db()
    assert meeting.follow_up_choice == ""


def test_an_ended_connection_meeting_has_no_feedback_survey(
    client, connection, mentor, mentee, django_capture_on_commit_callbacks
):
    meeting = ended_connection_meeting(connection)
    now = meeting.ends_at + timedelta(days=1, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            survey_services.mentor_invitations_send(now=meeting.ends_at + timedelta(hours=1)) == 0
        )
        assert survey_services.survey_reminders_send(now=now) == 0
    for person in (mentor, mentee):
        assert survey_selectors.surveys_waiting_for(user=person, now=now) == []
        client.force_login(person)
        assert client.get(reverse("surveys:meeting", args=[meeting.pk])).status_code == 404


def test_a_flash_meeting_beside_it_still_gets_its_follow_up(program, connection, mentee):
    ended_connection_meeting(connection)
    starts_at = timezone.now() - timedelta(days=2)
    flash = FlashMeetingFactory(
        program=program,
        mentor=connection.mentor,
        mentee=mentee,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
    )
    assert selectors.dashboard_meetings(user=mentee)[0] == [flash]
    assert services.flash_meetings_send_follow_ups() == 1


# --- pages --------------------------------------------------------------------------


def test_the_request_page_is_the_connections_mentees_only(
    client, connection, mentor, mentee, outsider, mentor_membership
):
    url = reverse("flash_meetings:request_in_connection", args=[connection.pk])
    for person in (mentor, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"topic": "x"}).status_code == 404
    client.force_login(mentee)
    assert client.get(
        reverse("flash_meetings:request_in_connection", args=[10**6])
    ).status_code == (404)
    response = client.get(url)
    assert response.status_code == 200
    assert "Request a meeting with Mona Mentor, your mentor" in response.content.decode()
    slot = slot_for(mentor_membership, in_days(3))
    response = client.post(url, {"topic": "Next steps", "slot": slot.pk})
    meeting = FlashMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("flash_meetings:detail", args=[meeting.pk])
    assert meeting.connection == connection


def test_an_ended_connection_takes_no_request(client, connection, mentee, mentor_membership):
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.ENDED, ended_at=timezone.now()
    )
    url = reverse("flash_meetings:request_in_connection", args=[connection.pk])
    client.force_login(mentee)
    response = client.get(url)
    assert response.status_code == 200
    assert "This connection has ended." in response.content.decode()
    slot = slot_for(mentor_membership, in_days(3))
    assert client.post(url, {"topic": "Next steps", "slot": slot.pk}).status_code == 409
    assert not FlashMeeting.objects.exists()


def test_the_connection_page_lists_its_meetings_at_a_fixed_cost(client, connection, mentor, mentee):
    url = reverse("portal:connection_detail", args=[connection.pk])
    request_url = reverse("flash_meetings:request_in_connection", args=[connection.pk])
    client.force_login(mentee)

    def queries() -> int:
        with CaptureQueriesContext(db_connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    ended_connection_meeting(connection, topic="Looking back")
    FlashMeetingFactory(
        program=connection.program,
        mentor=mentor,
        mentee=mentee,
        connection=connection,
        topic="Looking ahead",
        counts_in_month=None,
    )
    few = queries()
    page = client.get(url).content.decode()
    assert "Looking back" in page and "Looking ahead" in page and request_url in page
    for _ in range(2 * selectors.CONNECTION_MEETINGS_SHOWN):
        ended_connection_meeting(connection)
        FlashMeetingFactory(
            program=connection.program,
            mentor=mentor,
            mentee=mentee,
            connection=connection,
            counts_in_month=None,
        )
    assert queries() == few
    client.force_login(mentor)
    assert request_url not in client.get(url).content.decode()


def test_the_admin_shows_the_connection_of_a_meeting_and_cannot_set_it(admin_client, connection):
    meeting = ended_connection_meeting(connection)
    url = reverse("admin:flash_meetings_flashmeeting_change", args=[meeting.pk])
    page = admin_client.get(url).content.decode()
    assert str(connection) in page
    assert 'name="connection"' not in page
