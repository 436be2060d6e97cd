"""My participation: one page per program for the signed-in person (portal:participation),
a form per membership they hold there, every refusal a field error or a message."""

from datetime import UTC, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import ConnectionRequest, MembershipChange
from mentoring.dates import latest_for_people
from mentoring.models import Membership
from mentoring.when import day
from tests.connections.conftest import configure
from tests.connections.factories import ConnectionRequestFactory
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(db):
    program = ProgramFactory(slug="harbour", name="Harbour Program")
    configure(
        program,
        ongoing_enabled=True,
        one_time_enabled=True,
        mentors_choose_modes=True,
        default_max_ongoing_mentees=3,
        mentor_max_ongoing_mentees=5,
        mentor_max_flash_meetings_per_month=6,
    )
    return program


@pytest.fixture
def mentor(program):
    return MentorMembershipFactory(
        program=program, user__display_name="Amara Okafor", max_ongoing_mentees=2
    )


def _url(program, role: str = "") -> str:
    return reverse(f"portal:participation{'_' + role if role else ''}", args=[program.slug])


def _mentor_data(**overrides) -> dict:
    data = {
        "modes": "both",
        "max_ongoing_mentees": "2",
        "max_flash_meetings_per_month": "4",
        "paused_until": "",
        "headline": "Mentor",
        "bio": "",
        "expertise": "python, careers",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_page_shows_the_mentors_terms_and_the_rules_before_saving(client, mentor, program):
    client.force_login(mentor.user)
    page = client.get(_url(program)).content.decode()
    assert "Your participation" in page and "As a mentor" in page and "As a mentee" not in page
    assert "One-time meetings only" in page  # the modes, as the program lets mentors choose
    assert "From 0 to 5" in page and "From 0 to 6" in page  # the program's bounds
    assert 'value="2"' in page and 'value="both" id="id_modes_0" required checked' in page
    assert "stay open if you stop offering ongoing mentoring" in page
    assert "keeps your current mentees and the requests waiting for you" in page


def test_saving_changes_them_and_records_who(client, mentor, program):
    client.force_login(mentor.user)
    response = client.post(
        _url(program, "mentor"), _mentor_data(modes="one_time", max_ongoing_mentees="1")
    )
    assert response.status_code == 302 and response["Location"].endswith("#as-mentor")
    mentor.refresh_from_db()
    assert (mentor.offers_ongoing, mentor.offers_one_time, mentor.max_ongoing_mentees) == (
        False,
        True,
        1,
    )
    change = MembershipChange.objects.get()
    assert change.changed_by == mentor.user
    assert set(change.changes) == {"offers_ongoing", "max_ongoing_mentees"}
    assert "Your changes are saved." in client.get(_url(program)).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"max_ongoing_mentees": "6"}, "max_ongoing_mentees"),
        ({"max_ongoing_mentees": "-1"}, "max_ongoing_mentees"),
        ({"max_ongoing_mentees": "abc"}, "max_ongoing_mentees"),
        ({"max_flash_meetings_per_month": "7"}, "max_flash_meetings_per_month"),
        ({"max_flash_meetings_per_month": ""}, "max_flash_meetings_per_month"),
        ({"max_flash_meetings_per_month": str(2**70)}, "max_flash_meetings_per_month"),
        ({"paused_until": "2001-01-01"}, "paused_until"),
        ({"paused_until": "2026-02-30"}, "paused_until"),
        ({"modes": "never"}, "modes"),
        ({"modes": None}, "modes"),
        ({"headline": "x" * 201}, "headline"),
    ],
)
def test_bad_values_are_field_errors_and_change_nothing(client, mentor, program, data, field):
    client.force_login(mentor.user)
    response = client.post(_url(program, "mentor"), _mentor_data(**data))
    assert response.status_code == 400
    assert field in response.context["mentor_form"].errors
    assert 'class="field-error"' in response.content.decode()
    assert not MembershipChange.objects.exists()


def test_a_pause_is_checked_as_the_service_checks_it_only_when_it_changes(client, mentor, program):
    """A pause date set before the two-year bound (here, straight in the database) does
    not stop the mentor from saving other fields; a new date past it is refused beside
    its field, in the service's words."""
    today = timezone.now().astimezone(UTC).date()
    far = latest_for_people(today) + timedelta(days=30)
    Membership.objects.filter(pk=mentor.pk).update(paused_until=far)
    client.force_login(mentor.user)
    kept = client.post(
        _url(program, "mentor"), _mentor_data(paused_until=far.isoformat(), headline="New")
    )
    assert kept.status_code == 302
    mentor.refresh_from_db()
    assert (mentor.headline, mentor.paused_until) == ("New", far)
    moved = client.post(
        _url(program, "mentor"),
        _mentor_data(paused_until=(far + timedelta(days=1)).isoformat(), headline="New"),
    )
    assert moved.status_code == 400
    assert moved.context["mentor_form"].errors["paused_until"] == [
        f"Choose a date at most two years ahead (until {day(latest_for_people(today))})."
    ]


