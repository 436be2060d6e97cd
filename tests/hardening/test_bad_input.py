"""Bad input, everywhere: every form/POST endpoint of the site and every URL parameter,
fed empty, blank, over-long, NUL, emoji, right-to-left, combining, HTML/script, CR/LF,
unknown choices, foreign and impossible ids, mass assignment and too many fields.

Over 400 lines on purpose: the endpoints and the hostile values fed to them are one
table, read and extended together.

A refused input gets a 4xx page with a readable message or a form error (or, for the
flash-meeting actions that answer POST-redirect-GET, a redirect carrying an error
message), never a 500, and leaves every row of the database as it was. Text that is
merely unusual (emoji, RTL, combining marks, HTML) is accepted as written and comes out
escaped on pages and in emails.

Each endpoint is one test that runs its table of cases, each inside a savepoint rolled
back afterwards, and reports every failing case at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from email import message_from_bytes
from types import SimpleNamespace

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flash_meetings.models import AvailabilitySlot, FlashMeeting
from matching.models import Connection, ConnectionExtension, ConnectionRequest, PreferredMentor
from mentoring.models import Membership, User
from notifications.models import EmailOptOut
from notifications.registry import optional_kinds
from notifications.tokens import SALT as UNSUBSCRIBE_SALT
from notifications.tokens import make_token
from ongoing import services as ongoing_services
from ongoing.models import Goal, Note
from surveys import connection_selectors as connection_survey_selectors
from surveys import selectors as survey_selectors
from surveys.models import Question, Survey
from tests.connections.conftest import configure
from tests.connections.factories import (
    ConnectionFactory,
    ConnectionRequestFactory,
    PreferredMentorFactory,
)
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory, UserFactory
from tests.flash_meetings.factories import (
    AvailabilitySlotFactory,
    FlashMeetingFactory,
    ProposedTimeFactory,
)
from tests.hardening.snapshots import db_snapshot
from tests.notifications.factories import aged_unsubscribe_token

pytestmark = pytest.mark.django_db

ACCEPT = "accept"  # unusual but valid: stored as written
REJECT = "reject"  # refused: 4xx/form error, nothing changes

HUGE = 2**64
EMOJI = "Mentoring 🙂 👩🏽‍💻 🇺🇦"
RTL = "مرحبا \u202egnp.exe\u202c שלום"
COMBINING = "Zalgo e\u0301\u0302\u0303\u0304 a\u0308\u0308"
HTML = '<script>alert("x")</script><b onmouseover="y">bold</b> & \'quote\''
CRLF = "Line one\r\nBcc: victim@example.org\r\nSubject: injected"


def _when(days: float, hour: int = 10) -> str:
    at = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0)
    return at.strftime("%Y-%m-%dT%H:%M")


# --- the world ---------------------------------------------------------------------------------


def build_world() -> SimpleNamespace:
    program = ProgramFactory(slug="harbour", name="Harbour Program")
    configure(
        program,
        ongoing_enabled=True,
        one_time_enabled=True,
        preferred_mentoring_enabled=False,
        mentors_choose_modes=False,
        default_max_ongoing_mentees=5,
        max_ongoing_mentors_per_mentee=5,
        max_pending_requests_per_mentee=5,
    )
    foreign = ProgramFactory(slug="elsewhere", name="Elsewhere Program")
    preferred_program = ProgramFactory(slug="ranked", name="Ranked Program")
    configure(preferred_program, ongoing_enabled=True, preferred_mentoring_enabled=True)

    mentor_membership = MentorMembershipFactory(
        program=program, user__username="mentor", user__display_name="Amara Okafor"
    )
    mentor = mentor_membership.user
    mentee = MembershipFactory(
        program=program, user__username="mentee", user__display_name="Elif Demir"
    ).user
    second_mentor_membership = MentorMembershipFactory(program=program, user__username="mentor2")
    asking = MembershipFactory(program=program, user__username="asking").user
    foreign_mentor = MentorMembershipFactory(program=foreign, user__username="foreign_mentor")
    foreign_mentee = MembershipFactory(program=foreign, user__username="foreign_mentee").user

    MembershipFactory(program=preferred_program, user=mentee)
    ranked_a = MentorMembershipFactory(program=preferred_program, user__username="ranked_a")
    ranked_b = MentorMembershipFactory(program=preferred_program, user__username="ranked_b")
    ranked_c = MentorMembershipFactory(program=preferred_program, user__username="ranked_c")
    PreferredMentorFactory(program=preferred_program, mentee=mentee, mentor=ranked_a.user, rank=1)
    PreferredMentorFactory(program=preferred_program, mentee=mentee, mentor=ranked_b.user, rank=2)

    requested = FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        topic="Career change",
        status=FlashMeeting.Status.REQUESTED,
        starts_at=None,
        ends_at=None,
        counts_in_month=timezone.now().date().replace(day=1),
    )
    proposal = ProposedTimeFactory(meeting=requested, by_mentor=False)
    mentor_proposal = ProposedTimeFactory(meeting=requested, by_mentor=True)
    foreign_meeting = FlashMeetingFactory(
        program=foreign, mentor=foreign_mentor.user, mentee=foreign_mentee
    )
    ended_ends = timezone.now() - timedelta(hours=2)
    ended = FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        starts_at=ended_ends - timedelta(minutes=30),
        ends_at=ended_ends,
    )
    return SimpleNamespace(
        program=program,
        foreign=foreign,
        preferred_program=preferred_program,
        mentor_membership=mentor_membership,
        second_mentor_membership=second_mentor_membership,
        foreign_mentor_membership=foreign_mentor,
        ranked_c=ranked_c,
        mentor=mentor,
        mentee=mentee,
        asking=asking,
        request=ConnectionRequestFactory(program=program, mentor=mentor, mentee=asking),
        connection=ConnectionFactory(program=program, mentor=mentor, mentee=mentee),
        preferred=PreferredMentor.objects.get(mentor=ranked_a.user),
        slot=AvailabilitySlotFactory(program=program, mentor=mentor, starts_at=_aware(4)),
        foreign_slot=AvailabilitySlotFactory(
            program=foreign, mentor=foreign_mentor.user, starts_at=_aware(5)
        ),
        requested=requested,
        proposal=proposal,
        mentor_proposal=mentor_proposal,
        foreign_proposal=ProposedTimeFactory(meeting=foreign_meeting),
        scheduled=FlashMeetingFactory(program=program, mentor=mentor, mentee=mentee),
        ended=ended,
        foreign_question=Question.objects.filter(survey__program=foreign).first(),
    )


def _aware(days: float):
    return (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


# --- endpoints ----------------------------------------------------------------------------------


@dataclass
class Case:
    label: str
    data: dict
    expect: str


@dataclass
class Endpoint:
    name: str
    user: str | None  # attribute of the world; None: anonymous
    url: Callable[[SimpleNamespace], str]
    valid: Callable[[SimpleNamespace], dict]
    text: dict[str, tuple[int, bool]] = field(default_factory=dict)  # name: (max, required)
    # Text fields of one line (a name, a topic): CR/LF and control characters refused.
    single_line: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    ids: dict[str, Callable] = field(default_factory=dict)  # name: world -> foreign id
    datetimes: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    ints: dict[str, tuple[int, int]] = field(default_factory=dict)
    more_cases: Callable[[SimpleNamespace], list[Case]] = lambda world: []
    # After valid data plus mass-assignment fields: what must hold.
    mass_check: Callable[[SimpleNamespace], None] | None = None


def _survey_valid(world) -> dict:
    page = survey_selectors.survey_page(meeting=world.ended, respondent=world.mentee)
    return _valid_answers(page.questions)


def _valid_answers(questions) -> dict:
    data: dict = {}
    for question in questions:
        name = f"q_{question.pk}"
        if question.kind == Question.Kind.RATING:
            data[name] = "4"
        elif question.kind == Question.Kind.SINGLE_CHOICE:
            data[name] = question.choice_list[0]
        elif question.kind == Question.Kind.MULTIPLE_CHOICE:
            data[name] = [question.choice_list[0]]
        else:
            data[name] = "It helped."
    return data


def _survey_cases(world) -> list[Case]:
    page = survey_selectors.survey_page(meeting=world.ended, respondent=world.mentee)
    return _answer_cases(world, page.questions)


def _check_in_url(world) -> str:
    """The world's connection with an end date, halfway through: its check-in is open."""
    today = timezone.localdate()
    Connection.objects.filter(pk=world.connection.pk).update(
        ends_on=today + timedelta(days=60), check_in_on=today
    )
    return reverse("surveys:connection_submit", args=[world.connection.pk, "check-in"])


