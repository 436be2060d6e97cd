"""The connection page's activity timeline: a connection's latest events, newest first,
each a ``TimelineItem`` (when, a short machine name, one sentence a person reads, a link
to read more), from every source in ``TIMELINE_SOURCES``: the connection's start (and
how) and end, from its own fields; goals added and changed; the notes the viewer may
read (never another person's private note); the meetings within the connection; its
extensions; the mid-point check-in opening and the viewer's own survey answers; the
program team's nudges.

Each source costs one query at most, so the timeline costs a fixed number of queries
whatever the number of events (the connection page pins it). The goals and notes reads
are ``ongoing.selectors``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from flash_meetings.models import FlashMeeting
from matching.models import Connection, ConnectionExtension, MatchingSettings
from mentoring import when as when_text
from mentoring.models import User
from ongoing.models import ConnectionNudge, Goal, GoalChange
from ongoing.selectors import notes_for
from surveys import connection_selectors as connection_surveys
from surveys.models import Survey

# --- The timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    when: datetime
    kind: str  # a short machine name ("connected", "goal_added", "note", ...)
    text: str  # one sentence a person reads
    link: str = ""  # where to read more ("" for none)


# A source returns at most ``limit`` items, newest first, in a fixed number of queries.
TimelineSource = Callable[[Connection, User, int], list[TimelineItem]]


def _connection_events(connection: Connection, viewer: User, limit: int) -> list[TimelineItem]:
    """Start (and how) and end, from the connection's own fields: no query."""
    origin_text = {
        Connection.Origin.FLASH_MEETING: _("Connected after a flash meeting."),
        Connection.Origin.PROFILE_REQUEST: _(
            "Connected: the mentor accepted a request sent with the Connect button."
        ),
        Connection.Origin.PREFERRED_MENTORING: _("Connected through Preferred Mentoring."),
        Connection.Origin.ADMIN: _("Connected by a program admin."),
    }
    items = [
        TimelineItem(
            when=connection.started_at,
            kind="connected",
            text=origin_text.get(connection.origin, _("Connected.")),
        )
    ]
    if connection.ended_at:
        if connection.ended_by_id:
            text = _("%(name)s ended the connection.") % {"name": connection.ended_by.name}
        else:
            text = _("The connection ended.")
        items.append(TimelineItem(when=connection.ended_at, kind="ended", text=text))
    return items


def _goal_events(connection: Connection, viewer: User, limit: int) -> list[TimelineItem]:
    """Goals added and changed: one query."""
    link = reverse("portal:connection_goals", args=[connection.pk])
    changes = (
        GoalChange.objects.filter(goal__connection=connection)
        .select_related("changed_by", "goal")
        .order_by("-changed_at", "-pk")[:limit]
    )
    items = []
    for change in changes:
        who = change.changed_by.name if change.changed_by else _("Someone")
        params = {"who": who, "goal": change.goal.title}
        if change.field == GoalChange.Field.CREATED:
            text = _("%(who)s added the goal “%(goal)s”.") % params
            kind = "goal_added"
        elif change.field == GoalChange.Field.STATUS:
            params["status"] = Goal.Status(change.new_value).label
            text = _("%(who)s set the goal “%(goal)s” to %(status)s.") % params
            kind = "goal_status"
        else:
            params["field"] = GoalChange.Field(change.field).label.lower()
            text = _("%(who)s changed the %(field)s of the goal “%(goal)s”.") % params
            kind = "goal_changed"
        items.append(
            TimelineItem(
                when=change.changed_at, kind=kind, text=text, link=f"{link}#goal-{change.goal_id}"
            )
        )
    return items


def _note_events(connection: Connection, viewer: User, limit: int) -> list[TimelineItem]:
    """Notes the viewer may read: one query (never another person's private note)."""
    link = reverse("portal:connection_notes", args=[connection.pk])
    items = []
    for note in notes_for(connection=connection, viewer=viewer)[:limit]:
        if note.is_shared:
            text = _("%(who)s added a shared note.") % {"who": note.author.name}
        else:
            text = _("You added a private note.")
        items.append(
            TimelineItem(
                when=note.created_at, kind="note", text=text, link=f"{link}#note-{note.pk}"
            )
        )
    return items


def _party_name(connection: Connection, user_id: int | None) -> str:
    """A party's name from the connection's own (already loaded) people; "" otherwise."""
    if user_id is not None and user_id == connection.mentor_id:
        return connection.mentor.name
    if user_id is not None and user_id == connection.mentee_id:
        return connection.mentee.name
    return ""


