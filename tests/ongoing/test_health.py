"""Connection health in admin (issue 17): last activity per connection from every
source, the "no activity in N days" filter against each row's own program setting, the
"Nudge both people" action (two outbox emails, recorded, once a day), program scoping
and a changelist whose query count does not grow with its rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching.models import Connection
from matching.services import matching_settings_update
from mentoring.services import program_administrator_add
from notifications.models import Notification
from notifications.rendering import render_notification
from ongoing import health, services
from ongoing.models import ConnectionHealth, ConnectionNudge, GoalChange, Note
from tests.connections.factories import ConnectionFactory
from tests.factories import ProgramFactory, UserFactory
from tests.flash_meetings.factories import FlashMeetingFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:ongoing_connectionhealth_changelist"


def _ago(days: int):
    return timezone.now() - timedelta(days=days)


def _last(connection) -> object:
    return (
        health.with_last_activity(Connection.objects.filter(pk=connection.pk)).get().last_activity
    )


@pytest.fixture
def admin_user(pair):
    user = UserFactory(username="pat")
    program_administrator_add(user=user, program=pair.program)
    return user


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def old_pair(pair):
    Connection.objects.filter(pk=pair.pk).update(started_at=_ago(100))
    pair.refresh_from_db()
    return pair


def test_last_activity_is_the_start_without_anything_else(old_pair):
    assert _last(old_pair) == old_pair.started_at


def test_a_goal_change_is_activity(old_pair):
    services.goal_add(connection=old_pair, actor=old_pair.mentee, title="Lead")
    GoalChange.objects.update(changed_at=_ago(40))
    assert _last(old_pair) == GoalChange.objects.get().changed_at


@pytest.mark.parametrize("shared", [True, False])
def test_a_note_shared_or_private_is_activity(old_pair, shared):
    services.note_add(connection=old_pair, actor=old_pair.mentor, body="Hush", shared=shared)
    Note.objects.update(created_at=_ago(20))
    assert _last(old_pair) == Note.objects.get().created_at


def test_a_meeting_asked_for_is_activity(old_pair):
    meeting = FlashMeetingFactory(
        program=old_pair.program,
        mentor=old_pair.mentor,
        mentee=old_pair.mentee,
        connection=old_pair,
        status=FlashMeeting.Status.REQUESTED,
        starts_at=None,
        ends_at=None,
        counts_in_month=None,
    )
    FlashMeeting.objects.filter(pk=meeting.pk).update(created_at=_ago(10))
    assert _last(old_pair) == FlashMeeting.objects.get().created_at


def test_a_meeting_held_is_activity_by_its_time(old_pair):
    meeting = FlashMeetingFactory(
        program=old_pair.program,
        mentor=old_pair.mentor,
        mentee=old_pair.mentee,
        connection=old_pair,
        status=FlashMeeting.Status.COMPLETED,
        starts_at=_ago(5),
        ends_at=_ago(5) + timedelta(minutes=30),
    )
    FlashMeeting.objects.filter(pk=meeting.pk).update(created_at=_ago(50))
    assert _last(old_pair) == FlashMeeting.objects.get().starts_at
    # A scheduled meeting still to come counts by when it was asked for, not its time.
    FlashMeeting.objects.filter(pk=meeting.pk).update(
        status=FlashMeeting.Status.SCHEDULED,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, minutes=30),
    )
    assert _last(old_pair) == FlashMeeting.objects.get().created_at


def test_another_connections_activity_does_not_count(old_pair):
    other = ConnectionFactory(program=old_pair.program)
    services.note_add(connection=other, actor=other.mentee, body="Mine", shared=True)
    assert _last(old_pair) == old_pair.started_at


def test_the_filter_compares_each_row_with_its_own_programs_setting(old_pair):
    """Both quiet for 40 days: quiet in a 30-day program, not in a 60-day one."""
    lenient = ProgramFactory(slug="lenient")
    matching_settings_update(
        matching_settings=lenient.matching_settings,
        actor=None,
        changes={"inactivity_nudge_days": 60},
    )
    other = ConnectionFactory(program=lenient, started_at=_ago(40))
    Connection.objects.filter(pk=old_pair.pk).update(started_at=_ago(40))
    fresh = ConnectionFactory(program=old_pair.program, started_at=_ago(2))
    everyone = health.with_last_activity(Connection.objects.all())
    assert set(health.quiet(everyone).values_list("pk", flat=True)) == {old_pair.pk}
    services.note_add(connection=old_pair, actor=old_pair.mentee, body="Back", shared=False)
    assert set(health.quiet(everyone).values_list("pk", flat=True)) == set()
    assert other.pk and fresh.pk


def test_the_setting_is_in_the_settings_admin_and_its_history(client, old_pair):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    settings = old_pair.program.matching_settings
    page = client.get(reverse("admin:matching_matchingsettings_change", args=[settings.pk]))
    assert 'name="inactivity_nudge_days"' in page.content.decode()
    change = matching_settings_update(
        matching_settings=settings, actor=superuser, changes={"inactivity_nudge_days": 45}
    )
    assert change.changes["inactivity_nudge_days"]["old"] == "30"
    assert change.changes["inactivity_nudge_days"]["new"] == "45"


def test_the_filter_in_the_changelist(admin_client, old_pair):
    fresh = ConnectionFactory(program=old_pair.program, started_at=_ago(1))
    quiet = admin_client.get(reverse(CHANGELIST) + "?quiet=yes")
    assert quiet.status_code == 200
    assert {row.pk for row in quiet.context["cl"].result_list} == {old_pair.pk}
    busy = admin_client.get(reverse(CHANGELIST) + "?quiet=no")
    assert {row.pk for row in busy.context["cl"].result_list} == {fresh.pk}


def test_private_note_text_is_never_shown(admin_client, old_pair):
    services.note_add(connection=old_pair, actor=old_pair.mentor, body="Secret worry", shared=False)
    for url in (
        reverse(CHANGELIST),
        reverse("admin:ongoing_connectionhealth_change", args=[old_pair.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert "Secret worry" not in response.content.decode()


def _nudge(client, *connections):
    return client.post(
        reverse(CHANGELIST),
        {"action": "nudge_both", ACTION_CHECKBOX_NAME: [c.pk for c in connections]},
        follow=True,
    )


def test_nudge_writes_one_email_to_each_party_and_records_it(
    admin_client, admin_user, old_pair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        response = _nudge(admin_client, old_pair)
    assert response.status_code == 200
    rows = Notification.objects.filter(kind="connection_nudge").order_by("recipient_id")
    assert {row.recipient_id for row in rows} == {old_pair.mentor_id, old_pair.mentee_id}
    assert all(row.program_id == old_pair.program_id for row in rows)
    for row in rows:
        other = old_pair.mentee if row.recipient_id == old_pair.mentor_id else old_pair.mentor
        email = render_notification(row)
        assert other.name in email.subject
        for part in (email.text, email.html):
            assert other.name in part
            assert "30 days" in part
            assert f"/connections/{old_pair.pk}/" in part
    nudge = ConnectionNudge.objects.get()
    assert nudge.connection_id == old_pair.pk and nudge.nudged_by == admin_user
    assert nudge.day == timezone.localdate()
    # The change page shows it.
    page = admin_client.get(reverse("admin:ongoing_connectionhealth_change", args=[old_pair.pk]))
    assert "Nudges" in page.content.decode()
    assert page.context["inline_admin_formsets"][0].formset.queryset.count() == 1


def test_nudging_twice_the_same_day_changes_nothing(admin_client, old_pair):
    _nudge(admin_client, old_pair)
    response = _nudge(admin_client, old_pair)
    assert "already nudged today" in response.content.decode()
    assert Notification.objects.filter(kind="connection_nudge").count() == 2
    assert ConnectionNudge.objects.count() == 1
    # Another day: a new nudge.
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert health.connection_nudge(connection=old_pair, actor=None, today=tomorrow)
    assert Notification.objects.filter(kind="connection_nudge").count() == 4


def test_an_ended_connection_is_not_nudged(old_pair):
    Connection.objects.filter(pk=old_pair.pk).update(
        status=Connection.Status.ENDED, ended_at=timezone.now()
    )
    old_pair.refresh_from_db()
    assert health.connection_nudge(connection=old_pair, actor=None) is None
    assert not Notification.objects.filter(kind="connection_nudge").exists()


def test_a_program_admin_sees_only_their_programs_connections(admin_client, admin_user, old_pair):
    other = ConnectionFactory(program=ProgramFactory(slug="other"), started_at=_ago(100))
    response = admin_client.get(reverse(CHANGELIST))
    assert {row.pk for row in response.context["cl"].result_list} == {old_pair.pk}
    quiet = admin_client.get(reverse(CHANGELIST) + "?quiet=yes")
    assert {row.pk for row in quiet.context["cl"].result_list} == {old_pair.pk}
    url = reverse("admin:ongoing_connectionhealth_change", args=[other.pk])
    assert admin_client.get(url).status_code == 404
    _nudge(admin_client, other)
    assert not ConnectionNudge.objects.filter(connection=other).exists()
    assert ConnectionHealth.objects.filter(pk=other.pk).exists()


def test_without_the_nudge_permission_there_is_no_action(client, old_pair):
    from django.contrib.auth.models import Permission

    from mentoring.models import ProgramAdministrator

    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_connectionhealth"))
    ProgramAdministrator.objects.create(user=viewer, program=old_pair.program)
    client.force_login(viewer)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [old_pair.pk]
    assert "nudge_both" not in response.content.decode()
    _nudge(client, old_pair)
    assert not ConnectionNudge.objects.exists()


def _connections(program, count):
    for _ in range(count):
        connection = ConnectionFactory(program=program)
        services.goal_add(connection=connection, actor=connection.mentee, title="Goal")
        services.note_add(connection=connection, actor=connection.mentor, body="N", shared=False)
        FlashMeetingFactory(
            program=program,
            mentor=connection.mentor,
            mentee=connection.mentee,
            connection=connection,
        )


def test_changelist_query_count_does_not_grow_with_rows(admin_client, pair):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    counts = []
    for rows in (5, 50):
        Connection.objects.exclude(pk=pair.pk).delete()
        _connections(pair.program, rows - 1)
        for query in ("", "?quiet=yes"):
            with CaptureQueriesContext(db) as captured:
                response = admin_client.get(reverse(CHANGELIST) + query)
            assert response.status_code == 200
            if not query:
                assert len(response.context["cl"].result_list) == rows
            counts.append(len(captured))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