def _check_in_questions(world):
    connection = Connection.objects.select_related("program__matching_settings", "mentor").get(
        pk=world.connection.pk
    )
    page = connection_survey_selectors.connection_survey_page(
        connection=connection, respondent=world.mentee, kind=Survey.Kind.CONNECTION_CHECK_IN
    )
    return page.questions


def _check_in_valid(world) -> dict:
    return _valid_answers(_check_in_questions(world))


def _check_in_cases(world) -> list[Case]:
    return _answer_cases(world, _check_in_questions(world))


def _answer_cases(world, questions) -> list[Case]:
    valid = _valid_answers(questions)
    cases = []
    for question in questions:
        name = f"q_{question.pk}"
        if question.kind == Question.Kind.RATING:
            for bad in ("6", "0", "-1", str(HUGE), "abc", "4.5", "\x00", "<b>5</b>"):
                cases.append(Case(f"{name} rating {bad!r}", {**valid, name: bad}, REJECT))
        elif question.kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
            for bad in ("not a listed answer", "\x00", HTML):
                value = [bad] if question.kind == Question.Kind.MULTIPLE_CHOICE else bad
                cases.append(Case(f"{name} choice {bad!r}", {**valid, name: value}, REJECT))
        else:
            limit = 2000 if question.kind == Question.Kind.LONG_TEXT else 200
            cases += [
                Case(f"{name} over-long", {**valid, name: "x" * (limit + 1)}, REJECT),
                Case(f"{name} NUL", {**valid, name: "a\x00b"}, REJECT),
                Case(f"{name} html", {**valid, name: HTML}, ACCEPT),
            ]
        if question.required:
            cases.append(
                Case(f"{name} missing", {k: v for k, v in valid.items() if k != name}, REJECT)
            )
    foreign = f"q_{world.foreign_question.pk}"
    cases += [
        Case("answer to another program's question", {**valid, foreign: "5"}, REJECT),
        Case("answer to an unknown question", {**valid, f"q_{HUGE}": "5"}, REJECT),
        Case("non-numeric question key", {**valid, "q_abc": "5"}, ACCEPT),
    ]
    return cases


def _connect_check(world):
    created = ConnectionRequest.objects.get(mentee=world.mentee)
    assert created.status == ConnectionRequest.Status.PENDING
    assert created.program == world.program
    assert created.mentor == world.second_mentor_membership.user


def _meeting_check(world):
    created = FlashMeeting.objects.exclude(
        pk__in=[world.requested.pk, world.scheduled.pk, world.ended.pk]
    ).get(program=world.program)
    assert created.status == FlashMeeting.Status.REQUESTED
    assert created.mentor == world.mentor and created.mentee == world.mentee


def _connection_meeting_check(world):
    _meeting_check(world)
    assert FlashMeeting.objects.get(connection=world.connection).counts_in_month is None


def _slots_check(world):
    assert not AvailabilitySlot.objects.filter(program=world.foreign, mentor=world.mentor).exists()
    assert AvailabilitySlot.objects.filter(program=world.program, mentor=world.mentor).count() == 2


def _decline_check(world):
    world.request.refresh_from_db()
    assert world.request.status == ConnectionRequest.Status.DECLINED
    assert world.request.program == world.program


def _end_check(world):
    world.connection.refresh_from_db()
    assert world.connection.status == Connection.Status.ENDED


def _termed(world, name: str, *, pending_by: str = "") -> str:
    """The world's connection with an end date in a program that allows 30-day
    extensions (and a pending extension asked by ``pending_by``); the URL ``name``."""
    configure_terms = world.connection.program.matching_settings
    configure_terms.connection_extension_days = 30
    configure_terms.save(update_fields=["connection_extension_days"])
    Connection.objects.filter(pk=world.connection.pk).update(ends_on=date(2030, 1, 31))
    if pending_by:
        ConnectionExtension.objects.get_or_create(
            connection=world.connection,
            status=ConnectionExtension.Status.PENDING,
            defaults={"requested_by": getattr(world, pending_by), "days": 30},
        )
    return reverse(f"portal:{name}", args=[world.connection.pk])


