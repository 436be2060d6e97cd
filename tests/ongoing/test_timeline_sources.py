"""The activity timeline also tells the connection's meetings (requested, scheduled, held,
cancelled, with the meeting's status label and a link to it) and its extensions (asked,
accepted with the new end date, declined, withdrawn, made by the program team): the
same events, in the same order, to both parties."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flash_meetings import services as meeting_services
from flash_meetings.models import FlashMeeting
from matching import services as matching_services
from matching.models import MatchingSettings
from mentoring import when
from mentoring.models import Membership
from ongoing import timeline
from tests.factories import UserFactory
from tests.flash_meetings.factories import AvailabilitySlotFactory, FlashMeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def termed(pair):
    MatchingSettings.objects.filter(program=pair.program).update(connection_extension_days=30)
    pair.ends_on = timezone.localdate() + timedelta(days=60)
    pair.save(update_fields=["ends_on"])
    return pair


def _ask(pair, topic: str, days: int) -> FlashMeeting:
    starts_at = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    slot = AvailabilitySlotFactory(
        program=pair.program,
        mentor=pair.mentor,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
    )
    return meeting_services.flash_meeting_request(
        mentor_membership=Membership.objects.get(
            program=pair.program, user=pair.mentor, role=Membership.Role.MENTOR
        ),
        mentee=pair.mentee,
        topic=topic,
        slot=slot,
        connection=pair,
    )


def test_meetings_and_extensions_reach_both_parties_in_order(termed):
    pair = termed
    now = timezone.now()
    held = FlashMeetingFactory(
        program=pair.program,
        mentor=pair.mentor,
        mentee=pair.mentee,
        connection=pair,
        counts_in_month=None,
        topic="Career plan",
        status=FlashMeeting.Status.COMPLETED,
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(minutes=30),
        responded_at=now - timedelta(days=5),
        outcome_recorded_at=now - timedelta(days=2),
    )
    FlashMeeting.objects.filter(pk=held.pk).update(created_at=now - timedelta(days=6))

    upcoming = _ask(pair, "Portfolio review", days=5)
    meeting_services.flash_meeting_accept(meeting=upcoming, actor=pair.mentor)
    dropped = _ask(pair, "Salary talk", days=6)
    meeting_services.flash_meeting_accept(meeting=dropped, actor=pair.mentor)
    meeting_services.flash_meeting_cancel(meeting=dropped, actor=pair.mentor, message="Ill")

    first = matching_services.connection_extension_request(connection=pair, actor=pair.mentee)
    first = matching_services.connection_extension_accept(extension=first, actor=pair.mentor)
    second = matching_services.connection_extension_request(connection=pair, actor=pair.mentor)
    matching_services.connection_extension_decline(extension=second, actor=pair.mentee)
    third = matching_services.connection_extension_request(connection=pair, actor=pair.mentee)
    matching_services.connection_extension_withdraw(extension=third, actor=pair.mentee)
    admin = UserFactory(is_staff=True, is_superuser=True)
    by_admin = matching_services.connection_extend_by_admin(connection=pair, actor=admin)

    seen = {}
    for viewer in (pair.mentee, pair.mentor):
        events = timeline.timeline(connection=pair, viewer=viewer, limit=50)
        seen[viewer.pk] = [(item.when, item.kind, item.link) for item in events]
        kinds = [item.kind for item in events if item.kind.startswith(("meeting", "exten"))]
        assert kinds == [
            "extended_by_admin",
            "extension_withdrawn",
            "extension_asked",
            "extension_declined",
            "extension_asked",
            "extension_accepted",
            "extension_asked",
            "meeting_cancelled",
            "meeting_scheduled",
            "meeting_requested",
            "meeting_scheduled",
            "meeting_requested",
            "meeting_held",
            "meeting_scheduled",
            "meeting_requested",
        ]
        assert [item.when for item in events] == sorted(
            (item.when for item in events), reverse=True
        )
        texts = {item.kind: item.text for item in events}
        assert "Completed" in texts["meeting_held"] and "Career plan" in texts["meeting_held"]
        assert texts["meeting_cancelled"] == (
            "Amara Okafor cancelled the meeting “Salary talk” (Cancelled)."
        )
        scheduled = [item.text for item in events if item.kind == "meeting_scheduled"]
        assert scheduled[1].startswith("Meeting “Portfolio review” scheduled for ")
        assert texts["extended_by_admin"].endswith(f"ends on {when.day(by_admin.new_ends_on)}.")
        assert texts["extension_accepted"] == (
            f"Amara Okafor accepted the extension: the connection now ends on "
            f"{when.day(first.new_ends_on)}."
        )
        assert texts["extension_declined"] == "Elif Demir declined the extension."
        assert texts["extension_withdrawn"] == "Elif Demir withdrew the extension request."
        links = {item.link for item in events if item.kind.startswith("meeting")}
        assert links == {
            reverse("flash_meetings:detail", args=[meeting.pk])
            for meeting in (held, upcoming, dropped)
        }
    assert seen[pair.mentee.pk] == seen[pair.mentor.pk]


def test_the_connection_page_shows_them(client, termed):
    pair = termed
    _ask(pair, "Portfolio review", days=5)
    matching_services.connection_extension_request(connection=pair, actor=pair.mentor)
    for viewer in (pair.mentee, pair.mentor):
        client.force_login(viewer)
        page = client.get(reverse("portal:connection_detail", args=[pair.pk])).content.decode()
        assert "Elif Demir asked for a meeting: “Portfolio review”." in page
        assert "Amara Okafor asked to extend the connection by 30 days." in page
