"""Pages and actions as mentees and mentors use them.

Over 400 lines on purpose: every page of ongoing mentoring, in the order people meet them.
"""

import pytest
from django.core import mail
from django.urls import reverse

from matching.models import Connection, ConnectionRequest, PreferredMentor
from mentoring.models import Membership
from notifications.models import Notification
from tests.connections.conftest import configure
from tests.connections.factories import (
    ConnectionFactory,
    ConnectionRequestFactory,
    PreferredMentorFactory,
)
from tests.factories import MembershipFactory, MentorMembershipFactory, UserFactory
from tests.factories import mentee as make_mentee

pytestmark = pytest.mark.django_db


def profile_url(membership):
    return reverse("portal:mentor_profile", args=[membership.program.slug, membership.pk])


def connect_url(membership):
    return reverse("portal:connect", args=[membership.program.slug, membership.pk])


# --- Directory -----------------------------------------------------------------------------


def test_directory_lists_mentors_and_whether_they_take_mentees_without_revealing_who(
    client, ongoing_program, mentor_membership, mentee, other_mentor
):
    ConnectionFactory(
        program=ongoing_program,
        mentor=other_mentor,
        mentee=make_mentee(ongoing_program, user__display_name="Secret Mentee"),
    )
    ConnectionFactory(
        program=ongoing_program, mentor=other_mentor, mentee=make_mentee(ongoing_program)
    )
    client.force_login(mentee)
    html = client.get(reverse("portal:directory", args=["ongoing"])).content.decode()
    assert "Amara Okafor" in html and "Bruno Costa" in html
    assert "Taking new mentees" in html and "Not taking new mentees right now" in html
    assert "Secret Mentee" not in html
    assert html.count("<h1>") == 1


def test_directory_search_by_name_and_expertise(client, ongoing_program, mentee):
    MentorMembershipFactory(
        program=ongoing_program, user__display_name="Chen Wei", expertise="statistics"
    )
    MentorMembershipFactory(
        program=ongoing_program, user__display_name="Dana Levi", expertise="hiring"
    )
    client.force_login(mentee)
    url = reverse("portal:directory", args=["ongoing"])
    html = client.get(url, {"q": "statis"}).content.decode()
    assert "Chen Wei" in html and "Dana Levi" not in html
    html = client.get(url, {"q": "dana"}).content.decode()
    assert "Dana Levi" in html and "Chen Wei" not in html
    assert 'label for="id_q"' in html


def test_directory_paginates(client, ongoing_program, mentee):
    for index in range(25):
        MentorMembershipFactory(program=ongoing_program, user__display_name=f"Mentor {index:02}")
    client.force_login(mentee)
    url = reverse("portal:directory", args=["ongoing"])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Mentor 00" in first and "Mentor 24" not in first
    assert "Mentor 24" in second


def test_directory_and_profile_are_404_for_non_members(client, mentor_membership):
    client.force_login(UserFactory())
    assert client.get(reverse("portal:directory", args=["ongoing"])).status_code == 404
    assert client.get(profile_url(mentor_membership)).status_code == 404


def test_one_time_only_mentors_are_labelled_and_cannot_be_asked(
    client, ongoing_program, mentor_membership, mentee
):
    configure(ongoing_program, mentors_choose_modes=True)
    mentor_membership.offers_ongoing = False
    mentor_membership.save()
    client.force_login(mentee)
    html = client.get(reverse("portal:directory", args=["ongoing"])).content.decode()
    assert "One-time meetings only" in html
    html = client.get(profile_url(mentor_membership)).content.decode()
    assert "offers one-time meetings only." in html
    assert ">Connect</button>" not in html


# --- Profile and Connect -----------------------------------------------------------------


def test_profile_says_whether_the_mentor_takes_mentees_as_the_directory_does(
    client, ongoing_program, mentor_membership, mentee
):
    client.force_login(mentee)
    directory_url = reverse("portal:directory", args=["ongoing"])
    assert (
        "<p>Taking new mentees</p>" in client.get(profile_url(mentor_membership)).content.decode()
    )
    for _ in range(2):  # the program default: 2 slots, one connection and one request
        ConnectionFactory(program=ongoing_program, mentor=mentor_membership.user)
    html = client.get(profile_url(mentor_membership)).content.decode()
    assert "<p>Not taking new mentees right now</p>" in html
    assert "Not taking new mentees right now" in client.get(directory_url).content.decode()
    mentor_membership.max_ongoing_mentees = 3  # the mentor's own limit wins
    mentor_membership.save()
    assert (
        "<p>Taking new mentees</p>" in client.get(profile_url(mentor_membership)).content.decode()
    )