def _extension_check(status: str, ends_on: date):
    def check(world):
        extension = ConnectionExtension.objects.get(connection=world.connection)
        assert extension.status == status and extension.days == 30
        world.connection.refresh_from_db()
        assert world.connection.ends_on == ends_on
        assert world.connection.status == Connection.Status.ACTIVE

    return check


def _goal_check(world):
    goal = Goal.objects.get(connection=world.connection)
    assert (goal.status, goal.created_by) == (Goal.Status.OPEN, world.connection.mentee)


def _fresh_goal(world) -> Goal:
    """A goal to change, made for each case (each case's savepoint takes it away)."""
    return ongoing_services.goal_add(
        connection=world.connection, actor=world.connection.mentee, title="Lead a project"
    )


def _note_check(world):
    note = Note.objects.get(connection=world.connection)
    assert (note.author, note.visibility) == (world.connection.mentee, Note.Visibility.PRIVATE)


def _target_date_cases(valid: dict) -> list[Case]:
    return [
        Case("target date empty", {**valid, "target_date": ""}, ACCEPT),
        Case("target date in the past", {**valid, "target_date": "2020-05-01"}, ACCEPT),
        Case("target date year 1999", {**valid, "target_date": "1999-12-31"}, REJECT),
        Case("target date year 10000", {**valid, "target_date": "10000-01-01"}, REJECT),
        Case("target date 30 February", {**valid, "target_date": "2027-02-30"}, REJECT),
        Case("target date not a date", {**valid, "target_date": "soon"}, REJECT),
    ]


_BAD_EMAILS = (
    "",
    " \t\r\n\u00a0 ",
    "not-an-address",
    "a\x00b@example.org",
    "x" * 250 + "@example.org",
    "y" * 100_000,
    "elif@example.org\r\nBcc: victim@example.org",
    HTML,
    EMOJI,
    "elif@",
    "@example.org",
)
_BAD_PASSWORDS = {
    "wrong": "not my password",
    "empty": "",
    "NUL": "p\x00w",
    "100k": "z" * 100_000,
}


def _profile_check(world):
    world.mentee.refresh_from_db()
    assert world.mentee.time_zone == "Europe/Paris" and world.mentee.display_name == "Elif D."
    assert not (world.mentee.is_staff or world.mentee.is_superuser)


def _email_check(world):
    world.mentee.refresh_from_db()
    assert world.mentee.email == "elif@new.example"


def _preferred_check(world):
    entry = PreferredMentor.objects.get(mentor=world.ranked_c.user)
    assert entry.mentee == world.mentee and entry.program == world.preferred_program
    assert entry.rank == 3


def _participation_check(world):
    """Only the person's own membership changed, and only what the form offers."""
    for membership in Membership.objects.filter(user__in=[world.mentor, world.mentee]):
        assert membership.program_id in (world.program.pk, world.preferred_program.pk)
        assert membership.active and membership.offers_ongoing and membership.offers_one_time
    assert (
        not Membership.objects.filter(program=world.program, user=world.asking)
        .exclude(goals="")
        .exists()
    )


def _participation_cases(world) -> list[Case]:
    valid = {
        "max_ongoing_mentees": "3",
        "max_flash_meetings_per_month": "4",
        "headline": "Product lead",
    }
    today = timezone.now().astimezone(UTC).date()
    cases = [
        Case(f"max_ongoing_mentees {bad!r}", {**valid, "max_ongoing_mentees": bad}, REJECT)
        for bad in ("-1", "1000", str(HUGE), "abc", "1.5", "\x00")
    ]
    cases += [
        Case(f"paused_until {bad!r}", {**valid, "paused_until": bad}, REJECT)
        for bad in (today.isoformat(), "2001-01-01", "2026-02-30", "10000-01-01", "0000-00-00")
    ]
    cases += [
        Case("max_ongoing_mentees blank: the program's default", {**valid}, ACCEPT),
        Case("a pause next week", {**valid, "paused_until": str(today + timedelta(7))}, ACCEPT),
        # The program decides the modes: a crafted choice is refused by the service.
        Case("modes crafted", {**valid, "modes": "one_time"}, REJECT),
        Case("modes crafted, none", {**valid, "modes": "never"}, ACCEPT),
    ]
    return cases


