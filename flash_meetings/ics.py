"""Calendar invites (.ics) for flash meetings, made with the icalendar package.

The UID is stable per meeting, so a calendar replaces the event it already has;
SEQUENCE (``FlashMeeting.ics_sequence``) goes up with every change, and a cancelled
meeting is sent with METHOD:CANCEL and the same UID.
"""

from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from flash_meetings.models import FlashMeeting
from mentoring import when


def meeting_uid(meeting: FlashMeeting) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"flash-meeting-{meeting.pk}@{host}"


def _address(user, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(user.name)
    if role:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("ACCEPTED")
    return address


def meeting_calendar(meeting: FlashMeeting) -> str:
    """The meeting as an iCalendar text: REQUEST while on, CANCEL once cancelled."""
    cancelled = meeting.status == FlashMeeting.Status.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//Mentoring platform//Flash meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.ics_sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", f"{meeting.topic} ({meeting.program.name})")
    page = settings.SITE_URL + reverse("flash_meetings:detail", args=[meeting.pk])
    between = (
        _("Mentoring meeting between %(mentor)s and %(mentee)s.")
        if meeting.connection_id is not None
        else _("Flash meeting between %(mentor)s and %(mentee)s.")
    )
    description = [between % {"mentor": meeting.mentor.name, "mentee": meeting.mentee.name}]
    if meeting.video_url:
        description.append(_("Video link: %(url)s") % {"url": meeting.video_url})
    if meeting.location:
        description.append(_("Location: %(location)s") % {"location": meeting.location})
    description.append(_("Details: %(url)s") % {"url": page})
    event.add("description", "\n".join(description))
    where = " · ".join(part for part in (meeting.location, meeting.video_url) if part)
    if where:
        event.add("location", where)
    event.add("url", page)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _address(meeting.mentor, ""))
    event.add("attendee", _address(meeting.mentor, "CHAIR"), encode=0)
    event.add("attendee", _address(meeting.mentee, "REQ-PARTICIPANT"), encode=0)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def ics_attachment(meeting: FlashMeeting, *, for_person=None) -> dict:
    """The invite (or cancellation) as an email attachment. Its text (the description)
    is written in ``for_person``'s language: the attachment is stored with the email
    when it is enqueued, in someone else's request."""
    method = "CANCEL" if meeting.status == FlashMeeting.Status.CANCELLED else "REQUEST"
    if for_person is None:
        content = meeting_calendar(meeting)
    else:
        with when.as_seen_by(for_person, meeting.program):
            content = meeting_calendar(meeting)
    return {
        "filename": "invite.ics" if method == "REQUEST" else "cancel.ics",
        "content": content,
        "mimetype": f"text/calendar; method={method}",
    }
