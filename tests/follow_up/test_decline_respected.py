"""A mentor's no is respected (issue 14): after a mentor declines a mentee's request, the
follow-up of an ended flash meeting with that mentor offers no "yes" for the program's
cool-off, says why kindly (never the mentor's reason or note), and a "yes" posted from a
page loaded before the decline is refused, under both policies."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from flash_meetings.services import follow_up_answer
from matching import services
from matching.models import Connection, ConnectionRequest
from mentoring.errors import DomainError
from tests.follow_up.conftest import FORCED, REQUEST, make_setup
from tests.follow_up.test_follow_up_page import (
    DID_NOT_HAPPEN,
    NO_THANKS,
    YES_CONNECT,
    YES_REQUEST,
    answer,
    page,
    url,
)

pytestmark = pytest.mark.django_db

KIND = (
    "Amara Okafor can&#x27;t offer you ongoing mentoring at the moment. Other mentors in "
    "this program may be a good fit for you."
)
NOTE = "Honestly your goals are not a fit for me"
YES = {FORCED: YES_CONNECT, REQUEST: YES_REQUEST}


def decline_a_request(setup, *, days_ago: float = 0) -> ConnectionRequest:
    """The mentee asks through the Connect button's service; the mentor declines it."""
    request = services.connection_request_create(
        program=setup.program, mentor=setup.mentor, mentee=setup.mentee, message="Hello Amara"
    )
    declined = services.connection_request_decline(
        request=request, actor=setup.mentor, reason="not_right_match", note=NOTE
    )
    if days_ago:
        ConnectionRequest.objects.filter(pk=declined.pk).update(
            responded_at=timezone.now() - timedelta(days=days_ago)
        )
    return declined


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_the_follow_up_offers_no_yes_after_a_decline_and_says_why_kindly(client, policy):
    setup = make_setup(policy, mentor_limit=3)
    assert YES[policy].search(page(client, setup))
    decline_a_request(setup)

    html = page(client, setup)

    assert not YES[policy].search(html)
    assert NO_THANKS.search(html) and DID_NOT_HAPPEN.search(html)
    assert KIND in html
    assert NOTE not in html and "Not the right match" not in html


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_a_yes_from_a_page_loaded_before_the_decline_is_refused(client, policy):
    setup = make_setup(policy, mentor_limit=3)
    page(client, setup)  # offers "yes"
    decline_a_request(setup)

    response = answer(client, setup, "connect", policy=policy)

    assert response.status_code == 302 and response["Location"] == url(setup.meeting)
    assert not Connection.objects.exists()
    assert not ConnectionRequest.objects.filter(status="pending").exists()
    html = client.get(response["Location"]).content.decode()
    assert KIND in html and NOTE not in html
    assert not YES[policy].search(html) and NO_THANKS.search(html)
    setup.meeting.refresh_from_db()
    assert setup.meeting.follow_up_choice == ""


def test_no_thanks_after_a_decline_records_the_reason(client):
    setup = make_setup(FORCED, mentor_limit=3)
    decline_a_request(setup)
    answer(client, setup, "no_thanks")
    setup.meeting.refresh_from_db()
    assert setup.meeting.follow_up_offer_shown is False
    assert setup.meeting.follow_up_offer_reason == "mentor_declined"


@pytest.mark.parametrize("policy", [FORCED, REQUEST])
def test_the_offer_is_back_once_the_cool_off_is_over_or_off(client, policy):
    setup = make_setup(policy, mentor_limit=3, decline_cooldown_days=30)
    decline_a_request(setup, days_ago=31)
    assert YES[policy].search(page(client, setup))
    decline_a_request(setup, days_ago=2)
    assert not YES[policy].search(page(client, setup))
    setup.settings.decline_cooldown_days = 0
    setup.settings.save()
    assert YES[policy].search(page(client, setup))


def test_the_forced_connection_itself_respects_the_decline_under_the_pairs_lock():
    """The last line: even when the follow-up's own check ran before the decline (the
    request made and declined in between), the connection is refused, with the same
    kind sentence."""
    setup = make_setup(FORCED, mentor_limit=3)
    decline_a_request(setup)
    with pytest.raises(DomainError) as refused:
        services.connection_create(
            program=setup.program,
            mentor=setup.mentor,
            mentee=setup.mentee,
            origin=Connection.Origin.FLASH_MEETING,
            flash_meeting=setup.meeting,
            actor=setup.mentee,
        )
    assert refused.value.code == "mentor_declined"
    assert refused.value.message == KIND.replace("&#x27;", "'")


def test_the_program_team_may_still_connect_them():
    setup = make_setup(FORCED, mentor_limit=3)
    decline_a_request(setup)
    connection = services.connection_create(
        program=setup.program,
        mentor=setup.mentor,
        mentee=setup.mentee,
        origin=Connection.Origin.ADMIN,
    )
    assert connection.status == "active"


def test_the_answer_service_refuses_with_the_sentence():
    setup = make_setup(REQUEST, mentor_limit=3)
    decline_a_request(setup)
    meeting = FlashMeeting.objects.get(pk=setup.meeting.pk)
    with pytest.raises(DomainError) as refused:
        follow_up_answer(meeting=meeting, actor=setup.mentee, choice="connect")
    assert refused.value.message == KIND.replace("&#x27;", "'")
    assert ConnectionRequest.objects.get().status == "declined"


# --- The admin's readout ------------------------------------------------------------------


def test_the_admin_readout_names_the_decline_with_its_date_and_the_cool_off(admin_client):
    setup = make_setup(FORCED, mentor_limit=3, decline_cooldown_days=45)
    decline_a_request(setup)
    response = admin_client.get(
        reverse("admin:flash_meetings_flashmeeting_change", args=[setup.meeting.pk])
    )
    html = response.content.decode()
    assert (
        "The mentor declined the mentee&#x27;s request within the cool-off (mentor_declined)"
        in (html)
    )
    assert "the program&#x27;s cool-off is 45 days" in html
    assert "Declined on " in html
    assert KIND in html  # what the mentee reads
    assert NOTE not in html  # not needed to explain it
