"""Every email is written in its recipient's language and time zone.

The recipient's stored choice (``User.language``), else the program's language, else
English; their own zone for every time. Not the language of the person whose action sent
the email (the context is stored in their request), nor the worker's.
"""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from flash_meetings import services as meetings
from mentoring import when
from notifications import localized
from notifications.models import Notification
from notifications.registry import NotificationKind, all_kinds
from notifications.rendering import RenderedEmail, render_kind, render_notification
from surveys.models import Survey, Version
from surveys.services import email_title, surveys_ensure_for_program
from tests.factories import MentorMembershipFactory, ProgramFactory, UserFactory, mentee
from tests.flash_meetings.factories import AvailabilitySlotFactory

pytestmark = pytest.mark.django_db

MESES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
MONTHS = "January February March April May June July August September October November December"
DIAS = "lunes martes miércoles jueves viernes sábado domingo"
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
SPANISH_DATE = re.compile(rf"\b\d{{1,2}} de ({'|'.join(MESES.split())}) de \d{{4}}\b")
ENGLISH_DATE = re.compile(rf"\b\d{{1,2}} ({'|'.join(MONTHS.split())}) \d{{4}}\b")
# The kinds whose email prints a date or a meeting's time (from their sample context).
SHOWS_A_DATE = {
    "connection_completed",
    "connection_end_reminder",
    "connection_extended",
    "connection_extension_declined",
    "connection_extension_requested",
    "connection_extension_withdrawn",
    "connection_survey_invitation",
    "flash_meeting_accepted",
    "flash_meeting_cancelled",
    "flash_meeting_reminder",
    "flash_meeting_requested",
    "flash_meeting_time_proposed",
    "survey_reminder",
}
LEFTOVERS = ("{{", "}}", "{%", "%(", ")s")


def spanish_span(starts_at: datetime, ends_at: datetime, zone: str, city: str) -> str:
    """What a Spanish reader sees: "martes, 31 de marzo de 2026, 12:00–12:30 (hora de …)"."""
    start, end = starts_at.astimezone(ZoneInfo(zone)), ends_at.astimezone(ZoneInfo(zone))
    return (
        f"{DIAS.split()[start.weekday()]}, {start.day} de {MESES.split()[start.month - 1]} de "
        f"{start.year}, {start:%H:%M}–{end:%H:%M} (hora de {city})"
    )


def english_span(starts_at: datetime, ends_at: datetime, zone: str, city: str) -> str:
    """What an English reader sees: "Tuesday 31 March 2026, 11:00–11:30 (New York time)"."""
    start, end = starts_at.astimezone(ZoneInfo(zone)), ends_at.astimezone(ZoneInfo(zone))
    return (
        f"{DAYS.split()[start.weekday()]} {start.day} {MONTHS.split()[start.month - 1]} "
        f"{start.year}, {start:%H:%M}–{end:%H:%M} ({city} time)"
    )


@pytest.fixture
def program(db):
    return ProgramFactory(name="Women in Tech", slug="wit", language="en")


@pytest.fixture
def reader(program):
    """One recipient per language, each in a zone of their own."""

    def make(language: str, **fields) -> object:
        zone = {"es": "America/Argentina/Buenos_Aires", "en": "America/New_York"}.get(
            language, "UTC"
        )
        return UserFactory(
            username=f"reader-{language or 'none'}",
            display_name="Lucía Pérez" if language == "es" else "Grace Hopper",
            language=language,
            time_zone=zone,
            **fields,
        )

    return make


def render(kind: NotificationKind, recipient, program) -> RenderedEmail:
    return render_kind(kind=kind, context=kind.sample_context, recipient=recipient, program=program)


# --- Every kind, in each language -------------------------------------------------------


@pytest.mark.parametrize("kind", all_kinds(), ids=lambda kind: kind.name)
def test_every_kind_is_written_in_its_recipients_language(kind, reader, program):
    english = render(kind, reader("en"), program)
    spanish = render(kind, reader("es"), program)

    for email in (english, spanish):
        for part in (email.subject, email.text, email.html):
            assert part.strip()
            for leftover in LEFTOVERS:
                assert leftover not in part, f"{kind.name}: {leftover!r} left in {part!r}"
    assert '<html lang="en">' in english.html
    assert '<html lang="es">' in spanish.html
    assert spanish.subject != english.subject
    assert spanish.text != english.text
    assert spanish.html != english.html
    # The footer is ours, so it is always translated.
    assert "Elegir qué correos recibes" in spanish.text
    assert "Choose which emails you get" in english.text

    # Dates only ever in the reader's language; the kinds that print one, in both.
    for part in (spanish.subject, spanish.text, spanish.html):
        assert not ENGLISH_DATE.search(part), f"{kind.name}: English date in {part!r}"
    shows_date = kind.name in SHOWS_A_DATE
    for part in (spanish.text, spanish.html):
        assert bool(SPANISH_DATE.search(part)) == shows_date, f"{kind.name}: {part!r}"
    for part in (english.text, english.html):
        assert bool(ENGLISH_DATE.search(part)) == shows_date, f"{kind.name}: {part!r}"