ENDPOINTS = [
    Endpoint(
        "login",
        None,
        url=lambda w: reverse("login"),
        valid=lambda w: {"username": "mentee", "password": "pw"},
        text={"username": (150, True), "password": (4096, True)},
    ),
    # --- my account and the password pages ---------------------------------------------------
    Endpoint(
        "account_profile",
        "mentee",
        url=lambda w: reverse("portal:account"),
        valid=lambda w: {"display_name": "Elif D.", "time_zone": "Europe/Paris"},
        text={"display_name": (150, False)},
        single_line=("display_name",),
        choices=("time_zone",),
        mass_check=_profile_check,
        more_cases=lambda w: [
            Case(f"time zone {zone!r}", {"display_name": "E", "time_zone": zone}, REJECT)
            for zone in ("Mars/Base", "localtime", "Factory", "Etc/GMT+5", "../etc/passwd")
        ],
    ),
    Endpoint(
        "account_email",
        "mentee",
        url=lambda w: reverse("portal:account_email"),
        valid=lambda w: {"email": "elif@new.example", "password": "pw"},
        mass_check=_email_check,
        more_cases=lambda w: [
            *[
                Case(f"email {bad[:30]!r}", {"email": bad, "password": "pw"}, REJECT)
                for bad in _BAD_EMAILS
            ],
            Case(
                "email of another account",
                {"email": "MENTOR@example.org", "password": "pw"},
                REJECT,
            ),
            Case("email unchanged", {"email": "mentee@example.org", "password": "pw"}, REJECT),
            Case("email missing", {"password": "pw"}, REJECT),
            *[
                Case(f"password {label}", {"email": "elif@new.example", "password": bad}, REJECT)
                for label, bad in _BAD_PASSWORDS.items()
            ],
            Case("password missing", {"email": "elif@new.example"}, REJECT),
        ],
    ),
    Endpoint(
        "password_change",
        "mentee",
        url=lambda w: reverse("password_change"),
        valid=lambda w: {
            "old_password": "pw",
            "new_password1": "a lighthouse at dusk",
            "new_password2": "a lighthouse at dusk",
        },
        more_cases=lambda w: [
            *[
                Case(
                    f"old password {label}",
                    {"old_password": bad, "new_password1": "a lamp", "new_password2": "a lamp"},
                    REJECT,
                )
                for label, bad in _BAD_PASSWORDS.items()
            ],
            *[
                Case(
                    f"new password {label}",
                    {"old_password": "pw", "new_password1": bad, "new_password2": bad},
                    REJECT,
                )
                for label, bad in {
                    **_BAD_PASSWORDS,
                    "common": "password",
                    "numeric": "48151623",
                }.items()
                if label != "wrong"
            ],
            Case(
                "new passwords differ",
                {"old_password": "pw", "new_password1": "a lamp at", "new_password2": "a lamp on"},
                REJECT,
            ),
            Case(
                "new password emoji",
                {"old_password": "pw", "new_password1": EMOJI, "new_password2": EMOJI},
                ACCEPT,
            ),
        ],
    ),
    Endpoint(
        "password_reset",
        None,
        url=lambda w: reverse("password_reset"),
        valid=lambda w: {"email": "mentee@example.org"},
        more_cases=lambda w: [
            *[Case(f"email {bad[:30]!r}", {"email": bad}, REJECT) for bad in _BAD_EMAILS],
            Case("email missing", {}, REJECT),
            # The same answer whether or not an account uses the address.
            Case("an address no account uses", {"email": "nobody@example.org"}, ACCEPT),
            Case("the address in capitals", {"email": "MENTEE@EXAMPLE.ORG"}, ACCEPT),
        ],
    ),
    Endpoint(
        "connect",
        "mentee",
        url=lambda w: reverse(
            "portal:connect", args=[w.program.slug, w.second_mentor_membership.pk]
        ),
        valid=lambda w: {"message": "Could you help me grow as a team lead?"},
        text={"message": (ConnectionRequest.MESSAGE_MAX_LENGTH, True)},
        mass_check=_connect_check,
    ),
    Endpoint(
        "request_decline",
        "mentor",
        url=lambda w: reverse("portal:request_decline", args=[w.request.pk]),
        valid=lambda w: {"reason": "busy", "note": "Sorry, not this term."},
        text={"note": (500, False)},
        choices=("reason",),
        mass_check=_decline_check,
    ),
    Endpoint(
        "connection_end",
        "mentee",
        url=lambda w: reverse("portal:connection_end", args=[w.connection.pk]),
        valid=lambda w: {"reason": "We reached our goals."},
        text={"reason": (500, True)},
        mass_check=_end_check,
    ),
    Endpoint(
        "goal_add",
        "mentee",
        url=lambda w: reverse("portal:goal_add", args=[w.connection.pk]),
        valid=lambda w: {"title": "Lead a project", "description": "The billing migration"},
        text={"title": (200, True), "description": (2000, False)},
        single_line=("title",),
        mass_check=_goal_check,
        more_cases=lambda w: _target_date_cases({"title": "Lead a project"}),
    ),
    Endpoint(
        "goal_update",
        "mentor",
        url=lambda w: reverse("portal:goal_update", args=[w.connection.pk, _fresh_goal(w).pk]),
        valid=lambda w: {"title": "Lead a project", "description": "", "status": "achieved"},
        text={"title": (200, True), "description": (2000, False)},
        single_line=("title",),
        choices=("status",),
        more_cases=lambda w: _target_date_cases({"title": "Lead a project", "status": "open"}),
    ),
    Endpoint(
        "note_add",
        "mentee",
        url=lambda w: reverse("portal:note_add", args=[w.connection.pk]),
        valid=lambda w: {"body": "Agenda for Thursday", "visibility": "private"},
        text={"body": (4000, True)},
        choices=("visibility",),
        mass_check=_note_check,
    ),
    Endpoint(
        "extension_request",
        "mentee",
        url=lambda w: _termed(w, "extension_request"),
        valid=lambda w: {},
        mass_check=_extension_check("pending", date(2030, 1, 31)),
    ),
    Endpoint(
        "extension_accept",
        "mentor",
        url=lambda w: _termed(w, "extension_accept", pending_by="mentee"),
        valid=lambda w: {},
        mass_check=_extension_check("accepted", date(2030, 3, 2)),
    ),
    Endpoint(
        "extension_decline",
        "mentor",
        url=lambda w: _termed(w, "extension_decline", pending_by="mentee"),
        valid=lambda w: {},
        mass_check=_extension_check("declined", date(2030, 1, 31)),
    ),
    Endpoint(
        "extension_withdraw",
        "mentee",
        url=lambda w: _termed(w, "extension_withdraw", pending_by="mentee"),
        valid=lambda w: {},
        mass_check=_extension_check("withdrawn", date(2030, 1, 31)),
    ),
    Endpoint(
        "preferred_add",
        "mentee",
        url=lambda w: reverse(
            "portal:preferred_add", args=[w.preferred_program.slug, w.ranked_c.pk]
        ),
        valid=lambda w: {},
        mass_check=_preferred_check,
    ),
    Endpoint(
        "preferred_move",
        "mentee",
        url=lambda w: reverse("portal:preferred_move", args=[w.preferred.pk]),
        valid=lambda w: {"direction": "down"},
        choices=("direction",),
    ),
    Endpoint(
        "meeting_request",
        "mentee",
        url=lambda w: reverse("flash_meetings:request", args=[w.mentor_membership.pk]),
        valid=lambda w: {"topic": "Moving into product", "message": "Hello!", "slot": w.slot.pk},
        text={"topic": (200, True), "message": (2000, False)},
        single_line=("topic",),
        ids={"slot": lambda w: w.foreign_slot.pk},
        datetimes=("proposed_1",),
        mass_check=_meeting_check,
        more_cases=lambda w: [
            Case(
                "slot and proposed time both",
                {"topic": "T", "slot": w.slot.pk, "proposed_1": _when(6)},
                REJECT,
            ),
            Case("neither slot nor time", {"topic": "T"}, REJECT),
            Case("proposed time in the past", {"topic": "T", "proposed_1": _when(-3)}, REJECT),
            Case("proposed time too soon", {"topic": "T", "proposed_1": _when(0.01)}, REJECT),
            Case(
                "proposed times duplicated",
                {"topic": "T", "proposed_1": _when(6), "proposed_2": _when(6)},
                ACCEPT,
            ),
        ],
    ),
    Endpoint(
        "meeting_request_in_connection",
        "mentee",
        url=lambda w: reverse("flash_meetings:request_in_connection", args=[w.connection.pk]),
        valid=lambda w: {"topic": "Our next steps", "message": "Hello!", "slot": w.slot.pk},
        text={"topic": (200, True), "message": (2000, False)},
        single_line=("topic",),
        ids={"slot": lambda w: w.foreign_slot.pk},
        datetimes=("proposed_1",),
        mass_check=_connection_meeting_check,
        more_cases=lambda w: [
            Case("neither slot nor time", {"topic": "T"}, REJECT),
            Case("proposed time in the past", {"topic": "T", "proposed_1": _when(-3)}, REJECT),
        ],
    ),
    Endpoint(
        "meeting_accept",
        "mentor",
        url=lambda w: reverse("flash_meetings:accept", args=[w.requested.pk]),
        valid=lambda w: {
            "proposed_time": w.proposal.pk,
            "location": "Room 4",
            "video_url": "https://meet.example.org/abc-def",
        },
        text={"location": (200, False)},
        single_line=("location",),
        ids={"proposed_time": lambda w: w.foreign_proposal.pk},
        urls=("video_url",),
        more_cases=lambda w: [
            Case("the mentor's own proposal", {"proposed_time": w.mentor_proposal.pk}, REJECT),
        ],
    ),
    Endpoint(
        "meeting_propose",
        "mentor",
        url=lambda w: reverse("flash_meetings:propose", args=[w.requested.pk]),
        valid=lambda w: {"starts_at": _when(8), "video_url": "https://meet.example.org/x"},
        text={"location": (200, False)},
        single_line=("location",),
        datetimes=("starts_at",),
        urls=("video_url",),
    ),
    Endpoint(
        "meeting_accept_proposal",
        "mentee",
        url=lambda w: reverse("flash_meetings:accept_proposal", args=[w.requested.pk]),
        valid=lambda w: {"proposed_time": w.mentor_proposal.pk},
        ids={"proposed_time": lambda w: w.foreign_proposal.pk},
        more_cases=lambda w: [
            Case("the mentee's own proposal", {"proposed_time": w.proposal.pk}, REJECT),
        ],
    ),
    Endpoint(
        "meeting_decline",
        "mentor",
        url=lambda w: reverse("flash_meetings:decline", args=[w.requested.pk]),
        valid=lambda w: {"reason": "Travelling that week."},
        text={"reason": (2000, True)},
    ),
    Endpoint(
        "meeting_cancel",
        "mentee",
        url=lambda w: reverse("flash_meetings:cancel", args=[w.scheduled.pk]),
        valid=lambda w: {"message": "Something came up, sorry."},
        text={"message": (2000, True)},
    ),
    Endpoint(
        "availability",
        "mentor",
        url=lambda w: reverse("flash_meetings:availability"),
        valid=lambda w: {
            "program": w.program.pk,
            "day": (timezone.now() + timedelta(days=9)).date().isoformat(),
            "at": "10:00",
            "repeat_weeks": "0",
        },
        ids={"program": lambda w: w.foreign.pk},
        ints={"repeat_weeks": (0, 12)},
        mass_check=_slots_check,
        more_cases=lambda w: [
            Case(
                "impossible date",
                {"program": w.program.pk, "day": "2026-02-30", "at": "10:00", "repeat_weeks": "0"},
                REJECT,
            ),
            Case(
                "year 10000",
                {"program": w.program.pk, "day": "10000-01-01", "at": "10:00", "repeat_weeks": "0"},
                REJECT,
            ),
            Case(
                "last day of the calendar",
                {"program": w.program.pk, "day": "9999-12-31", "at": "23:59", "repeat_weeks": "12"},
                REJECT,
            ),
            Case(
                "day in the past",
                {"program": w.program.pk, "day": "2001-01-01", "at": "10:00", "repeat_weeks": "0"},
                REJECT,
            ),
            Case(
                "hour 25",
                {"program": w.program.pk, "day": "2030-01-01", "at": "25:00", "repeat_weeks": "0"},
                REJECT,
            ),
            Case(
                "time with NUL",
                {
                    "program": w.program.pk,
                    "day": "2030-01-01",
                    "at": "10:\x0000",
                    "repeat_weeks": "0",
                },
                REJECT,
            ),
        ],
    ),
    Endpoint(
        "follow_up",
        "mentee",
        url=lambda w: reverse("flash_meetings:follow_up", args=[w.ended.pk]),
        valid=lambda w: {"choice": "no_thanks", "message": ""},
        text={"message": (ConnectionRequest.MESSAGE_MAX_LENGTH, False)},
        choices=("choice", "policy"),
    ),
    Endpoint(
        "survey_submit",
        "mentee",
        url=lambda w: reverse("surveys:submit", args=[w.ended.pk]),
        valid=_survey_valid,
        more_cases=_survey_cases,
    ),
    Endpoint(
        "connection_survey_submit",
        "mentee",
        url=_check_in_url,
        valid=_check_in_valid,
        more_cases=_check_in_cases,
    ),
    Endpoint(
        "participation_mentor",
        "mentor",
        url=lambda w: reverse("portal:participation_mentor", args=[w.program.slug]),
        valid=lambda w: {
            "max_ongoing_mentees": "3",
            "max_flash_meetings_per_month": "4",
            "paused_until": "",
            "headline": "Product lead",
            "bio": "Ten years of shipping products.",
            "expertise": "product, hiring",
        },
        text={"headline": (200, False), "bio": (2000, False), "expertise": (500, False)},
        single_line=("headline", "expertise"),
        ints={"max_flash_meetings_per_month": (0, 10)},  # the program's default cap
        datetimes=("paused_until",),
        mass_check=_participation_check,
        more_cases=_participation_cases,
    ),
    Endpoint(
        "participation_mentee",
        "mentee",
        url=lambda w: reverse("portal:participation_mentee", args=[w.program.slug]),
        valid=lambda w: {"goals": "Grow into a team lead role."},
        text={"goals": (1000, False)},
        mass_check=_participation_check,
    ),
    Endpoint(
        "email_preferences",
        "mentee",
        url=lambda w: reverse("notifications:preferences"),
        valid=lambda w: {"send": [kind.name for kind in optional_kinds()]},
        choices=("send",),
        mass_check=lambda w: _no_opt_outs(),
        more_cases=lambda w: [
            Case(
                "a kind that cannot be turned off",
                {"send": ["flash_meeting_reminder", "flash_meeting_cancelled"]},
                REJECT,
            ),
            Case("an unknown kind", {"send": ["no_such_kind"]}, REJECT),
            Case("every box unticked", {}, ACCEPT),
        ],
    ),
]