def _meeting_events(connection: Connection, viewer: User, limit: int) -> list[TimelineItem]:
    """Meetings within the connection: requested, scheduled, then how it went (held,
    did not happen, cancelled, declined, withdrawn, expired, new time proposed), each
    with the meeting's own status label: one query (the latest ``limit`` meetings by
    their last change; no meeting has more than three events)."""
    Status = FlashMeeting.Status
    zone = when_text.zone_of(viewer)
    now = timezone.now()
    meetings = FlashMeeting.objects.filter(connection=connection).order_by("-updated_at", "-pk")[
        :limit
    ]
    items: list[TimelineItem] = []
    for meeting in meetings:
        link = reverse("flash_meetings:detail", args=[meeting.pk])
        params = {
            "topic": meeting.topic,
            "time": when_text.span(meeting.starts_at, meeting.ends_at, zone),
            "status": meeting.status_label,
            "who": _party_name(connection, meeting.mentee_id) or _("Someone"),
        }

        events: list[tuple[datetime | None, str, str]] = []
        add = events.append
        add(
            (
                meeting.created_at,
                "meeting_requested",
                _("%(who)s asked for a meeting: “%(topic)s”.") % params,
            )
        )
        if meeting.status in (*FlashMeeting.ENDED_STATUSES, Status.CANCELLED):
            add(
                (
                    meeting.responded_at or meeting.created_at,
                    "meeting_scheduled",
                    _("Meeting “%(topic)s” scheduled for %(time)s.") % params,
                )
            )
        key = meeting.status_key
        if key == Status.COMPLETED:
            add(
                (
                    meeting.outcome_recorded_at or meeting.ends_at,
                    "meeting_held",
                    _("Meeting “%(topic)s” held (%(status)s), %(time)s.") % params,
                )
            )
        elif key == Status.DID_NOT_HAPPEN:
            add(
                (
                    meeting.outcome_recorded_at or meeting.ends_at,
                    "meeting_did_not_happen",
                    _("Meeting “%(topic)s”: %(status)s.") % params,
                )
            )
        elif key == Status.CANCELLED:
            # No cancellation time of its own: the meeting's last change is the cancel.
            params["by"] = _party_name(connection, meeting.cancelled_by_id)
            text = (
                _("%(by)s cancelled the meeting “%(topic)s” (%(status)s).")
                if params["by"]
                else _("Meeting “%(topic)s”: %(status)s.")
            )
            add((meeting.updated_at, "meeting_cancelled", text % params))
        elif key in (Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED):
            add(
                (
                    meeting.responded_at or meeting.updated_at,
                    f"meeting_{key}",
                    _("Meeting request “%(topic)s”: %(status)s.") % params,
                )
            )
        elif key == "time_proposed":
            add(
                (
                    meeting.counter_proposed_at,
                    "meeting_time_proposed",
                    _("Meeting request “%(topic)s”: %(status)s.") % params,
                )
            )
        items.extend(
            TimelineItem(when=at, kind=kind, text=text, link=link)
            for at, kind, text in events
            if at is not None and at <= now
        )
    return items


def _extension_events(connection: Connection, viewer: User, limit: int) -> list[TimelineItem]:
    """Extensions: asked, accepted (with the new end date), declined, withdrawn, or
    made by the program team: one query (people named from the connection's own)."""
    Status = ConnectionExtension.Status
    extensions = ConnectionExtension.objects.filter(connection=connection).order_by(
        "-created_at", "-pk"
    )[:limit]
    items: list[TimelineItem] = []
    for extension in extensions:
        params = {
            "days": extension.days,
            "date": when_text.day(extension.new_ends_on),
            "who": _party_name(connection, extension.requested_by_id) or _("Someone"),
            "by": _party_name(connection, extension.responded_by_id),
        }
        if extension.by_admin:
            items.append(
                TimelineItem(
                    when=extension.created_at,
                    kind="extended_by_admin",
                    text=_(
                        "The program team extended the connection by %(days)s days: it now "
                        "ends on %(date)s."
                    )
                    % params,
                )
            )
            continue
        items.append(
            TimelineItem(
                when=extension.created_at,
                kind="extension_asked",
                text=_("%(who)s asked to extend the connection by %(days)s days.") % params,
            )
        )
        if extension.responded_at is None:
            continue
        if extension.status == Status.ACCEPTED:
            text = (
                _("%(by)s accepted the extension: the connection now ends on %(date)s.")
                if params["by"]
                else _("The extension was accepted: the connection now ends on %(date)s.")
            )
            kind = "extension_accepted"
        elif extension.status == Status.DECLINED:
            text = (
                _("%(by)s declined the extension.")
                if params["by"]
                else _("The extension was declined.")
            )
            kind = "extension_declined"
        elif extension.status == Status.WITHDRAWN:
            text = (
                _("%(by)s withdrew the extension request.")
                if params["by"]
                else _("The extension request was withdrawn.")
            )
            kind = "extension_withdrawn"
        else:
            continue
        items.append(TimelineItem(when=extension.responded_at, kind=kind, text=text % params))
    return items


