"""seed_demo gives mentor2 and mentee2 goals, shared notes and one upcoming meeting within
their connection, reached from mentee2's dashboard; seeding twice adds nothing; mentee1
and mentor1 stay unconnected."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching.models import Connection
from mentoring.models import Program, User
from ongoing.models import Goal, GoalChange, Note

pytestmark = pytest.mark.django_db


def test_the_demo_pair_has_goals_and_notes_linked_from_the_dashboard(client):
    call_command("seed_demo")
    counts = (Goal.objects.count(), GoalChange.objects.count(), Note.objects.count())
    call_command("seed_demo")
    assert (Goal.objects.count(), GoalChange.objects.count(), Note.objects.count()) == counts
    connection = Connection.objects.get(mentor__username="mentor2", mentee__username="mentee2")
    assert (
        connection.goals.count() == 2 and connection.notes.filter(visibility="shared").count() == 2
    )
    assert not Connection.objects.filter(
        mentor__username="mentor1", mentee__username="mentee1"
    ).exists()

    client.force_login(User.objects.get(username="mentee2"))
    url = reverse("portal:connection_detail", args=[connection.pk])
    assert url in client.get(reverse("portal:dashboard")).content.decode()
    page = client.get(url).content.decode()
    assert "Run a design review on my own" in page
    assert "Topics for our next chat" in page


def test_the_demo_pair_has_one_upcoming_meeting_on_the_page_and_timeline(client):
    call_command("seed_demo")
    meetings = FlashMeeting.objects.count()
    call_command("seed_demo")
    assert FlashMeeting.objects.count() == meetings
    connection = Connection.objects.get(mentor__username="mentor2", mentee__username="mentee2")
    meeting = FlashMeeting.objects.get(connection=connection)
    assert meeting.status == FlashMeeting.Status.SCHEDULED
    assert meeting.starts_at > timezone.now() and meeting.counts_in_month is None
    # mentee1's follow-up with mentor1 still offers the connection
    assert FlashMeeting.objects.filter(
        mentor__username="mentor1", mentee__username="mentee1", follow_up_choice=""
    ).exists()

    for username in ("mentee2", "mentor2"):
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse("portal:connection_detail", args=[connection.pk])).content
        page = page.decode()
        assert reverse("flash_meetings:detail", args=[meeting.pk]) in page
        assert f"Meeting “{meeting.topic}” scheduled for" in page


def test_the_demo_pair_is_halfway_with_its_check_in_open_from_the_dashboard(client):
    call_command("seed_demo")
    call_command("seed_demo")
    connection = Connection.objects.get(mentor__username="mentor2", mentee__username="mentee2")
    today = timezone.localdate()
    assert connection.check_in_on == today - timedelta(days=5)
    assert connection.ends_on == today + timedelta(days=85)

    client.force_login(User.objects.get(username="mentee2"))
    check_in = reverse("surveys:connection", args=[connection.pk, "check-in"])
    assert check_in in client.get(reverse("portal:dashboard")).content.decode()
    assert (
        check_in
        in client.get(reverse("portal:connection_detail", args=[connection.pk])).content.decode()
    )
    assert "How is your mentoring going so far?" in client.get(check_in).content.decode()


def test_the_demo_has_past_connections_for_the_outcomes_report():
    from ongoing.outcomes import outcomes_report

    call_command("seed_demo")
    call_command("seed_demo")
    program = Program.objects.get(slug="demo")
    report = outcomes_report(program=program)
    rows = {row.origin: row for row in report.rows}
    flash, request = rows[Connection.Origin.FLASH_MEETING], rows[Connection.Origin.PROFILE_REQUEST]
    assert (flash.connections, flash.completed, flash.ended_early) == (1, 1, 0)
    assert (flash.goals_achieved, flash.check_in.count, flash.closing.count) == (2, 2, 2)
    assert (request.connections, request.completed, request.ended_early) == (1, 0, 1)
    assert (request.average_length_days, request.closing.count) == (45, 1)
