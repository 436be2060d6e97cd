"""Pages: who sees what, POST-only actions, query counts, the request form.

Over 400 lines on purpose: every flash-meeting page and action, one after another.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flash_meetings import selectors
from flash_meetings.models import AvailabilitySlot, FlashMeeting
from mentoring.models import Membership
from notifications.models import Notification
from tests.factories import MembershipFactory, UserFactory
from tests.flash_meetings.factories import (
    AvailabilitySlotFactory,
    FlashMeetingFactory,
    ProposedTimeFactory,
    in_days,
)

pytestmark = pytest.mark.django_db

# ``not_held`` answers both: GET asks for confirmation, POST records the outcome.
GET_URLS = ["detail", "ics", "follow_up", "follow_up_not_held", "not_held"]
POST_URLS = ["accept", "decline", "propose", "accept_proposal", "withdraw", "cancel"]


@pytest.fixture
def meeting(program, mentor, mentee):
    return FlashMeetingFactory(program=program, mentor=mentor, mentee=mentee)


# --- IDOR ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", GET_URLS + POST_URLS)
def test_no_one_else_can_see_or_act_on_a_meeting(client, meeting, outsider, name):
    """Every meeting URL answers 404 to a person who is not its mentor or mentee, for
    GET and POST alike, and changes nothing."""
    client.force_login(outsider)
    url = reverse(f"flash_meetings:{name}", args=[meeting.pk])
    before = FlashMeeting.objects.values().get(pk=meeting.pk)
    assert client.get(url).status_code in (404, 405)
    response = client.post(
        url, {"reason": "x", "message": "x", "video_url": "", "starts_at": "2030-01-01T10:00"}
    )
    assert response.status_code in (404, 405)
    if name in POST_URLS:
        assert client.get(url).status_code == 405
        assert response.status_code == 404
    else:
        assert client.get(url).status_code == 404
    assert FlashMeeting.objects.values().get(pk=meeting.pk) == before


def test_the_follow_up_page_is_for_the_mentee_only(client, meeting, mentor, mentee):
    url = reverse("flash_meetings:follow_up", args=[meeting.pk])
    client.force_login(mentor)
    assert client.get(url).status_code == 404
    client.force_login(mentee)
    response = client.get(url)
    assert response.status_code == 200
    assert meeting.topic in response.content.decode()


def test_meeting_pages_need_sign_in(client, meeting):
    for name in GET_URLS:
        response = client.get(reverse(f"flash_meetings:{name}", args=[meeting.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_someone_elses_slot_cannot_be_removed(client, program, mentor, outsider):
    slot = AvailabilitySlotFactory(program=program, mentor=mentor)
    client.force_login(outsider)
    response = client.post(reverse("flash_meetings:slot_remove", args=[slot.pk]))
    assert response.status_code == 404
    assert AvailabilitySlot.objects.filter(pk=slot.pk).exists()


def test_request_page_is_404_outside_the_mentors_program(client, mentor_membership):
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, role=Membership.Role.MENTEE)  # another program
    client.force_login(stranger)
    url = reverse("flash_meetings:request", args=[mentor_membership.pk])
    assert client.get(url).status_code == 404


def test_state_changes_are_post_only(client, meeting, mentee):
    client.force_login(mentee)
    for name in POST_URLS:
        assert client.get(reverse(f"flash_meetings:{name}", args=[meeting.pk])).status_code == 405


# --- pages and query counts ---------------------------------------------------------


def make_meetings(program, mentor, mentee, count):
    """A mix: requested (with proposed times), upcoming, over, cancelled."""
    now = timezone.now()
    for index in range(count):
        kind = index % 4
        if kind == 0:
            meeting = FlashMeetingFactory(
                program=program,
                mentor=mentor,
                mentee=mentee,
                status=FlashMeeting.Status.REQUESTED,
                starts_at=None,
                ends_at=None,
            )
            ProposedTimeFactory.create_batch(2, meeting=meeting)
        elif kind == 1:
            FlashMeetingFactory(
                program=program,
                mentor=mentor,
                mentee=mentee,
                starts_at=now + timedelta(days=30, hours=index),
                ends_at=now + timedelta(days=30, hours=index, minutes=30),
            )
        elif kind == 2:
            FlashMeetingFactory(
                program=program,
                mentor=mentor,
                mentee=mentee,
                starts_at=now - timedelta(days=30, hours=index),
                ends_at=now - timedelta(days=30, hours=index) + timedelta(minutes=30),
            )
        else:
            FlashMeetingFactory(
                program=program,
                mentor=mentor,
                mentee=mentee,
                status=FlashMeeting.Status.CANCELLED,
            )


MY_MEETINGS_QUERIES = 4  # session, user, meetings (+program, people, slot), proposed times
MENTOR_MEETINGS_QUERIES = 4


@pytest.mark.parametrize("count", [5, 50])
def test_my_meetings_costs_the_same_for_5_and_50(
    client, program, mentor, mentee, count, django_assert_num_queries
):
    make_meetings(program, mentor, mentee, count)
    client.force_login(mentee)
    with django_assert_num_queries(MY_MEETINGS_QUERIES):
        response = client.get(reverse("flash_meetings:my_meetings"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1>") == 1
    assert html.count('class="card"') == count
    for heading in ("Requested", "Upcoming", "Meetings to follow up", "Past"):
        assert f">{heading}</h2>" in html
    assert "(UTC)" in html  # each time names its zone, as people say it


@pytest.mark.parametrize("count", [5, 50])
def test_mentor_meetings_costs_the_same_for_5_and_50(
    client, program, mentor, mentee, count, django_assert_num_queries
):
    make_meetings(program, mentor, mentee, count)
    client.force_login(mentor)
    with django_assert_num_queries(MENTOR_MEETINGS_QUERIES):
        response = client.get(reverse("flash_meetings:mentor_meetings"))
    html = response.content.decode()
    assert html.count('class="card"') == count
    for heading in ("Requests to answer", "Upcoming", "Past"):
        assert f">{heading}</h2>" in html


def test_over_meeting_is_listed_to_follow_up_with_a_link(client, program, mentor, mentee):
    now = timezone.now()
    over = FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        starts_at=now - timedelta(hours=2),
        ends_at=now - timedelta(hours=1, minutes=30),
    )
    client.force_login(mentee)
    html = client.get(reverse("flash_meetings:my_meetings")).content.decode()
    assert reverse("flash_meetings:follow_up", args=[over.pk]) in html


# --- the request form ---------------------------------------------------------------


def test_mentee_requests_a_slot_through_the_form(client, mentor_membership, mentee):
    slot = AvailabilitySlotFactory(program=mentor_membership.program, mentor=mentor_membership.user)
    client.force_login(mentee)
    url = reverse("flash_meetings:request", args=[mentor_membership.pk])
    html = client.get(url).content.decode()
    assert html.count("<h1>") == 1
    assert '<label for="id_topic">' in html
    response = client.post(url, {"topic": "Switching careers", "slot": slot.pk})
    meeting = FlashMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("flash_meetings:detail", args=[meeting.pk])
    assert meeting.slot == slot


def test_request_form_errors_sit_beside_fields(client, mentor_membership, mentee):
    client.force_login(mentee)
    url = reverse("flash_meetings:request", args=[mentor_membership.pk])
    response = client.post(url, {"topic": "", "proposed_1": "not a date"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "Enter a valid date/time." in html


def test_the_request_form_asks_for_a_slot_or_times_never_both(client, mentor_membership, mentee):
    slot = AvailabilitySlotFactory(program=mentor_membership.program, mentor=mentor_membership.user)
    client.force_login(mentee)
    url = reverse("flash_meetings:request", args=[mentor_membership.pk])
    time = in_days(4).strftime("%Y-%m-%dT%H:%M")
    both = client.post(url, {"topic": "t", "slot": slot.pk, "proposed_1": time})
    neither = client.post(url, {"topic": "t"})
    assert (both.status_code, neither.status_code) == (400, 400)
    assert "Either pick an open slot or propose times, not both." in both.content.decode()
    assert "Pick an open slot or propose at least one time." in neither.content.decode()
    assert not FlashMeeting.objects.exists()


def test_proposed_times_are_read_in_the_mentees_zone(client, mentor_membership, mentee):
    mentee.time_zone = "Asia/Tokyo"
    mentee.save()
    client.force_login(mentee)
    day = in_days(5).astimezone(timezone.get_fixed_timezone(9 * 60)).date()
    response = client.post(
        reverse("flash_meetings:request", args=[mentor_membership.pk]),
        {"topic": "Tokyo", "proposed_1": f"{day.isoformat()}T18:00"},
    )
    assert response.status_code == 302
    proposal = FlashMeeting.objects.get().proposed_times.get()
    assert proposal.starts_at.astimezone(timezone.get_fixed_timezone(0)).hour == 9  # 18:00 JST


def test_a_lost_race_or_broken_rule_is_a_message_not_a_500(
    client, mentor_membership, mentee, make_mentee
):
    slot = AvailabilitySlotFactory(program=mentor_membership.program, mentor=mentor_membership.user)
    FlashMeetingFactory(
        program=mentor_membership.program,
        mentor=mentor_membership.user,
        mentee=make_mentee("first"),
        slot=slot,
        status=FlashMeeting.Status.REQUESTED,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
    )
    client.force_login(mentee)
    response = client.post(
        reverse("flash_meetings:request", args=[mentor_membership.pk]),
        {"topic": "Late", "slot": slot.pk},
    )
    # The slot is no longer offered, so the form says so beside the field.
    assert response.status_code == 400
    assert "that slot was just booked by someone else" in response.content.decode()


def test_mentor_accepts_with_a_video_link_and_errors_come_back_beside_the_field(
    client, program, mentor, mentee
):
    meeting = FlashMeetingFactory(
        program=program, mentor=mentor, mentee=mentee, status=FlashMeeting.Status.REQUESTED
    )
    meeting.slot = AvailabilitySlotFactory(
        program=program, mentor=mentor, starts_at=meeting.starts_at, ends_at=meeting.ends_at
    )
    meeting.save()
    client.force_login(mentor)
    url = reverse("flash_meetings:accept", args=[meeting.pk])
    response = client.post(url, {"video_url": "not a url"})
    assert response.status_code == 400
    assert "Enter a valid URL." in response.content.decode()
    response = client.post(url, {"video_url": "https://meet.example.org/v"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == FlashMeeting.Status.SCHEDULED
    page = client.get(response["Location"]).content.decode()
    assert "Meeting scheduled" in page and "https://meet.example.org/v" in page


def test_domain_error_on_an_action_becomes_a_message(client, meeting, mentee):
    client.force_login(mentee)
    response = client.post(reverse("flash_meetings:withdraw", args=[meeting.pk]), follow=True)
    assert response.status_code == 200
    assert "already been answered" in response.content.decode()


def test_mentor_records_that_an_over_meeting_did_not_happen(client, program, mentor, mentee):
    now = timezone.now()
    over = FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        starts_at=now - timedelta(hours=2),
        ends_at=now - timedelta(hours=1),
    )
    client.force_login(mentor)
    page = client.get(reverse("flash_meetings:detail", args=[over.pk])).content.decode()
    assert "Record that the meeting did not happen" in page
    # The button opens a confirmation; only its own button records the outcome.
    confirm = client.get(reverse("flash_meetings:not_held", args=[over.pk])).content.decode()
    assert "Did the meeting not take place?" in confirm
    assert "Yes, it did not take place" in confirm
    over.refresh_from_db()
    assert over.status == FlashMeeting.Status.SCHEDULED
    client.post(reverse("flash_meetings:not_held", args=[over.pk]))
    over.refresh_from_db()
    assert over.status == FlashMeeting.Status.DID_NOT_HAPPEN


# --- availability -------------------------------------------------------------------


def test_mentor_adds_weekly_slots_in_their_zone(client, mentor_membership):
    mentor = mentor_membership.user
    mentor.time_zone = "America/New_York"
    mentor.save()
    client.force_login(mentor)
    day = in_days(10).date()
    response = client.post(
        reverse("flash_meetings:availability"),
        {
            "program": mentor_membership.program_id,
            "day": day.isoformat(),
            "at": "14:00",
            "repeat_weeks": 2,
        },
    )
    assert response.status_code == 302
    assert AvailabilitySlot.objects.filter(mentor=mentor).count() == 3
    html = client.get(reverse("flash_meetings:availability")).content.decode()
    assert html.count("14:00–14:30 (New York time)") == 3


def profile_url(membership: Membership) -> str:
    return reverse("portal:mentor_profile", args=[membership.program.slug, membership.pk])


# --- the profile's flash-meeting section and the dashboard ------------------------------


def test_profile_section_offers_the_request_link_with_open_slots(client, mentor_membership, mentee):
    AvailabilitySlotFactory.create_batch(
        5, program=mentor_membership.program, mentor=mentor_membership.user
    )
    client.force_login(mentee)
    html = client.get(profile_url(mentor_membership)).content.decode()
    assert "5 open slots" in html
    assert reverse("flash_meetings:request", args=[mentor_membership.pk]) in html
    assert "Request a flash meeting" in html


def test_profile_section_says_why_not(client, mentor_membership, mentee, matching_settings):
    matching_settings.one_time_enabled = False
    matching_settings.save()
    client.force_login(mentee)
    html = client.get(profile_url(mentor_membership)).content.decode()
    assert "does not offer one-time meetings" in html
    assert "Request a flash meeting" not in html


def test_profile_section_costs_one_query_whatever_the_number_of_slots(
    mentor_membership, mentee, matching_settings, django_assert_num_queries
):
    AvailabilitySlotFactory.create_batch(
        2, program=mentor_membership.program, mentor=mentor_membership.user
    )
    with django_assert_num_queries(1):  # the first open slots (the program is read)
        section = selectors.profile_section(
            mentor_membership=mentor_membership,
            viewer=mentee,
            settings=matching_settings,
            viewer_is_mentee=True,
        )
    assert section.can_request and section.open_slot_count == 2


def test_dashboard_shows_meetings_to_follow_up_and_upcoming(client, program, mentor, mentee):
    now = timezone.now()
    over = FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        topic="Looking back",
        starts_at=now - timedelta(hours=2),
        ends_at=now - timedelta(hours=1),
    )
    FlashMeetingFactory(program=program, mentor=mentor, mentee=mentee, topic="Looking ahead")
    client.force_login(mentee)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Meetings to follow up" in html
    assert reverse("flash_meetings:follow_up", args=[over.pk]) in html
    assert "Looking ahead" in html


def test_nav_links_follow_the_roles_a_person_holds(client, program, mentee, mentor):
    client.force_login(mentee)
    html = client.get(reverse("flash_meetings:my_meetings")).content.decode()
    own_page = reverse("flash_meetings:my_meetings")
    assert f'href="{own_page}" aria-current="page">My meetings<' in html
    assert reverse("flash_meetings:mentor_meetings") not in html
    assert reverse("flash_meetings:availability") not in html
    assert reverse("portal:requests_received") not in html

    client.force_login(mentor)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reverse("flash_meetings:mentor_meetings")}">My meetings<' in html
    assert reverse("flash_meetings:availability") in html
    assert reverse("portal:requests_received") in html
    assert reverse("portal:requests_sent") not in html
    assert f'href="{reverse("flash_meetings:my_meetings")}"' not in html


def test_emails_link_to_the_site_url(mentor_membership, mentee):
    from flash_meetings import services

    slot = AvailabilitySlotFactory(program=mentor_membership.program, mentor=mentor_membership.user)
    services.flash_meeting_request(
        mentor_membership=mentor_membership, mentee=mentee, topic="t", slot=slot
    )
    note = Notification.objects.get(kind="flash_meeting_requested")
    assert note.context["meeting_path"].startswith("/meetings/")


@pytest.mark.parametrize("count", [5, 50])
def test_availability_page_costs_the_same_for_5_and_50(
    client, mentor_membership, mentee, count, django_assert_num_queries
):
    slots = AvailabilitySlotFactory.create_batch(
        count, program=mentor_membership.program, mentor=mentor_membership.user
    )
    FlashMeetingFactory(
        program=mentor_membership.program,
        mentor=mentor_membership.user,
        mentee=mentee,
        slot=slots[0],
        status=FlashMeeting.Status.REQUESTED,
        starts_at=slots[0].starts_at,
        ends_at=slots[0].ends_at,
    )
    client.force_login(mentor_membership.user)
    # session, user, memberships (+programs), slots (+programs), their active meetings
    with django_assert_num_queries(5):
        html = client.get(reverse("flash_meetings:availability")).content.decode()
    assert html.count("<tr>") == count + 1
    assert html.count(">Remove</button>") == count - 1


def test_no_invite_for_a_meeting_that_is_only_requested(client, program, mentor, mentee):
    meeting = FlashMeetingFactory(
        program=program, mentor=mentor, mentee=mentee, status=FlashMeeting.Status.REQUESTED
    )
    client.force_login(mentee)
    assert client.get(reverse("flash_meetings:ics", args=[meeting.pk])).status_code == 404


def test_admin_lists_filters_and_searches_meetings(admin_client, program, mentor, mentee):
    meeting = FlashMeetingFactory(program=program, mentor=mentor, mentee=mentee)
    ProposedTimeFactory(meeting=meeting)
    AvailabilitySlotFactory(program=program, mentor=mentor)
    changelist = reverse("admin:flash_meetings_flashmeeting_changelist")
    response = admin_client.get(changelist, {"q": mentee.username, "status": "scheduled"})
    assert response.status_code == 200
    assert meeting.topic in response.content.decode()
    response = admin_client.get(changelist, {"mentor__id__exact": mentor.pk})
    assert meeting.topic in response.content.decode()
    change = admin_client.get(
        reverse("admin:flash_meetings_flashmeeting_change", args=[meeting.pk])
    ).content.decode()
    assert "Proposed times (UTC)" in change and "Emails and calendar" in change
    slots = admin_client.get(reverse("admin:flash_meetings_availabilityslot_changelist"))
    assert slots.status_code == 200
    settings_page = admin_client.get(
        reverse("admin:matching_matchingsettings_change", args=[program.matching_settings.pk])
    ).content.decode()
    assert "One-time Mentoring Settings" in settings_page
