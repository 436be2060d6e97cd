"""A program's admin page lists its members; what it changes goes through matching's
participation services, as a membership's own page and the API do: the same rules, the
same lock and a line in the membership's change history."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from matching import services
from matching.admin import programs
from matching.errors import ParticipationRefused
from matching.models import MembershipChange
from mentoring.services import program_administrator_add
from tests.admin_scoping.forms import admin_form_data
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def program_page(program) -> str:
    return reverse("admin:mentoring_program_change", args=[program.pk])


def posted(admin_client, program, **rows) -> dict:
    """The page's form as a browser sends it, with ``rows`` changed."""
    data = admin_form_data(admin_client.get(program_page(program)).content.decode(), "program")
    data |= rows
    return {name: value for name, value in data.items() if value}


def new_row(index: int, person, role: str) -> dict:
    """A row added to the members' table (``index`` after the saved ones), active."""
    return {
        "memberships-TOTAL_FORMS": [str(index + 1)],
        f"memberships-{index}-user": [str(person.pk)],
        f"memberships-{index}-role": [role],
        f"memberships-{index}-active": ["on"],
    }


def test_switching_a_member_off_is_in_the_memberships_history(admin_client, superuser, program):
    member = MembershipFactory(program=program, role="mentor", active=True)
    response = admin_client.post(
        program_page(program), posted(admin_client, program, **{"memberships-0-active": []})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.active is False
    change = MembershipChange.objects.get(membership=member)
    assert change.changed_by == superuser
    assert change.changes["active"]["old"] == "on"
    assert change.changes["active"]["new"] == "off"


def test_a_role_changed_on_the_programs_page_is_in_the_history(admin_client, program):
    member = MembershipFactory(program=program, role="mentee")
    response = admin_client.post(
        program_page(program), posted(admin_client, program, **{"memberships-0-role": ["mentor"]})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.role == "mentor"
    assert set(MembershipChange.objects.get(membership=member).changes) == {"role"}


def test_saving_the_page_unchanged_writes_no_history(admin_client, program):
    member = MembershipFactory(program=program)
    response = admin_client.post(program_page(program), posted(admin_client, program))
    assert response.status_code == 302
    assert not MembershipChange.objects.filter(membership=member).exists()


def test_a_member_added_on_the_programs_page_goes_through_the_create_service(
    admin_client, program, monkeypatch
):
    newcomer = UserFactory(display_name="New Person")
    created = []
    create = services.membership_create

    def recording_create(**kwargs):
        created.append(kwargs)
        return create(**kwargs)

    monkeypatch.setattr(services, "membership_create", recording_create)
    response = admin_client.post(
        program_page(program), posted(admin_client, program, **new_row(0, newcomer, "mentee"))
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [(call["user"], call["role"], call["details"]) for call in created] == [
        (newcomer, "mentee", {"active": True})
    ]
    assert program.memberships.get(user=newcomer).active is True


def test_a_refusal_under_the_lock_undoes_the_whole_save_and_says_why(
    admin_client, program, monkeypatch
):
    """The form's check passed, then the service refused (something landed in between):
    nothing of the save stays, the page says why, no 500."""
    member = MembershipFactory(program=program, role="mentor", active=True)
    newcomer = UserFactory()

    def refuse(**kwargs):
        raise ParticipationRefused("Something changed in the meantime.", field="active")

    monkeypatch.setattr(services, "membership_update", refuse)
    response = admin_client.post(
        program_page(program),
        posted(
            admin_client,
            program,
            **{"name": ["Renamed"], "memberships-0-active": []},
            **new_row(1, newcomer, "mentee"),
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == program_page(program)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Something changed in the meantime."
    ]
    program.refresh_from_db()
    member.refresh_from_db()
    assert program.name != "Renamed"
    assert member.active is True
    assert not program.memberships.filter(user=newcomer).exists()


def test_the_program_list_counts_each_programs_members_and_links_to_them(admin_client, program):
    MembershipFactory.create_batch(3, program=program)
    page = admin_client.get(reverse("admin:mentoring_program_changelist")).content.decode()
    members = reverse("admin:mentoring_membership_changelist")
    assert f'<a href="{members}?program__id__exact={program.pk}">3 members</a>' in page


def test_a_large_programs_page_links_to_its_members_instead_of_listing_them(
    admin_client, program, monkeypatch
):
    """11,000 members made a page of 17 MB that took 21 s: above a limit the page names
    the count and sends the admin to the list of members (search, filters, pages)."""
    monkeypatch.setattr(programs, "MEMBERS_LISTED_UP_TO", 3)
    MembershipFactory.create_batch(3, program=program)
    listed = admin_client.get(program_page(program)).content.decode()
    assert 'id="memberships-group"' in listed
    assert "Too many to list" not in listed

    MembershipFactory(program=program)
    page = admin_client.get(program_page(program)).content.decode()
    assert 'id="memberships-group"' not in page
    members = reverse("admin:mentoring_membership_changelist")
    assert f'<a href="{members}?program__id__exact={program.pk}">4 members</a>' in page
    assert "Too many to list on this page: find, add and change them in the list of members." in (
        page
    )
    # Saving the page's own fields still works without the members' forms.
    response = admin_client.post(program_page(program), posted(admin_client, program))
    assert response.status_code == 302, response.content.decode()[:2000]
    follow = admin_client.get(f"{members}?program__id__exact={program.pk}").content.decode()
    assert "4 memberships" in follow


def test_a_program_admin_switches_a_member_off_on_their_programs_page(client, program):
    """The program team's own admins (not superusers) go through the same service."""
    runner = UserFactory(username="runner")
    program_administrator_add(program=program, user=runner)
    member = MembershipFactory(program=program, role="mentee", active=True)
    client.force_login(runner)
    page = client.get(program_page(program)).content.decode()
    assert "memberships-0-DELETE" not in page  # program admins do not delete memberships
    response = client.post(
        program_page(program), posted(client, program, **{"memberships-0-active": []})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.active is False
    assert MembershipChange.objects.get(membership=member).changed_by == runner