def _check_in_opened_at(connection: Connection) -> datetime | None:
    """When the connection's mid-point check-in opened (or will open): the start of its
    ``check_in_on`` in the site's time zone, as the invitation job counts it. None when
    there is none: no check-in day, the program runs no check-ins, or the connection
    had ended by then. No query (the settings come with the connection)."""
    if connection.check_in_on is None:
        return None
    try:
        settings = connection.program.matching_settings
    except MatchingSettings.DoesNotExist:
        return None
    if not settings.connection_check_in_enabled:
        return None
    opened_at = when_text.program_day_start(connection.check_in_on)
    if connection.ended_at is not None and connection.ended_at <= opened_at:
        return None
    return opened_at


def _survey_events(connection: Connection, viewer: User, limit: int) -> list[TimelineItem]:
    """The mid-point check-in opening (once its day has come; linking to the survey while
    the viewer may still answer it) and the viewer's own answers to the check-in and
    the closing survey: one query. The closing survey's opening is the end event.

    Only the viewer's OWN answers: the surveys are for the program team, so the other
    party never learns here whether, or when, someone answered."""
    CHECK_IN = Survey.Kind.CONNECTION_CHECK_IN
    now = timezone.now()
    answered = dict(
        connection.survey_responses.filter(
            respondent=viewer, survey__kind__in=Survey.CONNECTION_KINDS
        ).values_list("survey__kind", "submitted_at")
    )
    items: list[TimelineItem] = []
    opened_at = _check_in_opened_at(connection)
    if opened_at is not None and opened_at <= now:
        may_answer = CHECK_IN not in answered and not connection_surveys.closed_message(
            connection=connection, kind=CHECK_IN, now=now
        )
        items.append(
            TimelineItem(
                when=opened_at,
                kind="check_in_opened",
                text=_("Mid-point check-in opened."),
                link=(
                    connection_surveys.connection_survey_url(connection=connection, kind=CHECK_IN)
                    if may_answer
                    else ""
                ),
            )
        )
    answered_text = {
        CHECK_IN: ("check_in_answered", _("You answered the mid-point check-in.")),
        Survey.Kind.CONNECTION_CLOSING: ("closing_answered", _("You answered the closing survey.")),
    }
    for kind, submitted_at in answered.items():
        if kind in answered_text and submitted_at <= now:
            event_kind, text = answered_text[kind]
            items.append(TimelineItem(when=submitted_at, kind=event_kind, text=text))
    items.sort(key=lambda item: item.when, reverse=True)
    return items[:limit]


def _nudge_events(connection: Connection, viewer: User, limit: int) -> list[TimelineItem]:
    """The program team's nudges (one email to each party): one query. Who sent one is
    never shown: it comes from the program team."""
    nudged = (
        ConnectionNudge.objects.filter(connection=connection, nudged_at__lte=timezone.now())
        .order_by("-nudged_at", "-pk")
        .values_list("nudged_at", flat=True)[:limit]
    )
    return [
        TimelineItem(
            when=nudged_at, kind="nudged", text=_("The program team checked in on you both.")
        )
        for nudged_at in nudged
    ]


# Other apps' events join by appending a source here (each one query or none).
TIMELINE_SOURCES: list[TimelineSource] = [
    _connection_events,
    _goal_events,
    _note_events,
    _meeting_events,
    _extension_events,
    _survey_events,
    _nudge_events,
]


def timeline(*, connection: Connection, viewer: User, limit: int = 20) -> list[TimelineItem]:
    """The connection's latest ``limit`` events from every source, newest first."""
    items: list[TimelineItem] = []
    for source in TIMELINE_SOURCES:
        items.extend(source(connection, viewer, limit))
    items.sort(key=lambda item: item.when, reverse=True)
    return items[:limit]
