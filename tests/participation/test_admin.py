"""The membership's admin page: the same rules as the participation page (a form error,
not a 500), saves through the same service, and shows the change history."""

import pytest
from django.urls import reverse

from matching.models import MembershipChange
from tests.connections.conftest import configure
from tests.factories import MentorMembershipFactory

pytestmark = pytest.mark.django_db


def _data(membership, **overrides) -> dict:
    data = {
        "user": membership.user_id,
        "program": membership.program_id,
        "role": membership.role,
        "active": "on",
        "headline": membership.headline,
        "bio": membership.bio,
        "expertise": membership.expertise,
        "max_ongoing_mentees": "",
        "offers_ongoing": "on",
        "offers_one_time": "on",
        "max_flash_meetings_per_month": membership.max_flash_meetings_per_month,
        "paused_until": "",
        "goals": "",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
        "changes-MIN_NUM_FORMS": "0",
        "changes-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_an_admin_change_is_checked_recorded_and_shown(admin_client, superuser, program):
    configure(program, mentor_max_ongoing_mentees=4)
    membership = MentorMembershipFactory(program=program)
    url = reverse("admin:mentoring_membership_change", args=[membership.pk])

    response = admin_client.post(url, _data(membership, max_ongoing_mentees="9"))
    assert response.status_code == 200
    assert "max_ongoing_mentees" in response.context["adminform"].form.errors
    assert not MembershipChange.objects.exists()

    response = admin_client.post(url, _data(membership, max_ongoing_mentees="3"))
    assert response.status_code == 302
    change = MembershipChange.objects.get()
    assert change.changed_by == superuser and change.changes["max_ongoing_mentees"]["new"] == "3"
    page = admin_client.get(url).content.decode()
    assert "Change history" in page and "maximum ongoing mentees: — → 3" in page


def test_a_refusal_under_the_lock_is_a_message_and_changes_nothing(
    admin_client, program, monkeypatch
):
    """The form's check passed, then the rules changed before the service's own check:
    the service's refusal rolls the save back and reads as a message, not a 500."""
    from matching import services

    configure(program, mentor_max_ongoing_mentees=4)
    membership = MentorMembershipFactory(program=program)
    url = reverse("admin:mentoring_membership_change", args=[membership.pk])
    monkeypatch.setattr(services, "membership_check", lambda **kwargs: None)

    response = admin_client.post(
        url, _data(membership, max_ongoing_mentees="9", headline="Changed"), follow=True
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("4" in m for m in messages), messages
    membership.refresh_from_db()
    assert membership.max_ongoing_mentees is None and membership.headline != "Changed"
    assert not MembershipChange.objects.exists()
