"""Goals keep their history; notes keep their privacy; only the pair writes, and only
while the connection is active."""

from datetime import date

import pytest
from django.utils import timezone

from matching.models import Connection
from mentoring.errors import InvalidInput, NotAllowed
from ongoing import selectors, services, timeline
from ongoing.models import Goal, GoalChange, Note
from ongoing.services import ConnectionNotActive
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_adding_a_goal_records_who_added_it(pair):
    goal = services.goal_add(
        connection=pair, actor=pair.mentee, title="  Lead a project  ", target_date=date(2027, 3, 1)
    )
    assert goal.title == "Lead a project"
    assert goal.status == Goal.Status.OPEN
    (change,) = goal.changes.all()
    assert (change.field, change.changed_by, change.new_value) == (
        "created",
        pair.mentee,
        goal.title,
    )


def test_updating_a_goal_keeps_old_and_new_of_each_changed_field(pair):
    goal = services.goal_add(connection=pair, actor=pair.mentee, title="Lead a project")
    changes = services.goal_update(
        goal=goal,
        actor=pair.mentor,
        title="Lead a project",
        description="The billing migration",
        target_date=None,
        status=Goal.Status.ACHIEVED,
    )
    assert {(c.field, c.old_value, c.new_value) for c in changes} == {
        ("description", "", "The billing migration"),
        ("status", "open", "achieved"),
    }
    assert all(c.changed_by == pair.mentor for c in changes)
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACHIEVED
    assert GoalChange.objects.filter(goal=goal).count() == 3  # added + two changes


def test_an_update_that_changes_nothing_records_nothing(pair):
    goal = services.goal_add(connection=pair, actor=pair.mentee, title="Lead a project")
    assert (
        services.goal_update(
            goal=goal,
            actor=pair.mentee,
            title="Lead a project",
            description="",
            target_date=None,
            status="open",
        )
        == []
    )
    assert goal.changes.count() == 1


@pytest.mark.parametrize(
    "title, status",
    [("", "open"), ("x" * 201, "open"), ("two\nlines", "open"), ("Fine", "finished")],
)
def test_bad_goal_input_is_refused(pair, title, status):
    goal = services.goal_add(connection=pair, actor=pair.mentee, title="Lead a project")
    with pytest.raises(InvalidInput):
        services.goal_update(
            goal=goal,
            actor=pair.mentee,
            title=title,
            description="",
            target_date=None,
            status=status,
        )
    if status == "open":
        with pytest.raises(InvalidInput):
            services.goal_add(connection=pair, actor=pair.mentee, title=title)


def test_a_target_date_out_of_range_is_refused(pair):
    with pytest.raises(InvalidInput):
        services.goal_add(
            connection=pair, actor=pair.mentee, title="Far", target_date=date(9999, 1, 1)
        )


def test_only_the_pair_writes(pair):
    stranger = UserFactory()
    with pytest.raises(NotAllowed):
        services.goal_add(connection=pair, actor=stranger, title="Mine now")
    with pytest.raises(NotAllowed):
        services.note_add(connection=pair, actor=stranger, body="Hello", shared=True)
    assert not Goal.objects.exists() and not Note.objects.exists()


def test_an_ended_connection_is_read_only(pair):
    goal = services.goal_add(connection=pair, actor=pair.mentee, title="Lead a project")
    Connection.objects.filter(pk=pair.pk).update(status="ended", ended_at=timezone.now())
    pair.refresh_from_db()
    with pytest.raises(ConnectionNotActive):
        services.goal_add(connection=pair, actor=pair.mentee, title="Another")
    with pytest.raises(ConnectionNotActive):
        services.goal_update(
            goal=goal, actor=pair.mentee, title="x", description="", target_date=None, status="open"
        )
    with pytest.raises(ConnectionNotActive):
        services.note_add(connection=pair, actor=pair.mentee, body="Hi", shared=True)


def test_a_private_note_is_only_ever_read_by_its_author(pair):
    shared = services.note_add(connection=pair, actor=pair.mentee, body="Agenda", shared=True)
    private = services.note_add(connection=pair, actor=pair.mentee, body="Nervous", shared=False)
    mine = services.note_add(connection=pair, actor=pair.mentor, body="Mine", shared=False)
    assert set(selectors.notes_for(connection=pair, viewer=pair.mentee)) == {shared, private}
    assert set(selectors.notes_for(connection=pair, viewer=pair.mentor)) == {shared, mine}
    texts = [item.text for item in timeline.timeline(connection=pair, viewer=pair.mentor)]
    assert texts.count("You added a private note.") == 1  # the mentor's own only
    assert "Elif Demir added a shared note." in texts


def test_a_note_is_plain_text_and_length_limited(pair):
    with pytest.raises(InvalidInput):
        services.note_add(connection=pair, actor=pair.mentee, body="x" * 4001, shared=True)
    with pytest.raises(InvalidInput):
        services.note_add(connection=pair, actor=pair.mentee, body="bell\x07", shared=True)
    with pytest.raises(InvalidInput):
        services.note_add(connection=pair, actor=pair.mentee, body="   ", shared=True)
    note = services.note_add(connection=pair, actor=pair.mentee, body="a\n\tb", shared=True)
    assert note.body == "a\n\tb"


def test_the_timeline_merges_start_goals_notes_and_end_newest_first(pair):
    pair.started_at = timezone.now() - timezone.timedelta(days=3)
    pair.origin = Connection.Origin.FLASH_MEETING
    pair.save()
    goal = services.goal_add(connection=pair, actor=pair.mentee, title="Lead a project")
    services.note_add(connection=pair, actor=pair.mentor, body="Agenda", shared=True)
    services.goal_update(
        goal=goal,
        actor=pair.mentor,
        title="Lead a project",
        description="",
        target_date=None,
        status="achieved",
    )
    Connection.objects.filter(pk=pair.pk).update(
        status="ended", ended_at=timezone.now(), ended_by=pair.mentor
    )
    pair.refresh_from_db()
    items = timeline.timeline(connection=pair, viewer=pair.mentee)
    assert [item.kind for item in items] == [
        "ended",
        "goal_status",
        "note",
        "goal_added",
        "connected",
    ]
    assert items[-1].text == "Connected after a flash meeting."
    assert items[1].text == "Amara Okafor set the goal “Lead a project” to Achieved."
    assert items[1].link.endswith(f"#goal-{goal.pk}")
    assert items[0].text == "Amara Okafor ended the connection."
    assert len(timeline.timeline(connection=pair, viewer=pair.mentee, limit=2)) == 2