def _no_opt_outs():
    assert not EmailOptOut.objects.exists()


MASS_ASSIGNMENT = {
    "status": "accepted",
    "program": "{foreign}",
    "program_id": "{foreign}",
    "mentor": "{other}",
    "mentor_id": "{other}",
    "mentee": "{other}",
    "mentee_id": "{other}",
    "id": "999999",
    "pk": "999999",
    "rank": "0",
    "origin": "admin",
    "is_staff": "on",
    "is_superuser": "on",
    "responded_at": "2001-01-01T00:00",
    "created_at": "2001-01-01T00:00",
    "follow_up_choice": "connect",
}


def cases_for(endpoint: Endpoint, world) -> list[Case]:
    valid = endpoint.valid(world)
    cases: list[Case] = []

    def with_(name, value):
        return {**valid, name: value}

    for name, (limit, required) in endpoint.text.items():
        cases += [
            Case(f"{name} over-long", with_(name, "x" * (limit + 1)), REJECT),
            Case(f"{name} 100k", with_(name, "y" * 100_000), REJECT),
            Case(f"{name} NUL", with_(name, "before\x00after"), REJECT),
            Case(f"{name} only NUL", with_(name, "\x00"), REJECT),
            Case(f"{name} emoji", with_(name, EMOJI), ACCEPT),
            Case(f"{name} right-to-left", with_(name, RTL), ACCEPT),
            Case(f"{name} combining", with_(name, COMBINING), ACCEPT),
            Case(f"{name} html", with_(name, HTML), ACCEPT),
            Case(
                f"{name} CR/LF",
                with_(name, CRLF),
                REJECT if name in endpoint.single_line else ACCEPT,
            ),
        ]
        if required:
            cases += [
                Case(f"{name} empty", with_(name, ""), REJECT),
                Case(f"{name} whitespace", with_(name, " \t\r\n\u00a0 "), REJECT),
                Case(f"{name} missing", {k: v for k, v in valid.items() if k != name}, REJECT),
            ]
    for name in endpoint.choices:
        for bad in ("not-a-choice", "\x00", HTML, "UP", " busy"):
            cases.append(Case(f"{name} unknown {bad!r}", with_(name, bad), REJECT))
        if name != "policy":
            cases.append(Case(f"{name} empty", with_(name, ""), REJECT))
    for name, foreign in endpoint.ids.items():
        for bad in ("-1", "0", str(HUGE), str(-HUGE), "abc", "1.5", "1e3", "\x00", " "):
            if bad == " " and name == "slot":
                continue  # an empty slot is "no slot": a valid choice there
            cases.append(Case(f"{name} id {bad!r}", with_(name, bad), REJECT))
        cases.append(Case(f"{name} of another program", with_(name, foreign(world)), REJECT))
    for name in endpoint.datetimes:
        for bad in (
            "abc",
            "2026-02-30T10:00",
            "2030-01-01T24:00",
            "\x00",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            "2030-01-01T10:00\r\nX-Injected: 1",
        ):
            data = with_(name, bad)
            data.pop("slot", None)
            cases.append(Case(f"{name} {bad!r}", data, REJECT))
    for name in endpoint.urls:
        for bad in (
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://",
            "ftp://files.example.org/x",
            "https://exa mple.org",
            "https://example.org/\x00",
            "https://example.org/" + "a" * 500,
            "https://[::1",
        ):
            cases.append(Case(f"{name} {bad[:40]!r}", with_(name, bad), REJECT))
    for name, (low, high) in endpoint.ints.items():
        for bad in (str(low - 1), str(high + 1), str(HUGE), "abc", "1.5", "\x00", ""):
            cases.append(Case(f"{name} {bad!r}", with_(name, bad), REJECT))
    cases += endpoint.more_cases(world)
    if endpoint.name != "login":
        mass = {
            key: value.format(foreign=world.foreign.pk, other=world.asking.pk)
            for key, value in MASS_ASSIGNMENT.items()
            if key not in valid  # a real field of this form is not mass assignment
        }
        cases.append(Case("mass assignment", {**valid, **mass}, ACCEPT))
    cases.append(Case("1001 fields", {**valid, **{f"f{i}": "x" for i in range(1001)}}, REJECT))
    return cases