def test_profile_offers_connect_with_a_labelled_message_field(client, mentor_membership, mentee):
    client.force_login(mentee)
    html = client.get(profile_url(mentor_membership)).content.decode()
    assert "Amara Okafor" in html and "Engineering lead" in html
    assert ">Connect</button>" in html
    assert '<label for="id_message">Message to the mentor</label>' in html
    assert html.count("<h1>") == 1


@pytest.mark.parametrize(
    ("setup", "sentence"),
    [
        ("full", "isn&#x27;t taking on new ongoing mentees right now."),
        ("pending", "Your request to Amara Okafor is waiting for an answer."),
        ("connected", "You&#x27;re already connected with Amara Okafor."),
        ("ongoing_off", "This program doesn&#x27;t offer ongoing mentoring right now."),
        ("mentor_viewer", "Only mentees of this program can ask for ongoing mentoring."),
        ("own", "This is your own profile."),
        ("mentee_limit", "You already have 2 ongoing mentors, the most this program allows."),
    ],
)
def test_profile_says_in_one_sentence_why_connect_is_not_possible(
    client, ongoing_program, mentor_membership, mentee, setup, sentence
):
    mentor = mentor_membership.user
    viewer = mentee
    if setup == "full":
        mentor_membership.max_ongoing_mentees = 0
        mentor_membership.save()
    elif setup == "pending":
        ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    elif setup == "connected":
        ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    elif setup == "ongoing_off":
        configure(ongoing_program, ongoing_enabled=False)
    elif setup == "mentor_viewer":
        viewer = MentorMembershipFactory(program=ongoing_program).user
    elif setup == "own":
        viewer = mentor
    elif setup == "mentee_limit":
        for _ in range(2):
            ConnectionFactory(
                program=ongoing_program,
                mentor=MentorMembershipFactory(program=ongoing_program).user,
                mentee=mentee,
            )
    client.force_login(viewer)
    html = client.get(profile_url(mentor_membership)).content.decode()
    assert sentence in html
    assert ">Connect</button>" not in html


