"""Issue 16, Hardening II: values at the edge of their type, on the site's forms.

* Dates at the edge of the calendar (year 1, year 9999) entered by people east and west
  of UTC: a form error that says the accepted range, never the ``OverflowError`` of the
  time-zone conversion (a 500). People's dates lie from today up to two years ahead
  (``mentoring.dates``); what an admin stores lies in 2000..2100.
* Single-line fields (names, topics, locations, headlines) refuse line breaks and
  control characters, on every door (the model fields carry the validator); multi-line
  texts refuse control characters other than tab and line breaks, and come out in the
  plain-text emails as quoted lines ("> ") that cannot pass for the email's own.
* The bad-input sweep's edge table: every site form of ``test_bad_input.ENDPOINTS`` gets
  Unicode line separators and control characters in its text fields, -1 / 0 / 2**31 /
  2**63 / NaN / inf in its number fields, and year 1 / year 9999 / impossible dates in
  its date fields, the latter with the person in zones far east and far west of UTC.
  Same rules as the sweep: every answer < 500, a refusal is a form error (or a 4xx page
  or an error message) and leaves the database as it was.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from flash_meetings.models import AvailabilitySlot, FlashMeeting, ProposedTime
from flash_meetings.timezones import UnrepresentableTime, localize_naive, make_aware_in
from mentoring import dates
from mentoring.models import Membership
from mentoring.validators import validate_plain_text, validate_single_line
from notifications.registry import all_kinds
from notifications.rendering import render_kind
from tests.hardening.snapshots import db_snapshot
from tests.hardening.test_bad_input import (
    ACCEPT,
    ENDPOINTS,
    REJECT,
    Case,
    Endpoint,
    _signed_in,
    build_world,
    run_case,
)
from tests.participation.test_admin import _data as membership_admin_data

pytestmark = pytest.mark.django_db

# East and west of UTC in year 1 too (zoneinfo uses local mean time before a zone's
# first rule: Auckland +11:39, Tokyo +9:19, Pago Pago +12:37 then -11, Los Angeles -7:53).
EAST = ("Pacific/Auckland", "Asia/Tokyo")
WEST = ("Pacific/Pago_Pago", "America/Los_Angeles")  # UTC-11, UTC-8/-7


def _run(endpoint: Endpoint, world, cases: list[Case]) -> list[str]:
    client = _signed_in(world, endpoint)
    failures = []
    for case in cases:
        try:
            with transaction.atomic():
                problem = run_case(client, endpoint, world, case)
                transaction.set_rollback(True)
        except AssertionError as error:
            problem = f"check failed: {error}"
        if problem:
            failures.append(f"{endpoint.name}: {case.label}: {problem}")
    return failures


# --- 1. dates at the edge of the calendar ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "at", "zone"),
    [
        (date(1, 1, 1), time(0, 0), "Asia/Tokyo"),
        (date(1, 1, 1), time(11, 38), "Pacific/Auckland"),
        (date(9999, 12, 31), time(23, 59), "America/Los_Angeles"),
        (date(9999, 12, 31), time(14, 0), "Pacific/Pago_Pago"),
    ],
)
def test_a_time_with_no_utc_instant_is_a_value_error_with_a_message(day, at, zone):
    """The conversion's ``OverflowError`` becomes the ``ValueError`` the forms and the
    availability service already turn into a form error."""
    with pytest.raises(UnrepresentableTime, match="outside the calendar"):
        make_aware_in(day, at, zoneinfo.ZoneInfo(zone))
    with pytest.raises(ValueError, match="outside the calendar"):
        localize_naive(datetime.combine(day, at), zoneinfo.ZoneInfo(zone))
    # The same edge days at times that do fit are still converted.
    assert make_aware_in(date(1, 1, 1), time(12), zoneinfo.ZoneInfo("Asia/Tokyo")).year == 1


def _zone_cases(endpoint: Endpoint, world) -> list[Case]:
    valid = endpoint.valid(world)
    today = timezone.now().date()
    beyond = dates.latest_for_people(today) + timedelta(days=2)
    if endpoint.name == "availability":
        name, values = "day", ("0001-01-01", "0001-01-02", "9999-12-31", beyond.isoformat())
    elif endpoint.name == "participation_mentor":
        name, values = "paused_until", ("0001-01-01", "9999-12-31", beyond.isoformat())
    else:
        name = "proposed_1" if endpoint.name == "meeting_request" else "starts_at"
        values = (
            "0001-01-01T00:00",
            "0001-01-01T23:59",
            "0001-01-02T00:00",
            "9999-12-31T23:59",
            "9999-12-31T00:00",
            "2099-12-31T23:59",
            f"{beyond.isoformat()}T10:00",
        )
    cases = []
    for value in values:
        data = {**valid, name: value}
        data.pop("slot", None)
        cases.append(Case(f"{name} {value}", data, REJECT))
    return cases


ZONED = ("meeting_request", "meeting_propose", "availability", "participation_mentor")


@pytest.mark.parametrize("zone", [*EAST, *WEST])
def test_calendar_edge_dates_are_form_errors_east_and_west_of_utc(zone):
    """Year 1 east of UTC and year 9999 west of it have no UTC instant; today's code
    answered the meeting request, propose and availability forms with a 500 there, and
    took a pause until 9999-12-31. Each is a form error now, and nothing is saved."""
    world = build_world()
    for person in (world.mentor, world.mentee):
        person.time_zone = zone
        person.save(update_fields=["time_zone"])
    failures = []
    for endpoint in (e for e in ENDPOINTS if e.name in ZONED):
        failures += _run(endpoint, world, _zone_cases(endpoint, world))
    assert failures == []


def test_the_date_error_says_the_accepted_range(client):
    world = build_world()
    world.mentee.time_zone = "Asia/Tokyo"
    world.mentee.save(update_fields=["time_zone"])
    client.force_login(world.mentee)
    response = client.post(
        reverse("flash_meetings:request", args=[world.mentor_membership.pk]),
        {"topic": "Moving on", "proposed_1": "0001-01-01T00:00"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["proposed_1"]
    today = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).date()
    latest = dates.latest_for_people(today)
    assert errors == [
        f"Pick a date from today ({today.day} {today:%B %Y}) up to "
        f"{latest.day} {latest:%B %Y}, two years ahead."
    ]
    assert not FlashMeeting.objects.filter(topic="Moving on").exists()


def test_a_pause_more_than_two_years_ahead_is_refused_by_the_service_too():
    """The admin's membership page and the participation page both save through
    ``membership_update``; its own check names the limit."""
    from matching import services
    from matching.errors import ParticipationRefused

    world = build_world()
    far = dates.latest_for_people(dates.today_in()) + timedelta(days=1)
    with pytest.raises(ParticipationRefused) as refused:
        services.membership_update(
            membership=world.mentor_membership,
            actor=world.mentor,
            changes={"paused_until": far},
        )
    assert refused.value.code == "pause_too_far_ahead"
    services.membership_update(
        membership=world.mentor_membership,
        actor=world.mentor,
        changes={"paused_until": far - timedelta(days=1)},
    )


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_the_membership_admin_refuses_a_pause_at_the_calendar_edge(admin_client, value):
    world = build_world()
    membership = world.mentor_membership
    url = reverse("admin:mentoring_membership_change", args=[membership.pk])
    before = db_snapshot()
    response = admin_client.post(url, membership_admin_data(membership, paused_until=value))
    assert response.status_code == 200
    assert "paused_until" in response.context["adminform"].form.errors
    assert db_snapshot() == before


def _meeting_admin_data(meeting, **overrides) -> dict:
    data = {
        "program": meeting.program_id,
        "mentor": meeting.mentor_id,
        "mentee": meeting.mentee_id,
        "topic": meeting.topic,
        "message": "",
        "status": meeting.status,
        "starts_at_0": meeting.starts_at.date().isoformat(),
        "starts_at_1": "10:00",
        "ends_at_0": meeting.ends_at.date().isoformat(),
        "ends_at_1": "10:30",
        "proposed_times-TOTAL_FORMS": "0",
        "proposed_times-INITIAL_FORMS": "0",
        "proposed_times-MIN_NUM_FORMS": "0",
        "proposed_times-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("zone", "field", "day", "at"),
    [
        ("Asia/Tokyo", "starts_at", "0001-01-01", "00:00"),
        ("America/Los_Angeles", "ends_at", "9999-12-31", "23:59"),
        ("UTC", "starts_at", "1999-12-31", "10:00"),
        ("UTC", "ends_at", "2101-01-01", "10:00"),
    ],
)
def test_the_meeting_admin_refuses_moments_outside_2000_to_2100(
    admin_client, superuser, zone, field, day, at
):
    world = build_world()
    superuser.time_zone = zone
    superuser.save(update_fields=["time_zone"])
    meeting = world.scheduled
    url = reverse("admin:flash_meetings_flashmeeting_change", args=[meeting.pk])
    valid = admin_client.post(url, _meeting_admin_data(meeting, topic="Checked"))
    assert valid.status_code == 302, valid.context["adminform"].form.errors
    before = db_snapshot()
    data = _meeting_admin_data(meeting, **{f"{field}_0": day, f"{field}_1": at})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert db_snapshot() == before


def test_stored_moments_carry_the_sane_range():
    """What an admin (or the API) enters for a meeting, a slot, a proposed time, a
    connection or a pause is validated on the model field, so no door skips it."""
    from matching.models import Connection

    fields = [
        (FlashMeeting, "starts_at"),
        (FlashMeeting, "ends_at"),
        (FlashMeeting, "expires_at"),
        (AvailabilitySlot, "starts_at"),
        (AvailabilitySlot, "ends_at"),
        (ProposedTime, "starts_at"),
        (ProposedTime, "ends_at"),
        (Connection, "started_at"),
        (Connection, "ended_at"),
        (Membership, "paused_until"),
    ]
    for model, name in fields:
        validators = model._meta.get_field(name).validators
        assert {dates.validate_sane_moment, dates.validate_sane_date} & set(validators), name
    with pytest.raises(ValidationError):
        dates.validate_sane_moment(datetime(1, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC")))
    dates.validate_sane_moment(timezone.now())


# --- 2. single-line fields and multi-line texts ------------------------------------------------

# CharFields that are not text people type: choices, keys, hashes, codes, snapshots.
NOT_TYPED = {
    "mentoring.User.username",  # its own validator allows letters, digits and @.+-_ only
    "mentoring.User.password",
    "mentoring.User.time_zone",  # validate_time_zone: a name from the list
    "mentoring.User.language",  # validate_language: a code of settings.LANGUAGES
    "mentoring.Program.slug",
    "mentoring.Program.language",  # validate_language
    "notifications.Notification.kind",
    "notifications.Notification.dedupe_key",
    "notifications.EmailOptOut.kind",
    "portal.PasswordResetRequest.email_digest",
    "flash_meetings.FlashMeeting.follow_up_offer_reason",
    "flash_meetings.FlashMeeting.follow_up_policy",
    "surveys.Answer.question_text",  # a copy of Question.text as it was asked
}
INTERNAL_TEXT = {"notifications.Notification.last_error"}
INTERNAL_TEXT |= {"notifications.Notification.suppressed_reason"}
APPS = ("mentoring", "matching", "flash_meetings", "surveys", "portal", "notifications")


def _typed_fields(kind) -> list[tuple[str, models.Field]]:
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for model_field in model._meta.get_fields():
                if type(model_field) is not kind or model_field.choices:
                    continue
                if not getattr(model_field, "editable", False):
                    continue
                found.append((f"{model._meta.label}.{model_field.name}", model_field))
    return found


def test_every_single_line_model_field_refuses_line_breaks():
    """Every CharField people type (names, topics, locations, headlines, question
    texts…) carries ``validate_single_line``, so the site, admin and API all refuse it;
    a new CharField must choose (or be listed above as not typed by people)."""
    missing = [
        name
        for name, model_field in _typed_fields(models.CharField)
        if name not in NOT_TYPED and validate_single_line not in model_field.validators
    ]
    assert missing == []


def test_every_multi_line_model_text_refuses_control_characters():
    missing = [
        name
        for name, model_field in _typed_fields(models.TextField)
        if name not in INTERNAL_TEXT and validate_plain_text not in model_field.validators
    ]
    assert missing == []


@pytest.mark.parametrize(
    "value",
    ["a\rb", "a\nb", "a\u2028b", "a\u2029b", "a\x85b", "a\x0bb", "a\x0cb", "a\tb", "a\x1bb"],
)
def test_single_line_refuses_every_kind_of_line_break_and_control(value):
    with pytest.raises(ValidationError):
        validate_single_line(value)


def test_multi_line_text_keeps_line_breaks_and_tabs_only():
    validate_plain_text("Dear mentor,\r\n\tfirst line\nsecond\u2028line")
    for bad in ("a\x00b", "a\x1b[31mred", "a\x0cb", "a\x7fb", "a\x9bb"):
        with pytest.raises(ValidationError):
            validate_plain_text(bad)


FAKE = (
    "Thanks!\r\n\r\nAnswer the request: https://evil.example/login\r\n"
    "-- \nThe Harbour Program team\u2028Unsubscribe: https://evil.example/u\x0cend"
)
PEOPLES_TEXT = ("message", "reason", "note", "cancel_message")
NUMBERS_SHOWN = {"valid_hours": 24, "days": 3, "days_after": 3, "expiry_days": 14, "days_left": 2}
REASON_IS_A_LABEL = ("connection_request_declined", "connection_request_closed")


def test_peoples_texts_are_quoted_lines_in_every_plain_text_email():
    """Whatever a person writes in a message, a note or a reason, each of its lines in
    the plain-text part starts with "> " (so "Answer the request: https://evil…" cannot
    pass for the email's own link), and the HTML part keeps it escaped, line by line."""
    world = build_world()
    failures = []
    for kind in all_kinds():
        if kind.name == "test_message":
            continue  # written by a program admin to test the mail set-up
        # There "reason" is the label of the reason chosen from a list, not typed.
        labels = ("reason",) if kind.name in REASON_IS_A_LABEL else ()
        rendered = render_kind(
            kind=kind,
            context={name: FAKE for name in PEOPLES_TEXT if name not in labels} | NUMBERS_SHOWN,
            recipient=world.mentor,
            program=world.program,
        )
        for line in rendered.text.splitlines():
            if "evil.example" in line and not line.startswith("> "):
                failures.append(f"{kind.name}: {line!r}")
            if "\x0c" in line or "\u2028" in line:
                failures.append(f"{kind.name}: control character kept in {line!r}")
        if "evil.example" in rendered.text:
            assert "&lt;" not in FAKE  # (nothing to escape; lines kept apart with <br>)
            assert "<br>Answer the request" in rendered.html.replace("\n", ""), kind.name
    assert failures == []


def test_the_quoted_filter():
    from notifications.templatetags.email_text import quoted

    assert quoted("one\r\ntwo\n\nthree") == "> one\n> two\n>\n> three"
    assert quoted("a\x00b\u2028c\x85d") == "> ab\n> c\n> d"
    assert quoted("") == ">"


# --- 3. the sweep's edge table -----------------------------------------------------------------

NUMBERS = ("-1", "0", str(2**31), str(2**31 - 1), str(2**63), str(-(2**63)), "NaN", "inf", "1e3")
LINE_AND_CONTROL = {
    "unicode line separator": "one\u2028two",
    "paragraph separator": "one\u2029two",
    "NEL": "one\x85two",
    "escape sequence": "red \x1b[31mtext",
    "form feed": "page\x0cbreak",
    "DEL": "a\x7fb",
}


def edge_cases(endpoint: Endpoint, world) -> list[Case]:
    """The edge values ``test_bad_input.cases_for`` does not already try."""
    valid = endpoint.valid(world)
    cases = []
    for name in endpoint.text:
        for label, value in LINE_AND_CONTROL.items():
            single = name in endpoint.single_line
            # A Unicode line separator is a line break in a multi-line text: fine there.
            expect = ACCEPT if not single and "separator" in label else REJECT
            cases.append(Case(f"{name} {label}", {**valid, name: value}, expect))
        if name not in endpoint.single_line:
            cases.append(Case(f"{name} tab", {**valid, name: "a\tb"}, ACCEPT))
    for name, (low, high) in endpoint.ints.items():
        for value in NUMBERS:
            number = float(value) if value not in ("NaN", "inf") else None
            expect = ACCEPT if number is not None and low <= number <= high else REJECT
            if value == "1e3":
                expect = REJECT  # not a whole number as forms read them
            cases.append(Case(f"{name} {value}", {**valid, name: value}, expect))
    for name in endpoint.ids:
        for value in (str(2**31), str(2**63), str(-(2**63)), "NaN"):
            cases.append(Case(f"{name} id {value}", {**valid, name: value}, REJECT))
    return cases


EXTRA_INTS = {
    "participation_mentor": {"max_ongoing_mentees": (0, 5)},
}


def _survey_edge_cases(world) -> list[Case]:
    from surveys import selectors as survey_selectors
    from surveys.models import Question
    from tests.hardening.test_bad_input import _survey_valid

    valid = _survey_valid(world)
    page = survey_selectors.survey_page(meeting=world.ended, respondent=world.mentee)
    cases = []
    for question in page.questions:
        name = f"q_{question.pk}"
        if question.kind == Question.Kind.RATING:
            for value in (str(2**31), str(2**63), "NaN", "inf", "-0", "4\x00"):
                cases.append(Case(f"{name} rating {value!r}", {**valid, name: value}, REJECT))
        elif question.kind in (Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT):
            long = question.kind == Question.Kind.LONG_TEXT
            for label, value in LINE_AND_CONTROL.items():
                expect = ACCEPT if long and "separator" in label else REJECT
                cases.append(Case(f"{name} {label}", {**valid, name: value}, expect))
            cases.append(
                Case(f"{name} CR/LF", {**valid, name: "a\r\nb"}, ACCEPT if long else REJECT)
            )
    return cases


def test_edge_values_on_every_site_form(capsys):
    """Every people-facing form of the sweep: line separators and control characters
    in each text field, the edges of the integers in each number and id field, NaN and
    inf; answers < 500, refusals are form errors and change nothing."""
    world = build_world()
    failures = []
    total = 0
    for endpoint in ENDPOINTS:
        cases = edge_cases(endpoint, world)
        for name, bounds in EXTRA_INTS.get(endpoint.name, {}).items():
            extra = Endpoint(endpoint.name, endpoint.user, endpoint.url, endpoint.valid)
            extra.ints = {name: bounds}
            cases += edge_cases(extra, world)
        if endpoint.name == "survey_submit":
            cases += _survey_edge_cases(world)
        total += len(cases)
        failures += _run(endpoint, world, cases)
    assert total > 150
    with capsys.disabled():
        print(f"\n[edges] {total} edge cases over {len(ENDPOINTS)} site forms")
    assert failures == []