def test_a_meeting_time_is_in_the_recipients_zone_and_language(reader, program):
    kind = next(kind for kind in all_kinds() if kind.name == "flash_meeting_accepted")
    starts_at = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    context = {
        **kind.sample_context,
        "meeting_when": localized.span(starts_at, starts_at + timedelta(minutes=30)),
    }
    spanish = render_kind(kind=kind, context=context, recipient=reader("es"), program=program)
    english = render_kind(kind=kind, context=context, recipient=reader("en"), program=program)
    assert "lunes, 30 de marzo de 2026, 12:00–12:30 (hora de Buenos Aires)" in spanish.text
    assert "Monday 30 March 2026, 11:00–11:30 (New York time)" in english.text


def test_our_own_words_in_a_context_are_translated_when_rendered(reader, program):
    kind = next(kind for kind in all_kinds() if kind.name == "connection_extended")
    context = {
        **kind.sample_context,
        "extended_by_name": localized.text(translation.gettext_noop("The program team")),
    }
    with translation.override("en"):  # the admin who extended it reads English
        spanish = render_kind(kind=kind, context=context, recipient=reader("es"), program=program)
    assert "El equipo del programa" in spanish.text
    assert "The program team" not in spanish.text


def test_a_surveys_title_is_the_one_written_for_the_recipients_language(reader, program):
    surveys_ensure_for_program(program=program)
    survey = Survey.objects.filter(program=program).first()
    survey.set_translation(language="es", values={"title": "Opinión sobre la reunión"})
    survey.save()
    kind = next(kind for kind in all_kinds() if kind.name == "survey_reminder")
    context = {**kind.sample_context, "survey_title": email_title(survey, Version.CANCELLED)}
    spanish = render_kind(kind=kind, context=context, recipient=reader("es"), program=program)
    english = render_kind(kind=kind, context=context, recipient=reader("en"), program=program)
    assert "Opinión sobre la reunión — la reunión no se realizó" in spanish.text
    assert f"{survey.title} — the meeting did not take place" in english.text


def test_a_row_written_before_localized_values_still_renders_its_text(reader, program):
    """Rows already in the outbox hold dates written out at the time: they pass through."""
    kind = next(kind for kind in all_kinds() if kind.name == "flash_meeting_accepted")
    old = {**kind.sample_context, "meeting_when": "Monday 30 March 2026, 09:00–09:30 (London time)"}
    email = render_kind(kind=kind, context=old, recipient=reader("es"), program=program)
    assert "Monday 30 March 2026, 09:00–09:30 (London time)" in email.text
    assert '<html lang="es">' in email.html


# --- Whose language ---------------------------------------------------------------------


def test_a_person_who_never_chose_gets_the_programs_language(reader):
    spanish_program = ProgramFactory(name="Mujeres en Tecnología", language="es")
    kind = next(kind for kind in all_kinds() if kind.name == "connection_end_reminder")
    email = render(kind, reader(""), spanish_program)
    assert '<html lang="es">' in email.html
    assert SPANISH_DATE.search(email.text)
    assert email.text.startswith("Hola, Grace Hopper")


def test_a_persons_own_choice_wins_over_the_programs(reader):
    spanish_program = ProgramFactory(name="Mujeres en Tecnología", language="es")
    kind = next(kind for kind in all_kinds() if kind.name == "connection_end_reminder")
    email = render(kind, reader("en"), spanish_program)
    assert '<html lang="en">' in email.html
    assert ENGLISH_DATE.search(email.text)


def test_the_admins_preview_shows_the_email_as_its_recipient_reads_it(reader, program):
    recipient = reader("es")
    row = Notification.objects.create(
        kind="connection_end_reminder",
        recipient=recipient,
        to_email=recipient.email,
        program=program,
        context=next(k for k in all_kinds() if k.name == "connection_end_reminder").sample_context,
        dedupe_key="preview",
    )
    with translation.override("en"):  # the admin reads English
        assert SPANISH_DATE.search(render_notification(row).text)


