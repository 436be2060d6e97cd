import pytest
from django.urls import reverse

from mentoring.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_dashboard_requires_sign_in(client):
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_lists_programs_and_roles(client, program):
    user = UserFactory(display_name="Ada")
    MembershipFactory(user=user, program=program, role=Membership.Role.MENTOR)
    MembershipFactory(user=user, program=program, role=Membership.Role.MENTEE)
    client.force_login(user)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Welcome, Ada" in html
    assert program.name in html
    assert "You take part as: Mentor" in html and "You take part as: Mentee" in html
    assert html.count("<h1>") == 1


def test_login_form_has_labels_and_signs_in(client):
    UserFactory(username="kim")
    html = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    response = client.post(reverse("login"), {"username": "kim", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_wrong_password_gives_a_readable_error(client):
    UserFactory(username="kim")
    response = client.post(reverse("login"), {"username": "kim", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
