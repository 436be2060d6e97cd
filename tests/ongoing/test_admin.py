"""Program admins read their programs' goals and shared notes in Django admin; private
notes are in no admin list, page or search; another program's goals are 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.services import program_administrator_add
from ongoing import services
from ongoing.models import Goal
from tests.connections.factories import ConnectionFactory
from tests.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, pair):
    admin = UserFactory(username="pat")
    program_administrator_add(user=admin, program=pair.program)
    client.force_login(admin)
    return client


def test_goals_and_shared_notes_only(admin_client, pair):
    goal = services.goal_add(connection=pair, actor=pair.mentee, title="Lead a project")
    shared = services.note_add(
        connection=pair, actor=pair.mentee, body="Shared agenda", shared=True
    )
    private = services.note_add(
        connection=pair, actor=pair.mentee, body="Secret worry", shared=False
    )
    assert (
        "Lead a project"
        in admin_client.get(reverse("admin:ongoing_goal_changelist")).content.decode()
    )
    assert admin_client.get(reverse("admin:ongoing_goal_change", args=[goal.pk])).status_code == 200
    notes = admin_client.get(reverse("admin:ongoing_note_changelist") + "?q=e").content.decode()
    assert f"/{shared.pk}/change/" in notes and f"/{private.pk}/change/" not in notes
    assert (
        admin_client.get(reverse("admin:ongoing_note_change", args=[shared.pk])).status_code == 200
    )
    assert admin_client.get(
        reverse("admin:ongoing_note_change", args=[private.pk])
    ).status_code in (302, 404)


def test_another_programs_goal_is_404(admin_client, pair):
    other = ConnectionFactory(program=ProgramFactory(slug="other"))
    goal = services.goal_add(connection=other, actor=other.mentee, title="Elsewhere")
    assert admin_client.get(reverse("admin:ongoing_goal_change", args=[goal.pk])).status_code == 404
    assert (
        "Elsewhere"
        not in admin_client.get(reverse("admin:ongoing_goal_changelist")).content.decode()
    )


def _goal_page(admin_client, goal) -> str:
    return admin_client.get(reverse("admin:ongoing_goal_change", args=[goal.pk])).content.decode()


def test_a_goals_change_history_is_newest_first_at_the_same_cost_however_long(
    admin_client, pair, django_assert_max_num_queries
):
    goal = services.goal_add(connection=pair, actor=pair.mentee, title="Lead a project")
    _goal_page(admin_client, goal)  # the first visit's one-off reads (permissions, ...)
    with CaptureQueriesContext(connection) as one_change:
        _goal_page(admin_client, goal)
    # Five more changes by both people: each row names who made it.
    for number, actor in enumerate([pair.mentor, pair.mentee] * 2 + [pair.mentor]):
        services.goal_update(
            goal=goal,
            actor=actor,
            title=f"Lead a project, step {number}",
            description="",
            target_date=None,
            status=Goal.Status.OPEN,
        )
    with django_assert_max_num_queries(len(one_change)):
        page = _goal_page(admin_client, goal)
    # The goal's fields above name both people and the newest title too: read the
    # history itself.
    history = page[page.index("Change history") :]
    assert history.index("Lead a project, step 4") < history.index("Lead a project, step 0")
    assert "Amara Okafor" in history and "Elif Demir" in history
