"""How long a connection runs (issue 17): the end date set from the program's duration,
extensions (asked by one party, answered by the other, one pending at a time, or made by
the program team in admin), the reminder before the end and the end job (completed),
each email once, through the outbox, as text and HTML."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from matching import capacity, services, tasks
from matching.models import Connection, ConnectionExtension, MatchingSettingsChange
from mentoring.errors import IllegalTransition, NotAllowed
from notifications.models import Notification
from tests.connections.conftest import configure
from tests.connections.factories import ConnectionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # the frozen clock of the jobs
TODAY = NOW.date()


@pytest.fixture
def termed(ongoing_program):
    return configure(
        ongoing_program,
        connection_duration_days=90,
        connection_end_reminder_days=14,
        connection_extension_days=30,
    )


@pytest.fixture
def connection(termed, mentor, mentee):
    return services.connection_create(
        program=termed.program,
        mentor=mentor,
        mentee=mentee,
        origin=Connection.Origin.ADMIN,
        send_emails=False,
    )


def kinds(recipient=None):
    rows = Notification.objects.order_by("pk")
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    return [row.kind for row in rows]


# --- the end date ----------------------------------------------------------------------


def test_a_new_connection_ends_after_the_programs_duration(connection):
    assert connection.ends_on == timezone.localdate(connection.started_at) + timedelta(days=90)


def test_open_ended_programs_make_open_ended_connections(ongoing_program, mentor, mentee):
    made = services.connection_create(
        program=ongoing_program, mentor=mentor, mentee=mentee, origin=Connection.Origin.ADMIN
    )
    assert made.ends_on is None


def test_an_accepted_request_gets_the_end_date_too(termed, mentor, mentee):
    request = services.connection_request_create(
        program=termed.program, mentor=mentor, mentee=mentee, message="Hello"
    )
    made = services.connection_request_accept(request=request, actor=mentor)
    assert made.ends_on == timezone.localdate() + timedelta(days=90)


def test_the_duration_settings_are_recorded_in_the_change_history(termed):
    admin = UserFactory(is_staff=True)
    change = services.matching_settings_update(
        matching_settings=termed,
        actor=admin,
        changes={"connection_duration_days": 180, "connection_extension_days": None},
    )
    assert isinstance(change, MatchingSettingsChange)
    assert change.changes["connection_duration_days"]["new"] == "180"
    assert change.changes["connection_extension_days"]["new"] == "—"


# --- extensions --------------------------------------------------------------------------


def test_the_other_party_accepts_and_the_end_date_moves(
    connection, mentor, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    before = connection.ends_on
    with django_capture_on_commit_callbacks(execute=True):
        extension = services.connection_extension_request(connection=connection, actor=mentee)
    assert extension.status == ConnectionExtension.Status.PENDING
    assert extension.days == 30
    assert kinds(mentor) == ["connection_extension_requested"]
    asked = mailoutbox[-1]
    assert asked.to == [mentor.email]
    assert "Elif Demir asks to extend" in asked.subject
    assert "by 30 days" in asked.body
    assert "by 30 days" in asked.alternatives[0][0]

    with pytest.raises(NotAllowed):
        services.connection_extension_accept(extension=extension, actor=mentee)  # not oneself
    with pytest.raises(NotAllowed):
        services.connection_extension_accept(extension=extension, actor=UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        services.connection_extension_accept(extension=extension, actor=mentor)
    connection.refresh_from_db()
    extension.refresh_from_db()
    assert connection.ends_on == before + timedelta(days=30)
    assert (extension.status, extension.responded_by) == ("accepted", mentor)
    assert (extension.previous_ends_on, extension.new_ends_on) == (before, connection.ends_on)
    assert kinds(mentee) == ["connection_extended"]
    told = mailoutbox[-1]
    assert told.to == [mentee.email]
    assert "Amara Okafor extended" in told.body
    assert "Amara Okafor extended" in told.alternatives[0][0]
    with pytest.raises(IllegalTransition):  # answered once
        services.connection_extension_decline(extension=extension, actor=mentor)


ALREADY_PENDING = "An extension is already waiting for an answer; wait for it or withdraw it."


def test_one_pending_extension_at_a_time(connection, mentor, mentee):
    services.connection_extension_request(connection=connection, actor=mentee)
    with pytest.raises(IllegalTransition) as by_the_other:
        services.connection_extension_request(connection=connection, actor=mentor)
    with pytest.raises(IllegalTransition) as by_the_same:
        services.connection_extension_request(connection=connection, actor=mentee)
    assert by_the_other.value.message == by_the_same.value.message == ALREADY_PENDING
    assert connection.extensions.count() == 1


def test_the_constraint_refuses_a_second_pending_extension_the_check_missed(
    connection, mentor, mentee
):
    services.connection_extension_request(connection=connection, actor=mentee)
    with (
        transaction.atomic(),  # the caller's transaction
        mock.patch.object(QuerySet, "exists", return_value=False),  # the check misses it
        pytest.raises(IllegalTransition) as refused,
    ):
        services.connection_extension_request(connection=connection, actor=mentor)
    # The same words as the check's (test_one_pending_extension_at_a_time).
    assert refused.value.message == ALREADY_PENDING
    assert connection.extensions.count() == 1
    assert list(kinds()).count("connection_extension_requested") == 1


def test_decline_keeps_the_date_and_tells_the_asker(
    connection, mentor, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    before = connection.ends_on
    extension = services.connection_extension_request(connection=connection, actor=mentor)
    with django_capture_on_commit_callbacks(execute=True):
        services.connection_extension_decline(extension=extension, actor=mentee)
    connection.refresh_from_db()
    assert connection.ends_on == before
    assert kinds(mentor) == ["connection_extension_declined"]
    assert "declined" in mailoutbox[-1].subject
    # Declined, a new request may follow.
    services.connection_extension_request(connection=connection, actor=mentee)


@pytest.mark.parametrize(
    "answer",
    [services.connection_extension_accept, services.connection_extension_decline],
    ids=["accept", "decline"],
)
def test_only_the_other_party_answers_an_extension(answer, connection, mentor, mentee):
    extension = services.connection_extension_request(connection=connection, actor=mentee)
    with pytest.raises(NotAllowed) as by_the_asker:
        answer(extension=extension, actor=mentee)
    with pytest.raises(NotAllowed) as by_someone_else:
        answer(extension=extension, actor=UserFactory())
    assert by_the_asker.value.message == (
        "The other person answers your extension; you may withdraw it."
    )
    assert by_someone_else.value.message == (
        "Only the mentor or the mentee can answer this extension."
    )
    extension.refresh_from_db()
    assert (extension.status, extension.responded_by) == ("pending", None)


def test_only_the_asker_withdraws_and_the_other_is_told(
    connection, mentor, mentee, django_capture_on_commit_callbacks
):
    extension = services.connection_extension_request(connection=connection, actor=mentee)
    with pytest.raises(NotAllowed):
        services.connection_extension_withdraw(extension=extension, actor=mentor)
    services.connection_extension_withdraw(extension=extension, actor=mentee)
    extension.refresh_from_db()
    assert extension.status == ConnectionExtension.Status.WITHDRAWN
    assert kinds(mentor) == ["connection_extension_requested", "connection_extension_withdrawn"]


def test_no_extension_when_the_program_allows_none_or_the_connection_is_open_ended(
    termed, connection, mentee
):
    configure(termed.program, connection_extension_days=None)
    with pytest.raises(NotAllowed):
        services.connection_extension_request(connection=connection, actor=mentee)
    configure(termed.program, connection_extension_days=30)
    Connection.objects.filter(pk=connection.pk).update(ends_on=None)
    connection.refresh_from_db()
    with pytest.raises(IllegalTransition):
        services.connection_extension_request(connection=connection, actor=mentee)


def test_the_program_team_extends_at_once_and_both_are_told(
    connection, mentor, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    pending = services.connection_extension_request(connection=connection, actor=mentee)
    before = connection.ends_on
    admin = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        extension = services.connection_extend_by_admin(connection=connection, actor=admin)
    connection.refresh_from_db()
    pending.refresh_from_db()
    assert connection.ends_on == before + timedelta(days=30)
    assert extension.by_admin and extension.status == ConnectionExtension.Status.ACCEPTED
    assert pending.status == ConnectionExtension.Status.WITHDRAWN  # superseded
    assert kinds(mentor)[-1] == kinds(mentee)[-1] == "connection_extended"
    assert {tuple(m.to) for m in mailoutbox[-2:]} == {(mentor.email,), (mentee.email,)}


def test_the_admin_action_extends_through_the_service(admin_client, connection):
    before = connection.ends_on
    response = admin_client.post(
        reverse("admin:matching_connection_changelist"),
        {"action": "extend_connections", "_selected_action": [connection.pk]},
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.ends_on == before + timedelta(days=30)
    assert connection.extensions.get().by_admin


def test_the_admin_action_names_the_connections_it_could_not_extend(
    admin_client, connection, mentor
):
    open_ended = ConnectionFactory(
        program=connection.program, mentor=mentor, mentee=UserFactory(), ends_on=None
    )
    response = admin_client.post(
        reverse("admin:matching_connection_changelist"),
        {"action": "extend_connections", "_selected_action": [connection.pk, open_ended.pk]},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        f"{open_ended}: This connection has no end date, so there is nothing to extend.",
        "1 connection(s) extended; both people were emailed.",
    ]
    assert not open_ended.extensions.exists() and connection.extensions.count() == 1


def test_ending_early_is_recorded_and_drops_a_pending_extension(connection, mentor, mentee):
    extension = services.connection_extension_request(connection=connection, actor=mentee)
    services.connection_end(connection=connection, actor=mentor, reason="Moving abroad.")
    connection.refresh_from_db()
    extension.refresh_from_db()
    assert connection.end_cause == Connection.EndCause.ENDED_EARLY
    assert extension.status == ConnectionExtension.Status.WITHDRAWN


# --- the periodic job on a frozen clock ------------------------------------------------------


def snapshot():
    return list(
        Connection.objects.order_by("pk").values_list(
            "pk", "status", "ended_at", "end_cause", "ends_on", "end_reminder_sent_at"
        )
    )


def test_the_reminder_goes_once_to_both_n_days_before(
    connection, mentor, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    Connection.objects.filter(pk=connection.pk).update(ends_on=TODAY + timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.connections_run_terms(now=NOW) == {"reminded": 0, "completed": 0}
    Connection.objects.filter(pk=connection.pk).update(ends_on=TODAY + timedelta(days=14))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.connections_run_terms(now=NOW) == {"reminded": 1, "completed": 0}
    first = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.connections_run_terms(now=NOW) == {"reminded": 0, "completed": 0}
    assert snapshot() == first
    assert kinds() == ["connection_end_reminder", "connection_end_reminder"]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.email, mentee.email])
    reminder = mailoutbox[0]
    assert "in 14 days" in reminder.body
    assert "in 14 days" in reminder.alternatives[0][0]


def test_at_the_end_date_the_job_closes_it_frees_the_slot_and_tells_both(
    connection, mentor, mentee, mailoutbox, django_capture_on_commit_callbacks
):
    Connection.objects.filter(pk=connection.pk).update(ends_on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_connection_terms.run() is not None  # the beat task's body runs
    connection.refresh_from_db()
    # The task used the real clock; run the frozen one twice on top: nothing more.
    first = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.connections_run_terms(now=NOW) == {"reminded": 0, "completed": 0}
        assert services.connections_run_terms(now=NOW) == {"reminded": 0, "completed": 0}
    assert snapshot() == first
    assert connection.status == Connection.Status.ENDED
    assert connection.end_cause == Connection.EndCause.COMPLETED
    counts = capacity.pair_counts(
        program_id=connection.program_id, mentor_id=mentor.pk, mentee_id=mentee.pk
    )
    assert counts.mentor_slots_used == 0
    assert kinds() == ["connection_completed", "connection_completed"]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.email, mentee.email])
    assert "has ended" in mailoutbox[0].subject
    assert "reached its end date" in mailoutbox[0].alternatives[0][0]


def test_the_job_leaves_open_ended_and_future_connections_alone(termed, mentor, mentee):
    ConnectionFactory(program=termed.program, mentor=mentor, mentee=mentee, ends_on=None)
    assert services.connections_run_terms(now=NOW) == {"reminded": 0, "completed": 0}
    assert Connection.objects.get().status == Connection.Status.ACTIVE


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_the_end_date_and_the_buttons(client, connection, mentor, mentee):
    client.force_login(mentee)
    page = client.get(reverse("portal:connection_detail", args=[connection.pk])).content.decode()
    assert "Ends on" in page and "Ask to extend" in page
    response = client.post(reverse("portal:extension_request", args=[connection.pk]))
    assert response.status_code == 302
    page = client.get(reverse("portal:connection_detail", args=[connection.pk])).content.decode()
    assert "Withdraw the extension request" in page
    client.force_login(mentor)
    page = client.get(reverse("portal:connection_detail", args=[connection.pk])).content.decode()
    assert "Accept the extension" in page and "Decline the extension" in page
    client.post(reverse("portal:extension_accept", args=[connection.pk]))
    connection.refresh_from_db()
    assert connection.extensions.get().status == ConnectionExtension.Status.ACCEPTED


def test_a_refused_action_is_a_message_not_an_error(client, connection, mentee):
    client.force_login(mentee)
    response = client.post(reverse("portal:extension_accept", args=[connection.pk]), follow=True)
    assert response.status_code == 200
    assert "no extension waiting" in response.content.decode()


def test_someone_else_gets_404(client, connection):
    client.force_login(UserFactory())
    assert client.post(reverse("portal:extension_request", args=[connection.pk])).status_code == 404
