"""The connection page costs the same for 5 and for 50 goals, notes and changes."""

import pytest
from django.urls import reverse

from ongoing import services

pytestmark = pytest.mark.django_db

# session, user, connection (+both people, program, ended by), latest goals (+added by),
# latest notes (+author), timeline: goal changes (+goal, person), notes (+author) = 7;
# and the meetings section's own (flash_meetings, 3)
CONNECTION_PAGE = 10
# session, user, connection, count, page of goals, their changes (+person)
GOALS_PAGE = 6
# session, user, connection, count, page of notes (+author)
NOTES_PAGE = 5


def _fill(pair, rows: int) -> None:
    for index in range(rows):
        goal = services.goal_add(connection=pair, actor=pair.mentee, title=f"Goal {index}")
        services.goal_update(
            goal=goal,
            actor=pair.mentor,
            title=f"Goal {index}!",
            description="d",
            target_date=None,
            status="achieved",
        )
        services.note_add(connection=pair, actor=pair.mentor, body=f"Note {index}", shared=True)
        services.note_add(connection=pair, actor=pair.mentee, body=f"Mine {index}", shared=False)


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize(
    "name, most",
    [
        ("connection_detail", CONNECTION_PAGE),
        ("connection_goals", GOALS_PAGE),
        ("connection_notes", NOTES_PAGE),
    ],
)
def test_pages_cost_a_fixed_number_of_queries(
    client, pair, django_assert_max_num_queries, rows, name, most
):
    _fill(pair, rows)
    client.force_login(pair.mentee)
    with django_assert_max_num_queries(most):
        response = client.get(reverse(f"portal:{name}", args=[pair.pk]))
    assert response.status_code == 200
