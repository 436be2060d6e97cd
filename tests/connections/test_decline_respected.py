"""A mentor's no is respected (issue 14) at the Connect button: for the program's cool-off
after a mentor declined a mentee's request, the profile shows no Connect button but one
kind sentence (never the mentor's reason or note), and a Connect POST is refused with the
same sentence and the code ``mentor_declined``."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import ConnectionRequest
from mentoring.errors import DomainError
from tests.connections.conftest import configure
from tests.connections.factories import ConnectionRequestFactory
from tests.connections.test_views import connect_url, profile_url

pytestmark = pytest.mark.django_db

KIND = (
    "Amara Okafor can't offer you ongoing mentoring at the moment. Other mentors in this "
    "program may be a good fit for you."
)
KIND_HTML = KIND.replace("'", "&#x27;")
NOTE = "Honestly your goals are not a fit for me"
CONNECT_BUTTON = ">Connect</button>"


def declined_on_the_site(client, ongoing_program, mentor, mentee) -> ConnectionRequest:
    """The mentee sends a request from the profile, the mentor declines it on their page."""
    request = ConnectionRequestFactory(program=ongoing_program, mentor=mentor, mentee=mentee)
    client.force_login(mentor)
    response = client.post(
        reverse("portal:request_decline", args=[request.pk]),
        {"reason": "not_right_match", "note": NOTE},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "declined" and request.responded_at is not None
    return request


def test_the_profile_shows_the_sentence_and_no_connect_button(
    client, ongoing_program, mentor_membership, mentee
):
    declined_on_the_site(client, ongoing_program, mentor_membership.user, mentee)
    client.force_login(mentee)
    html = client.get(profile_url(mentor_membership)).content.decode()
    assert KIND_HTML in html
    assert CONNECT_BUTTON not in html
    assert NOTE not in html and "Not the right match" not in html


def test_a_connect_post_is_refused_with_the_sentence(
    client, ongoing_program, mentor_membership, mentee
):
    declined_on_the_site(client, ongoing_program, mentor_membership.user, mentee)
    client.force_login(mentee)
    response = client.post(connect_url(mentor_membership), {"message": "Please, once more?"})
    assert response.status_code == 409
    html = response.content.decode()
    assert KIND_HTML in html and NOTE not in html
    assert not ConnectionRequest.objects.filter(status="pending").exists()


def test_the_service_refuses_with_the_code(ongoing_program, mentor_membership, mentee):
    mentor = mentor_membership.user
    request = services.connection_request_create(
        program=ongoing_program, mentor=mentor, mentee=mentee, message="Hello"
    )
    services.connection_request_decline(request=request, actor=mentor, reason="busy", note=NOTE)
    with pytest.raises(DomainError) as refused:
        services.connection_request_create(
            program=ongoing_program, mentor=mentor, mentee=mentee, message="Hello again"
        )
    assert refused.value.code == "mentor_declined"
    assert refused.value.message == KIND


def test_the_mentor_not_offering_ongoing_is_said_first(
    client, ongoing_program, mentor_membership, mentee
):
    declined_on_the_site(client, ongoing_program, mentor_membership.user, mentee)
    configure(ongoing_program, mentors_choose_modes=True)
    mentor_membership.offers_ongoing = False
    mentor_membership.save()
    client.force_login(mentee)
    html = client.get(profile_url(mentor_membership)).content.decode()
    assert "Amara Okafor offers one-time meetings only." in html and KIND_HTML not in html


def test_a_full_mentor_who_declined_says_the_kind_sentence(
    client, ongoing_program, mentor_membership, mentee
):
    declined_on_the_site(client, ongoing_program, mentor_membership.user, mentee)
    mentor_membership.max_ongoing_mentees = 0
    mentor_membership.save()
    client.force_login(mentee)
    html = client.get(profile_url(mentor_membership)).content.decode()
    assert KIND_HTML in html and CONNECT_BUTTON not in html


@pytest.mark.parametrize("status", ["withdrawn", "expired", "closed"])
def test_other_endings_of_a_request_do_not_count(
    client, ongoing_program, mentor_membership, mentee, status
):
    ConnectionRequestFactory(
        program=ongoing_program,
        mentor=mentor_membership.user,
        mentee=mentee,
        status=status,
        responded_at=timezone.now(),
    )
    client.force_login(mentee)
    assert CONNECT_BUTTON in client.get(profile_url(mentor_membership)).content.decode()


def test_connect_is_back_after_the_cool_off_or_when_it_is_off(
    client, ongoing_program, mentor_membership, mentee
):
    request = declined_on_the_site(client, ongoing_program, mentor_membership.user, mentee)
    configure(ongoing_program, decline_cooldown_days=14)
    client.force_login(mentee)
    assert CONNECT_BUTTON not in client.get(profile_url(mentor_membership)).content.decode()
    ConnectionRequest.objects.filter(pk=request.pk).update(
        responded_at=timezone.now() - timedelta(days=15)
    )
    assert CONNECT_BUTTON in client.get(profile_url(mentor_membership)).content.decode()
    ConnectionRequest.objects.filter(pk=request.pk).update(responded_at=timezone.now())
    assert CONNECT_BUTTON not in client.get(profile_url(mentor_membership)).content.decode()
    configure(ongoing_program, decline_cooldown_days=0)
    assert CONNECT_BUTTON in client.get(profile_url(mentor_membership)).content.decode()
    response = client.post(connect_url(mentor_membership), {"message": "Hello again"})
    assert response.status_code == 302


def test_only_the_mentee_who_was_declined_is_held_back(
    client, ongoing_program, mentor_membership, mentee, other_mentee
):
    declined_on_the_site(client, ongoing_program, mentor_membership.user, mentee)
    client.force_login(other_mentee)
    assert CONNECT_BUTTON in client.get(profile_url(mentor_membership)).content.decode()