def test_modes_are_not_offered_where_the_program_decides_them_and_a_crafted_post_is_refused(
    client, mentor, program
):
    configure(program, mentors_choose_modes=False)
    client.force_login(mentor.user)
    assert "One-time meetings only" not in client.get(_url(program)).content.decode()
    response = client.post(_url(program, "mentor"), _mentor_data(modes="one_time"))
    assert response.status_code == 403
    assert "program team decides which kinds of mentoring" in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.offers_ongoing and not MembershipChange.objects.exists()
    # The other fields still save without it.
    response = client.post(_url(program, "mentor"), _mentor_data(modes=None, headline="Lead"))
    assert response.status_code == 302


def test_the_service_refuses_what_the_form_let_through(client, mentor, program, monkeypatch):
    """The bounds are the service's: a form that knew no cap still gets the refusal, as
    a field error."""
    monkeypatch.setattr(
        "portal.views.participation.capacity",
        SimpleNamespace(
            mentor_limit_ceilings=lambda settings: dict.fromkeys(
                ("max_ongoing_mentees", "max_flash_meetings_per_month"), 999
            )
        ),
    )
    client.force_login(mentor.user)
    response = client.post(_url(program, "mentor"), _mentor_data(max_ongoing_mentees="50"))
    assert response.status_code == 400
    assert response.context["mentor_form"].errors["max_ongoing_mentees"] == [
        "Choose a number from 0 to 5."
    ]
    mentor.refresh_from_db()
    assert mentor.max_ongoing_mentees == 2


def test_a_mentee_writes_what_they_hope_to_get_and_mentors_read_it_with_requests(
    client, mentor, program
):
    mentee = MembershipFactory(program=program, user__display_name="Elif Demir")
    client.force_login(mentee.user)
    page = client.get(_url(program)).content.decode()
    assert "As a mentee" in page and "As a mentor" not in page
    assert "Ongoing mentors at a time" in page  # their limits, read-only
    response = client.post(_url(program, "mentee"), {"goals": "Grow into a team lead role."})
    assert response.status_code == 302
    assert client.post(_url(program, "mentee"), {"goals": "x" * 1001}).status_code == 400
    ConnectionRequestFactory(program=program, mentor=mentor.user, mentee=mentee.user)

    client.force_login(mentor.user)
    page = client.get(reverse("portal:requests_received")).content.decode()
    assert "What Elif Demir hopes to get from the program" in page
    assert "Grow into a team lead role." in page


def test_someone_with_both_roles_sees_both_sections(client, mentor, program):
    MembershipFactory(program=program, user=mentor.user, role=Membership.Role.MENTEE)
    client.force_login(mentor.user)
    page = client.get(_url(program)).content.decode()
    assert "As a mentor" in page and "As a mentee" in page


def test_not_a_member_of_the_program_or_the_wrong_role_is_404(client, mentor, program):
    stranger = MentorMembershipFactory(program=ProgramFactory()).user
    client.force_login(stranger)
    assert client.get(_url(program)).status_code == 404
    assert client.post(_url(program, "mentor"), _mentor_data()).status_code == 404
    client.force_login(mentor.user)
    assert client.post(_url(program, "mentee"), {"goals": "x"}).status_code == 404
    Membership.objects.filter(pk=mentor.pk).update(active=False)
    assert client.get(_url(program)).status_code == 404


def test_the_dashboard_and_the_own_profile_lead_there(client, mentor, program):
    client.force_login(mentor.user)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{_url(program)}#as-mentor"' in page
    assert "Your participation as a mentor" in page
    profile = client.get(reverse("portal:mentor_profile", args=[program.slug, mentor.pk]))
    assert f'href="{_url(program)}#as-mentor"' in profile.content.decode()


def test_a_pause_is_shown_and_a_pending_request_lives_on(client, mentor, program):
    waiting = ConnectionRequestFactory(program=program, mentor=mentor.user)
    until = timezone.now().astimezone(UTC).date() + timedelta(days=14)
    client.force_login(mentor.user)
    response = client.post(
        _url(program, "mentor"), _mentor_data(paused_until=until.isoformat(), modes="one_time")
    )
    assert response.status_code == 302
    page = client.get(_url(program)).content.decode()
    assert f"You are not taking new mentees until {until.day} {until:%B %Y}" in page
    waiting.refresh_from_db()
    assert waiting.status == ConnectionRequest.Status.PENDING