# --- Through the worker -----------------------------------------------------------------


def _request_a_meeting(*, mentor_membership, asker, starts_at):
    """The mentee asks in their own request: their language and zone are active."""
    slot = AvailabilitySlotFactory(
        program=mentor_membership.program,
        mentor=mentor_membership.user,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
    )
    with (
        translation.override(asker.language),
        timezone.override(when.zone_of(asker)),
    ):
        return meetings.flash_meeting_request(
            mentor_membership=mentor_membership, mentee=asker, topic="Career change", slot=slot
        )


def _starts_in_three_days() -> datetime:
    return (timezone.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)


def _parts(message) -> tuple[str, str]:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return message.body, html


def test_a_spanish_mentor_gets_an_english_mentees_request_in_spanish_and_their_zone(
    program, django_capture_on_commit_callbacks, mailoutbox
):
    mentor_membership = MentorMembershipFactory(
        program=program,
        user=UserFactory(
            username="lucia",
            display_name="Lucía Pérez",
            language="es",
            time_zone="America/Argentina/Buenos_Aires",
        ),
    )
    asker = mentee(
        program,
        user=UserFactory(
            username="eli", display_name="Eli Smith", language="en", time_zone="Europe/London"
        ),
    )
    starts_at = _starts_in_three_days()

    with django_capture_on_commit_callbacks(execute=True):  # the worker delivers it
        _request_a_meeting(mentor_membership=mentor_membership, asker=asker, starts_at=starts_at)

    (message,) = mailoutbox
    text, html = _parts(message)
    assert message.to == ["lucia@example.org"]
    assert message.subject == "Eli Smith te pide una reunión flash"
    expected = spanish_span(
        starts_at,
        starts_at + timedelta(minutes=30),
        "America/Argentina/Buenos_Aires",
        "Buenos Aires",
    )
    assert "12:00–12:30 (hora de Buenos Aires)" in expected  # 15:00 UTC, three hours behind
    for part in (text, html):
        assert expected in part
        assert "Hola, Lucía Pérez" in part
        assert "London" not in part
    assert '<html lang="es">' in html
    assert "Elegir qué correos recibes" in text


def test_an_english_mentor_gets_a_spanish_mentees_request_in_english_and_their_zone(
    program, django_capture_on_commit_callbacks, mailoutbox
):
    mentor_membership = MentorMembershipFactory(
        program=program,
        user=UserFactory(
            username="grace",
            display_name="Grace Hopper",
            language="en",
            time_zone="America/New_York",
        ),
    )
    asker = mentee(
        program,
        user=UserFactory(
            username="lucia", display_name="Lucía Pérez", language="es", time_zone="Europe/Madrid"
        ),
    )
    starts_at = _starts_in_three_days()

    with django_capture_on_commit_callbacks(execute=True):
        _request_a_meeting(mentor_membership=mentor_membership, asker=asker, starts_at=starts_at)

    (message,) = mailoutbox
    text, html = _parts(message)
    assert message.subject == "Lucía Pérez asks you for a flash meeting"
    expected = english_span(
        starts_at, starts_at + timedelta(minutes=30), "America/New_York", "New York"
    )
    for part in (text, html):
        assert expected in part
        assert "Hello Grace Hopper" in part
        assert "Madrid" not in part
    assert '<html lang="en">' in html


def test_each_persons_calendar_invite_is_in_their_language(
    program, django_capture_on_commit_callbacks, mailoutbox
):
    mentor_membership = MentorMembershipFactory(
        program=program,
        user=UserFactory(username="lucia", display_name="Lucía Pérez", language="es"),
    )
    asker = mentee(program, user=UserFactory(username="eli", display_name="Eli Smith"))
    meeting = _request_a_meeting(
        mentor_membership=mentor_membership, asker=asker, starts_at=_starts_in_three_days()
    )
    with django_capture_on_commit_callbacks(execute=True):
        meetings.flash_meeting_accept(meeting=meeting, actor=mentor_membership.user)

    invites = {
        message.to[0]: (message.subject, message.attachments[0][1].replace("\r\n ", ""))
        for message in mailoutbox
        if message.attachments
    }
    subject, invite = invites["lucia@example.org"]
    assert "Reunión flash entre Lucía Pérez y Eli Smith." in invite
    subject, invite = invites["eli@example.org"]
    assert "Flash meeting between Lucía Pérez and Eli Smith." in invite