def test_connect_sends_the_request_and_leads_to_the_mentees_requests(
    client, mentor_membership, mentee, django_capture_on_commit_callbacks
):
    client.force_login(mentee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(connect_url(mentor_membership), {"message": "Hello Amara!"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:requests_sent")
    html = client.get(response["Location"]).content.decode()
    assert "Your request was sent to Amara Okafor" in html
    assert "Waiting for an answer" in html
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [mentor_membership.user.email]


def test_connect_without_a_message_shows_the_error_beside_the_field(
    client, mentor_membership, mentee
):
    client.force_login(mentee)
    response = client.post(connect_url(mentor_membership), {"message": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<span class="field-error">Write a short message to the mentor.</span>' in html
    assert not ConnectionRequest.objects.exists()


def test_connect_to_a_full_mentor_is_a_readable_409(client, mentor_membership, mentee):
    mentor_membership.max_ongoing_mentees = 0
    mentor_membership.save()
    client.force_login(mentee)
    response = client.post(connect_url(mentor_membership), {"message": "Hello"})
    assert response.status_code == 409
    assert "Amara Okafor isn&#x27;t taking on new ongoing mentees right now." in (
        response.content.decode()
    )


def test_double_submit_of_a_request_makes_one_row_and_one_email(
    client, mentor_membership, mentee, django_capture_on_commit_callbacks
):
    client.force_login(mentee)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(connect_url(mentor_membership), {"message": "Hello"})
        second = client.post(connect_url(mentor_membership), {"message": "Hello"})
    assert first.status_code == 302 and second.status_code == 409
    assert "is waiting for an answer" in second.content.decode()
    assert ConnectionRequest.objects.count() == 1
    assert len(mail.outbox) == 1


def test_double_submit_of_an_accept_makes_one_connection_and_one_email(
    client, ongoing_program, mentor, mentee, django_capture_on_commit_callbacks
):
    request = ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    client.force_login(mentor)
    url = reverse("portal:request_accept", args=[request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
        second = client.post(url)
    assert first.status_code == 302 and second.status_code == 409
    assert "already accepted" in second.content.decode()
    assert Connection.objects.count() == 1
    assert len(mail.outbox) == 1


# --- Requests pages ---------------------------------------------------------------------------


def test_mentor_sees_pending_requests_with_messages_and_answers_them(
    client, ongoing_program, mentor, mentee, other_mentee
):
    first = ConnectionRequestFactory(
        program=ongoing_program, mentor=mentor, mentee=mentee, message="I want to grow."
    )
    second = ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=other_mentee)
    client.force_login(mentor)
    html = client.get(reverse("portal:requests_received")).content.decode()
    assert "I want to grow." in html
    assert "Accept Elif Demir" in html and "Decline Farid Haddad" in html
    for reason in ("Not the right match", "Reached my limit", "Busy at this time", "Other"):
        assert reason in html
    assert f'<label for="id_decline_{first.pk}_reason">' in html

    response = client.post(
        reverse("portal:request_decline", args=[second.pk]), {"reason": "", "note": ""}
    )
    assert response.status_code == 400
    assert "Choose a reason for declining." in response.content.decode()

    response = client.post(
        reverse("portal:request_decline", args=[second.pk]),
        {"reason": "not_right_match", "note": "Try Bruno"},
    )
    assert response.status_code == 302
    assert client.post(reverse("portal:request_accept", args=[first.pk])).status_code == 302
    html = client.get(reverse("portal:requests_received")).content.decode()
    assert "No requests are waiting for you." in html
    assert "Not the right match" in html and "Accepted" in html


def test_mentee_sees_states_and_withdraws_while_pending(client, ongoing_program, mentor, mentee):
    declined = ConnectionRequestFactory(
        program=ongoing_program,
        mentor=MentorMembershipFactory(program=ongoing_program).user,
        mentee=mentee,
        status="declined",
        decline_reason="busy",
        decline_note="Next term!",
    )
    pending = ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    client.force_login(mentee)
    html = client.get(reverse("portal:requests_sent")).content.decode()
    assert "Declined: Busy at this time" in html and "Next term!" in html
    assert "Withdraw request to Amara Okafor" in html
    assert f'action="{reverse("portal:request_withdraw", args=[declined.pk])}"' not in html
    response = client.post(reverse("portal:request_withdraw", args=[pending.pk]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "withdrawn"
    again = client.post(reverse("portal:request_withdraw", args=[pending.pk]))
    assert again.status_code == 409
    assert "already withdrawn" in again.content.decode()


@pytest.mark.parametrize(
    "action, status",
    [
        (action, status)
        for action in ("accept", "decline")
        for status in ("withdrawn", "accepted", "declined", "expired", "closed")
        if (action, status) != ("accept", "accepted")  # a double submit: its own test above
    ],
)
def test_answering_an_answered_request_is_a_readable_409(
    client, ongoing_program, mentor, mentee, action, status
):
    request = ConnectionRequestFactory(
        program=ongoing_program, mentor=mentor, mentee=mentee, status=status
    )
    client.force_login(mentor)
    response = client.post(
        reverse(f"portal:request_{action}", args=[request.pk]),
        {"reason": ConnectionRequest.DeclineReason.BUSY, "note": ""},
    )
    assert response.status_code == 409
    assert f"already {status}" in response.content.decode()
    request.refresh_from_db()
    assert request.status == status


@pytest.mark.parametrize(
    "name",
    [
        "portal:connect",
        "portal:request_accept",
        "portal:request_decline",
        "portal:request_withdraw",
        "portal:connection_end",
        "portal:preferred_add",
        "portal:preferred_remove",
        "portal:preferred_move",
    ],
)
def test_actions_refuse_get(client, mentee, name):
    client.force_login(mentee)
    args = ["ongoing", 1] if name in ("portal:connect", "portal:preferred_add") else [1]
    assert client.get(reverse(name, args=args)).status_code == 405


def test_actions_need_csrf(ongoing_program, mentor, mentee):
    from django.test import Client

    request = ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor)
    assert client.post(reverse("portal:request_accept", args=[request.pk])).status_code == 403


# --- IDOR ----------------------------------------------------------------------------------


@pytest.fixture
def objects(ongoing_program, mentor, mentee):
    configure(ongoing_program, preferred_mentoring_enabled=False)
    return {
        "request": ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=mentee),
        "connection": ConnectionFactory(
            program=ongoing_program,
            mentor=mentor,
            mentee=make_mentee(ongoing_program),
        ),
        "preferred": PreferredMentorFactory(program=ongoing_program, mentor=mentor, mentee=mentee),
    }


IDOR_CASES = [
    ("post", "portal:request_accept", "request", {}),
    ("post", "portal:request_decline", "request", {"reason": "other"}),
    ("post", "portal:request_withdraw", "request", {}),
    ("get", "portal:connection_detail", "connection", {}),
    ("post", "portal:connection_end", "connection", {"reason": "bye"}),
    ("post", "portal:preferred_remove", "preferred", {}),
    ("post", "portal:preferred_move", "preferred", {"direction": "up"}),
]


@pytest.mark.parametrize("intruder_role", ["mentee", "mentor"])
@pytest.mark.parametrize(("method", "name", "target", "data"), IDOR_CASES)
def test_other_people_get_404_on_every_request_and_connection_url(
    client, ongoing_program, objects, intruder_role, method, name, target, data
):
    intruder = MembershipFactory(program=ongoing_program, role=intruder_role).user
    client.force_login(intruder)
    url = reverse(name, args=[objects[target].pk])
    response = getattr(client, method)(url, data)
    assert response.status_code == 404, (name, intruder_role)
    assert ConnectionRequest.objects.get(pk=objects["request"].pk).status == "pending"
    assert Connection.objects.get(pk=objects["connection"].pk).status == "active"


def test_the_wrong_side_of_a_request_gets_404_too(client, objects, mentor, mentee):
    client.force_login(mentee)  # the mentee cannot accept their own request
    url = reverse("portal:request_accept", args=[objects["request"].pk])
    assert client.post(url).status_code == 404
    client.force_login(mentor)  # the mentor cannot withdraw it
    url = reverse("portal:request_withdraw", args=[objects["request"].pk])
    assert client.post(url).status_code == 404


# --- Connections and dashboard -------------------------------------------------------------


def test_both_dashboards_show_the_connection_and_either_side_can_end_it(
    client, ongoing_program, mentor, mentee, django_capture_on_commit_callbacks
):
    connection = ConnectionFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    client.force_login(mentee)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Your mentors" in html and "Amara Okafor" in html
    client.force_login(mentor)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Your mentees" in html and "Elif Demir" in html

    detail = reverse("portal:connection_detail", args=[connection.pk])
    html = client.get(detail).content.decode()
    assert '<label for="id_reason">Why does the connection end?</label>' in html
    end = reverse("portal:connection_end", args=[connection.pk])
    assert client.post(end, {"reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(end, {"reason": "Goal reached"}).status_code == 302
    assert client.post(end, {"reason": "Again"}).status_code == 409
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "No ongoing mentees yet." in html
    assert [m.to for m in mail.outbox] == [[mentee.email]]


# --- Preferred Mentoring --------------------------------------------------------------------


def test_preferred_mentoring_profile_offers_the_list_instead_of_connect(
    client, ongoing_program, mentor_membership, mentee, other_mentor
):
    configure(ongoing_program, preferred_mentoring_enabled=True)
    client.force_login(mentee)
    html = client.get(profile_url(mentor_membership)).content.decode()
    assert ">Connect</button>" not in html
    assert "Add to my preferred mentors" in html
    response = client.post(reverse("portal:preferred_add", args=["ongoing", mentor_membership.pk]))
    assert response.status_code == 302
    other = Membership.objects.get(user=other_mentor)
    client.post(reverse("portal:preferred_add", args=["ongoing", other.pk]))
    listing = reverse("portal:preferred_list", args=["ongoing"])
    html = client.get(listing).content.decode()
    assert html.index("Amara Okafor") < html.index("Bruno Costa")
    second = PreferredMentor.objects.get(mentor=other_mentor)
    client.post(reverse("portal:preferred_move", args=[second.pk]), {"direction": "up"})
    html = client.get(listing).content.decode()
    assert html.index("Bruno Costa") < html.index("Amara Okafor")
    client.post(reverse("portal:preferred_remove", args=[second.pk]))
    assert list(PreferredMentor.objects.values_list("mentor", "rank")) == [
        (mentor_membership.user_id, 1)
    ]
    # Mentees cannot send requests in Preferred Mentoring programs.
    response = client.post(connect_url(mentor_membership), {"message": "Hi"})
    assert response.status_code == 403


def test_preferred_list_is_404_outside_preferred_programs(client, mentee):
    client.force_login(mentee)
    response = client.get(reverse("portal:preferred_list", args=["ongoing"]))
    assert response.status_code == 404


def test_the_profile_shows_the_flash_meetings_section(client, mentor_membership, mentee):
    client.force_login(mentee)
    response = client.get(profile_url(mentor_membership))
    assert response.context["flash_meetings"].mentor_membership == mentor_membership
    assert 'id="flash-meetings-heading"' in response.content.decode()


def test_no_notification_rows_for_refused_actions(client, mentor_membership, mentee):
    mentor_membership.max_ongoing_mentees = 0
    mentor_membership.save()
    client.force_login(mentee)
    client.post(connect_url(mentor_membership), {"message": "Hello"})
    assert not Notification.objects.exists()
