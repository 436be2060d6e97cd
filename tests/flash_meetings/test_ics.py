"""Calendar invites parsed back with icalendar."""

from datetime import UTC, timedelta

import pytest
from icalendar import Calendar

from flash_meetings import services
from flash_meetings.models import FlashMeeting
from notifications.models import Notification
from tests.flash_meetings.factories import AvailabilitySlotFactory, in_days

pytestmark = pytest.mark.django_db


def parse(text: str):
    calendar = Calendar.from_ical(text)
    [event] = list(calendar.walk("VEVENT"))
    return calendar, event


def test_invite_and_cancel_share_the_uid_and_the_sequence_increases(
    mentor_membership, mentee, client
):
    mentor = mentor_membership.user
    mentor.time_zone = "America/New_York"
    mentor.save()
    start = in_days(6, 15)
    slot = AvailabilitySlotFactory(
        program=mentor_membership.program,
        mentor=mentor,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    meeting = services.flash_meeting_request(
        mentor_membership=mentor_membership, mentee=mentee, topic="Career", slot=slot
    )
    services.flash_meeting_accept(
        meeting=meeting, actor=mentor, video_url="https://meet.example.org/room"
    )
    invite = Notification.objects.get(kind="flash_meeting_accepted", recipient=mentee)
    [attachment] = invite.attachments
    assert attachment["mimetype"] == "text/calendar; method=REQUEST"
    calendar, event = parse(attachment["content"])
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == start.astimezone(UTC)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == (start + timedelta(minutes=30)).astimezone(UTC)
    uid = str(event["UID"])
    assert uid == f"flash-meeting-{meeting.pk}@testserver"
    first_sequence = int(event["SEQUENCE"])
    assert str(event["ORGANIZER"]) == f"mailto:{mentor.email}"
    attendees = {str(a) for a in event.get("ATTENDEE")}
    assert attendees == {f"mailto:{mentor.email}", f"mailto:{mentee.email}"}
    assert "https://meet.example.org/room" in str(event["LOCATION"])

    # The download gives the same event.
    client.force_login(mentee)
    response = client.get(f"/meetings/{meeting.pk}/invite.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    _calendar, downloaded = parse(response.content.decode())
    assert str(downloaded["UID"]) == uid

    services.flash_meeting_cancel(meeting=meeting, actor=mentor, message="Sorry")
    cancel = Notification.objects.get(kind="flash_meeting_cancelled", recipient=mentee)
    calendar, event = parse(cancel.attachments[0]["content"])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) > first_sequence
    meeting.refresh_from_db()
    assert meeting.status == FlashMeeting.Status.CANCELLED
