"""The connection page shows goals, notes and activity to the pair only; a private note
never reaches the other party; refusals are messages, never a 500."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from matching.models import Connection
from ongoing import services
from ongoing.models import Goal, Note

pytestmark = pytest.mark.django_db


def _other(username):
    return get_user_model().objects.get(username=username)


def test_a_party_adds_a_goal_and_a_shared_note_the_other_sees_them(client, pair):
    client.force_login(pair.mentee)
    detail = reverse("portal:connection_detail", args=[pair.pk])
    response = client.post(
        reverse("portal:goal_add", args=[pair.pk]),
        {"title": "Lead a project", "description": "<b>billing</b>", "target_date": "2027-03-01"},
    )
    assert response.status_code == 302 and response["Location"] == detail
    client.post(
        reverse("portal:note_add", args=[pair.pk]),
        {"body": "Agenda <script>", "visibility": "shared"},
    )
    client.post(
        reverse("portal:note_add", args=[pair.pk]),
        {"body": "I feel unsure", "visibility": "private"},
    )
    client.force_login(pair.mentor)
    page = client.get(detail).content.decode()
    assert "Lead a project" in page and "&lt;b&gt;billing&lt;/b&gt;" in page
    assert "Agenda &lt;script&gt;" in page
    assert "Elif Demir added the goal “Lead a project”." in page
    assert "I feel unsure" not in page
    assert (
        "I feel unsure"
        not in client.get(reverse("portal:connection_notes", args=[pair.pk])).content.decode()
    )
    client.force_login(pair.mentee)
    assert "I feel unsure" in client.get(detail).content.decode()


def test_a_goal_update_shows_in_its_history(client, pair):
    goal = services.goal_add(connection=pair, actor=pair.mentee, title="Lead a project")
    client.force_login(pair.mentor)
    response = client.post(
        reverse("portal:goal_update", args=[pair.pk, goal.pk]),
        {"title": "Lead a project", "description": "", "target_date": "", "status": "dropped"},
    )
    assert response.status_code == 302
    page = client.get(reverse("portal:connection_goals", args=[pair.pk])).content.decode()
    assert "Amara Okafor" in page and "“Open” → “Dropped”" in page


@pytest.mark.parametrize("name", ["connection_detail", "connection_goals", "connection_notes"])
def test_people_outside_the_pair_get_404(client, pair, name):
    client.force_login(_other("farid"))
    assert client.get(reverse(f"portal:{name}", args=[pair.pk])).status_code == 404


def test_posts_from_outside_the_pair_get_404_and_change_nothing(client, pair):
    goal = services.goal_add(connection=pair, actor=pair.mentee, title="Lead a project")
    client.force_login(_other("farid"))
    data = {"title": "Mine", "description": "", "target_date": "", "status": "achieved"}
    assert client.post(reverse("portal:goal_add", args=[pair.pk]), data).status_code == 404
    assert (
        client.post(reverse("portal:goal_update", args=[pair.pk, goal.pk]), data).status_code == 404
    )
    assert (
        client.post(
            reverse("portal:note_add", args=[pair.pk]), {"body": "x", "visibility": "shared"}
        ).status_code
        == 404
    )
    assert Goal.objects.count() == 1 and not Note.objects.exists()
    assert Goal.objects.get().status == "open"


def test_a_goal_of_another_connection_is_404(client, pair):
    other = Connection.objects.create(
        program=pair.program, mentor=pair.mentor, mentee=_other("farid"), origin="admin"
    )
    goal = services.goal_add(connection=other, actor=other.mentee, title="Farid's")
    client.force_login(pair.mentee)
    data = {"title": "Hijack", "description": "", "target_date": "", "status": "open"}
    assert (
        client.post(reverse("portal:goal_update", args=[pair.pk, goal.pk]), data).status_code == 404
    )


def test_bad_input_is_a_form_error_and_an_ended_connection_a_message(client, pair):
    client.force_login(pair.mentee)
    response = client.post(
        reverse("portal:goal_add", args=[pair.pk]), {"title": "", "target_date": "10000-01-01"}
    )
    assert response.status_code == 400
    assert "Give the goal a title." in response.content.decode()
    Connection.objects.filter(pk=pair.pk).update(status="ended", ended_at=timezone.now())
    response = client.post(
        reverse("portal:note_add", args=[pair.pk]), {"body": "Late", "visibility": "shared"}
    )
    assert response.status_code == 409
    assert "This connection has ended" in response.content.decode()
    assert not Note.objects.exists()


def test_goals_of_an_ended_connection_are_a_message_not_an_error(client, pair):
    goal = services.goal_add(connection=pair, actor=pair.mentee, title="Lead a project")
    Connection.objects.filter(pk=pair.pk).update(status="ended", ended_at=timezone.now())
    client.force_login(pair.mentee)
    added = client.post(
        reverse("portal:goal_add", args=[pair.pk]),
        {"title": "One more", "description": "", "target_date": ""},
    )
    updated = client.post(
        reverse("portal:goal_update", args=[pair.pk, goal.pk]),
        {"title": "Lead a project", "description": "", "target_date": "", "status": "achieved"},
    )
    for response in (added, updated):
        assert response.status_code == 409
        assert "This connection has ended" in response.content.decode()
    assert list(Goal.objects.values_list("title", "status")) == [("Lead a project", "open")]
