"""Navigation and dashboards follow the roles a person holds in their programs.

A mentee sees no mentor pages (requests for them, their meetings as a mentor,
availability), a mentor no mentee pages; a person with both roles sees both, told apart;
staff who take part in no program are shown the way to the program administration. The
roles come with the signed-in person in the one statement every page makes
(``mentoring.queries.user_with_roles``), equal to its ORM version.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentoring import queries
from mentoring.models import Membership, User
from mentoring.roles import role_annotations, roles_of
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

MENTOR_PAGES = (
    "flash_meetings:mentor_meetings",
    "portal:requests_received",
    "flash_meetings:availability",
)
MENTEE_PAGES = ("flash_meetings:my_meetings", "portal:requests_sent")


def nav(html: str) -> str:
    """The main navigation's markup."""
    start = html.index('<nav aria-label="Main">')
    return html[start : html.index("</nav>", start)]


def people():
    program, closed = ProgramFactory(), ProgramFactory(active=False)
    mentee = MembershipFactory(program=program).user
    mentor = MentorMembershipFactory(program=program).user
    both = MentorMembershipFactory(program=program).user
    MembershipFactory(program=program, user=both)
    lapsed = MembershipFactory(program=program, active=False).user
    in_closed_program = MentorMembershipFactory(program=closed).user
    staff = UserFactory(is_staff=True, is_superuser=True)
    return {
        "mentee": (mentee, (False, True)),
        "mentor": (mentor, (True, False)),
        "both": (both, (True, True)),
        "lapsed": (lapsed, (False, False)),
        "in_closed_program": (in_closed_program, (False, False)),
        "staff": (staff, (False, False)),
    }


def test_the_hand_written_read_equals_its_orm_version():
    for name, (user, expected) in people().items():
        loaded = queries.user_with_roles(user_id=user.pk)
        orm = User.objects.annotate(**role_annotations()).get(pk=user.pk)
        assert (loaded.holds_mentor_role, loaded.holds_mentee_role) == expected, name
        assert (orm.holds_mentor_role, orm.holds_mentee_role) == expected, name
        assert {f.attname: getattr(loaded, f.attname) for f in User._meta.concrete_fields} == {
            f.attname: getattr(orm, f.attname) for f in User._meta.concrete_fields
        }
    assert queries.user_with_roles(user_id=10**9) is None


def test_roles_of_a_user_loaded_another_way_costs_one_query(django_assert_num_queries):
    program = ProgramFactory()
    user = MentorMembershipFactory(program=program).user
    plain = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        roles = roles_of(plain)
        assert roles_of(plain) == roles
    assert roles.mentor and not roles.mentee


@pytest.mark.parametrize("who", ["mentee", "mentor", "both", "lapsed", "staff"])
def test_the_navigation_shows_the_pages_of_the_roles_held(client, who):
    user, (is_mentor, is_mentee) = people()[who]
    client.force_login(user)
    links = nav(client.get(reverse("portal:dashboard")).content.decode())
    for name in MENTOR_PAGES:
        assert (f'href="{reverse(name)}"' in links) == is_mentor, (who, name)
    for name in MENTEE_PAGES:
        assert (f'href="{reverse(name)}"' in links) == is_mentee, (who, name)
    assert (f'href="{reverse("admin:index")}"' in links) == user.is_staff
    if who == "both":
        assert ">Meetings as mentee<" in links and ">Meetings as mentor<" in links
    elif is_mentor or is_mentee:
        assert ">My meetings<" in links


def test_a_mentee_dashboard_has_no_mentor_sections(client):
    user, _ = people()["mentee"]
    client.force_login(user)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Your mentors" in html and "Meetings to follow up" in html
    assert "Your mentees" not in html


def test_a_mentor_dashboard_has_no_mentee_sections(client):
    user, _ = people()["mentor"]
    client.force_login(user)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Your mentees" in html and "Upcoming meetings" in html
    assert "Your mentors" not in html
    assert "Meetings to follow up" not in html
    assert "No ongoing mentors yet" not in html


def test_staff_without_a_membership_are_shown_the_way_to_the_administration(client):
    user, _ = people()["staff"]
    client.force_login(user)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Open the program administration" in html
    assert f'class="button" href="{reverse("admin:index")}"' in html
    assert "You are not in any program yet" not in html
    assert "Your programs" not in html  # no empty section
    assert "Your mentors" not in html and "Flash meetings" not in html


def test_staff_who_also_take_part_get_their_participant_dashboard(client):
    program = ProgramFactory()
    user = UserFactory(is_staff=True)
    MembershipFactory(program=program, user=user, role=Membership.Role.MENTEE)
    client.force_login(user)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Open the program administration" not in html
    assert "Your mentors" in html