# --- running a case -----------------------------------------------------------------------------

READABLE = (
    'class="field-error"',
    'class="form-errors"',
    "errorlist",
    "message-error",
    "We could not read that request",
    "Page not found",
)


def _error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level >= message_levels.ERROR]


def _refusal_problem(response) -> str | None:
    """None when the response is a clear refusal, else what is wrong with it."""
    status = response.status_code
    body = response.content.decode(errors="replace")
    if 400 <= status < 500:
        if any(mark in body for mark in READABLE):
            return None
        return f"{status} without a readable message"
    if status == 200 and any(mark in body for mark in READABLE[:3]):
        return None  # the form shown again with its errors (the login page does this)
    if status == 302 and _error_messages(response):
        return None  # POST-redirect-GET with an error message
    return f"answered {status} and no error"


def run_case(client: Client, endpoint: Endpoint, world, case: Case) -> str | None:
    url = endpoint.url(world)
    client.cookies.pop("messages", None)  # only this case's messages count
    before = db_snapshot()
    try:
        response = client.post(url, {**case.data, "csrfmiddlewaretoken": client.csrf_token})
    except Exception as error:  # the test client re-raises what would be a 500
        return f"500: {type(error).__name__}: {error}"[:300]
    if response.status_code >= 500:
        return f"{response.status_code}"
    if case.expect == REJECT:
        problem = _refusal_problem(response)
        if problem:
            return problem
        if db_snapshot() != before:
            return "the database changed"
        return None
    if response.status_code >= 400 or _error_messages(response):
        messages = _error_messages(response)
        return f"refused valid input: {response.status_code} {messages}"
    if case.label == "mass assignment" and endpoint.mass_check:
        endpoint.mass_check(world)
    user = User.objects.filter(username="mentee").first()
    assert user is None or not (user.is_staff or user.is_superuser)
    return None


def _signed_in(world, endpoint: Endpoint) -> Client:
    """A client that checks CSRF like a browser's requests are checked, with its token
    (so that CsrfViewMiddleware reads the POST body first, as in production)."""
    client = Client(enforce_csrf_checks=True)
    if endpoint.user:
        client.force_login(getattr(world, endpoint.user))
    client.get(reverse("login"))
    client.csrf_token = client.cookies["csrftoken"].value
    return client


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_bad_input(endpoint):
    world = build_world()
    client = _signed_in(world, endpoint)
    failures = []
    for case in cases_for(endpoint, world):
        try:
            with transaction.atomic():
                problem = run_case(client, endpoint, world, case)
                transaction.set_rollback(True)
        except AssertionError as error:
            problem = f"check failed: {error}"
        if problem:
            failures.append(f"{case.label}: {problem}")
    assert failures == [], f"{endpoint.name}:\n" + "\n".join(failures)


# --- URL parameters ------------------------------------------------------------------------------

ID_URLS = [
    ("portal:connection_detail", "/connections/{}/"),
    ("portal:request_accept", "/requests/{}/accept/"),
    ("portal:connection_goals", "/connections/{}/goals/"),
    ("portal:goal_add", "/connections/{}/goals/add/"),
    ("portal:goal_update", "/connections/{}/goals/1/"),
    ("portal:connection_notes", "/connections/{}/notes/"),
    ("portal:note_add", "/connections/{}/notes/add/"),
    ("portal:extension_request", "/connections/{}/extension/ask/"),
    ("portal:extension_accept", "/connections/{}/extension/accept/"),
    ("flash_meetings:detail", "/meetings/{}/"),
    ("flash_meetings:ics", "/meetings/{}/invite.ics"),
    ("flash_meetings:request", "/meetings/request/{}/"),
    ("flash_meetings:request_in_connection", "/meetings/connection/{}/request/"),
    ("flash_meetings:follow_up", "/meetings/{}/follow-up/"),
    ("surveys:meeting", "/surveys/meetings/{}/"),
    ("surveys:connection", "/surveys/connections/{}/check-in/"),
    ("surveys:connection_submit", "/surveys/connections/{}/closing/answer/"),
    ("portal:mentor_profile", "/programs/harbour/mentors/{}/"),
    ("portal:preferred_move", "/preferred/{}/move/"),
]
BAD_IDS = ["-1", "0", str(HUGE), str(2**63), "99999999999999999999999999", "abc", "1.0", "%00"]


def test_bad_ids_in_urls_are_404():
    world = build_world()
    client = Client()
    client.force_login(world.mentee)
    failures = []
    for _name, pattern in ID_URLS:
        for bad in BAD_IDS:
            url = pattern.format(bad)
            try:
                get = client.get(url)
                post = client.post(url)
            except Exception as error:
                failures.append(f"{url}: {type(error).__name__}: {error}")
                continue
            # 405 for the method a view does not take; 404 for the one it does.
            statuses = {get.status_code, post.status_code}
            if not statuses <= {404, 405} or 404 not in statuses:
                failures.append(f"{url}: GET {get.status_code} POST {post.status_code}")
            elif get.status_code == 404 and b"Page not found" not in get.content:
                failures.append(f"{url}: 404 without the readable page")
    assert failures == []


def _unsubscribe_tokens(world) -> dict[str, str]:
    """Tokens the unsubscribe link must refuse, readably: (label: path segment)."""
    from django.core import signing

    good = make_token(user_id=world.mentee.pk, kind="flash_meeting_reminder")
    value, stamp, signature = good.split(":")
    other = make_token(user_id=world.mentor.pk, kind="flash_meeting_reminder").split(":")[0]

    def signed(payload) -> str:
        return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign_object(payload)

    other_stamp = stamp[:-1] + ("1" if stamp.endswith("0") else "0")
    return {
        "another person's id, this signature": f"{other}:{stamp}:{signature}",
        "signature changed": f"{value}:{stamp}:{signature[::-1]}",
        # Always another stamp: replacing its last character with "0" left it as it was
        # whenever it already ended in "0" (1 signing time in 62), and the link worked.
        "time stamp changed": f"{value}:{other_stamp}:{signature}",
        "cut short": good[:-3],
        "no signature": value,
        "expired (61 days)": aged_unsubscribe_token(
            user_id=world.mentee.pk, kind="flash_meeting_reminder", days=61
        ),
        "signed for another purpose": signing.dumps(
            {"u": world.mentee.pk, "k": "flash_meeting_reminder"}
        ),
        "signed, unknown kind": signed({"u": world.mentee.pk, "k": "no_such_kind"}),
        "signed, no such person": signed({"u": HUGE, "k": "flash_meeting_reminder"}),
        "signed, id not a number": signed({"u": "1", "k": "flash_meeting_reminder"}),
        "signed, a list": signed([world.mentee.pk]),
        "garbage": "garbage",
        "colons only": "::",
        "NUL": "%00",
        "emoji": "%F0%9F%99%82",
        "right-to-left": "%E2%80%AEabc",
        "html": "%3Cb%20onmouseover%3D%22x%22%3Ebold",
        "10,000 characters": "a" * 10_000,
        "not UTF-8": "%FF%FE",
    }


def test_tampered_expired_and_garbage_unsubscribe_tokens_are_readable_4xx():
    world = build_world()
    failures = []
    anonymous = Client(enforce_csrf_checks=True)
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(world.mentee)
    for label, token in _unsubscribe_tokens(world).items():
        url = f"/notifications/unsubscribe/{token}/"
        for who, client in (("anonymous", anonymous), ("signed in", signed_in)):
            for method in ("get", "post"):
                before = db_snapshot()
                try:
                    response = getattr(client, method)(url, {"List-Unsubscribe": "One-Click"})
                except Exception as error:  # the test client re-raises what would be a 500
                    failures.append(f"{label} {who} {method}: {type(error).__name__}: {error}")
                    continue
                problem = _refusal_problem(response)
                if problem or response.status_code not in (400, 410):
                    failures.append(f"{label} {who} {method}: {response.status_code} {problem}")
                if db_snapshot() != before:
                    failures.append(f"{label} {who} {method}: the database changed")
    assert failures == []


DIRECTORY_QUERIES = [
    {"page": "abc"},
    {"page": "-1"},
    {"page": "0"},
    {"page": "99999"},
    {"page": str(HUGE)},
    {"page": "1e9"},
    {"page": "\x00"},
    {"q": "x" * 10_000},
    {"q": "a\x00b"},
    {"q": HTML},
    {"q": EMOJI},
    {"q": RTL},
    {"q": COMBINING},
    {"q": "%"},
    {"q": "_"},
    {"q": "' OR 1=1 --"},
    {"q": " ".join(["word"] * 500)},
    {"q": ["a", "b"], "page": ["1", "2"]},
]


def test_query_strings_never_break_the_directory():
    world = build_world()
    MentorMembershipFactory.create_batch(3, program=world.program)
    client = Client()
    client.force_login(world.mentee)
    url = reverse("portal:directory", args=[world.program.slug])
    failures = []
    for query in DIRECTORY_QUERIES:
        try:
            response = client.get(url, query)
        except Exception as error:
            failures.append(f"{query}"[:60] + f": {type(error).__name__}: {error}")
            continue
        body = response.content.decode()
        if response.status_code != 200:
            failures.append(f"{query}"[:60] + f": {response.status_code}")
        elif "<script>alert" in body:
            failures.append(f"{query}"[:60] + ": unescaped")
    assert failures == []


def test_login_page_query_strings():
    client = Client()
    for query in ({"next": "\x00"}, {"next": "x" * 10_000}, {"next": HTML}):
        response = client.get(reverse("login"), query)
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


# --- escaping on pages and in emails; CR/LF stays out of headers --------------------------------


def test_html_and_crlf_from_people_come_out_escaped_and_on_one_line(
    django_capture_on_commit_callbacks,
):
    world = build_world()
    world.mentee.display_name = "Eve\r\nBcc: victim@example.org <b>x</b>"
    world.mentee.save(update_fields=["display_name"])
    client = Client()
    client.force_login(world.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:connect", args=[world.program.slug, world.second_mentor_membership.pk]),
            {"message": HTML + "\r\n" + CRLF},
        )
        assert response.status_code == 302
        response = client.post(
            reverse("flash_meetings:request", args=[world.mentor_membership.pk]),
            {"topic": HTML, "message": CRLF, "slot": world.slot.pk},
        )
        assert response.status_code == 302
    meeting_url = response["Location"]

    # Pages: the mentor's list of requests and the meeting page.
    mentor = Client()
    mentor.force_login(world.mentor)
    second = Client()
    second.force_login(world.second_mentor_membership.user)
    for client, page in ((second, reverse("portal:requests_received")), (mentor, meeting_url)):
        html = client.get(page).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html, page
        assert "<b onmouseover" not in html

    # Emails: HTML parts escaped, subjects on one line, no injected header.
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        html = message.alternatives[0][0]
        assert "<script>alert" not in html and "<b>x</b>" not in html
        parsed = message_from_bytes(message.message().as_bytes())
        assert parsed.get_all("Bcc") is None
        assert parsed.get_all("Subject") and len(parsed.get_all("Subject")) == 1
        assert parsed.get_all("X-Injected") is None


# --- error pages --------------------------------------------------------------------------------


def test_too_many_fields_is_a_readable_400_not_a_500():
    world = build_world()
    endpoint = next(e for e in ENDPOINTS if e.name == "connect")
    client = _signed_in(world, endpoint)
    data = {f"f{i}": "x" for i in range(1001)}
    response = client.post("/", {**data, "csrfmiddlewaretoken": client.csrf_token})
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()


def test_error_pages_are_readable(client):
    from django.test import RequestFactory
    from django.views import defaults

    response = client.get("/no/such/page/")
    assert response.status_code == 404 and b"Page not found" in response.content
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(UserFactory())
    response = csrf.post(reverse("logout"))
    assert response.status_code == 403 and b"This form has expired" in response.content
    request = RequestFactory().get("/")
    request.user = UserFactory.build()
    response = defaults.permission_denied(request, exception=None)
    assert response.status_code == 403 and b"You can't do that here" in response.content


def test_the_500_page_needs_no_database_and_no_context_processors(django_assert_num_queries):
    from django.test import RequestFactory
    from django.views import defaults

    with django_assert_num_queries(0):
        response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


# --- Hypothesis over form data -------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # no lone surrogates (not UTF-8)
    max_size=300,
)
VALUE = st.one_of(
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        ["", " ", "\x00", "busy", "down", "up", "no_thanks", "connect", "2030-01-01T10:00"]
    ),
)

FUZZED = {
    "connect": ["message"],
    "account_profile": ["display_name", "time_zone"],
    "account_email": ["email", "password"],
    "password_reset": ["email"],
    "request_decline": ["reason", "note"],
    "meeting_request": ["topic", "message", "slot", "proposed_1", "proposed_2"],
    "meeting_accept": ["proposed_time", "location", "video_url"],
    "availability": ["program", "day", "at", "repeat_weeks"],
    "follow_up": ["choice", "policy", "message"],
    "email_preferences": ["send"],
}


@pytest.mark.parametrize("name", sorted(FUZZED))
def test_random_form_data_never_gives_a_500(name):
    endpoint = next(e for e in ENDPOINTS if e.name == name)
    world = build_world()
    client = _signed_in(world, endpoint)
    keys = FUZZED[name]
    data_strategy = st.dictionaries(
        st.one_of(st.sampled_from(keys), TEXT.filter(bool)), VALUE, max_size=len(keys) + 2
    )

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(data=data_strategy)
    def check(data):
        with transaction.atomic():
            before = db_snapshot()
            try:
                response = client.post(
                    endpoint.url(world), {**data, "csrfmiddlewaretoken": client.csrf_token}
                )
            except Exception as error:
                raise AssertionError(f"500 for {data!r}: {error!r}") from error
            assert response.status_code < 500, data
            if response.status_code >= 400:
                assert db_snapshot() == before, data
            transaction.set_rollback(True)

    check()


def test_count_of_bad_input_cases(capsys):
    """How many bad-input cases this module runs (for the closing note); independent of
    the order tests run in."""
    world = build_world()
    table = sum(len(cases_for(endpoint, world)) for endpoint in ENDPOINTS)
    urls = len(ID_URLS) * len(BAD_IDS) * 2  # GET and POST
    queries = len(DIRECTORY_QUERIES) + 3  # directory and login query strings
    hypothesis = 40 * len(FUZZED)
    total = table + urls + queries + hypothesis
    assert table > 250
    with capsys.disabled():
        print(
            f"\n[bad input] {table} table cases over {len(ENDPOINTS)} endpoints, {urls} URL-id "
            f"requests, {queries} query strings, up to {hypothesis} Hypothesis examples: {total}"
        )
