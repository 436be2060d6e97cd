"""Exports in admin (issue 19): connections, connection requests, flash meetings (with
their follow-up outcome) and survey responses, as CSV and XLSX, hold exactly the rows the
change list shows (search, filters, the admin's programs, whatever the query string
says), with readable headers, people by name, ISO dates and labels; no cell a spreadsheet
would run, in either format; numbers stay numbers; no import anywhere; a fixed number of
queries whatever the number of rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from import_export.admin import ImportMixin

from flash_meetings.models import FlashMeeting
from matching.models import Connection
from mentoring.exports import EXPORT_FORMATS, SafeCSV, SafeXLSX
from ongoing import services as ongoing_services
from surveys.models import SurveyResponse
from tests.admin_scoping import conftest as scoping
from tests.connections.factories import ConnectionFactory, ConnectionRequestFactory
from tests.exports.helpers import (
    HOSTILE,
    csv_dicts,
    csv_rows,
    export,
    export_url,
    formula_cells_csv,
    formula_cells_xlsx,
    xlsx_dicts,
    xlsx_rows,
    xlsx_sheet,
)
from tests.factories import MembershipFactory, ProgramFactory, UserFactory
from tests.flash_meetings.factories import FlashMeetingFactory
from tests.surveys import factories as survey_factories
from tests.surveys.conftest import ANYTHING, TALKED, USEFUL

pytestmark = pytest.mark.django_db

# The two-program world of tests/admin_scoping (Alpha's program admin, a superuser).
_module_world = scoping._module_world
world = scoping.world
alpha_client = scoping.alpha_client

# name ("<app>_<model>"), the model label in the world, the change list's program filter
EXPORTS = [
    ("matching_connection", "matching.connection", "program__id__exact"),
    ("matching_connectionrequest", "matching.connectionrequest", "program__id__exact"),
    ("flash_meetings_flashmeeting", "flash_meetings.flashmeeting", "program__id__exact"),
    ("surveys_surveyresponse", "surveys.surveyresponse", "survey__program__id__exact"),
]
FIRST_COLUMN = {
    "matching_connection": "Connection",
    "matching_connectionrequest": "Connection request",
    "flash_meetings_flashmeeting": "Meeting",
    "surveys_surveyresponse": "Response",
}
FORMATS = ["csv", "xlsx"]


def _dicts(response, fmt: str) -> list[dict]:
    return csv_dicts(response) if fmt == "csv" else xlsx_dicts(response)


def _ids(rows: list[dict], name: str) -> set[int]:
    return {int(row[FIRST_COLUMN[name]]) for row in rows}


# --- who gets which rows --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "label", "program_filter"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_a_superuser_exports_every_program_and_a_program_admin_only_theirs(
    client, world, name, label, program_filter, fmt
):
    alpha, bravo = world.alpha.pks(label), world.bravo.pks(label)
    assert alpha and bravo
    client.force_login(world.superuser)
    assert alpha | bravo <= _ids(_dicts(export(client, name, fmt), fmt), name)

    client.force_login(world.alpha_admin)
    rows = _dicts(export(client, name, fmt), fmt)
    assert _ids(rows, name) == alpha
    assert {row["Program"] for row in rows} == {"Alpha Program"}
    # A crafted query string naming the other program gives nothing of it: the rows the
    # change list shows for it (none, or all of theirs where the filter has one choice).
    query = {program_filter: world.bravo.program.pk}
    crafted = _ids(_dicts(export(client, name, fmt, query=query), fmt), name)
    app_label, model_name = label.split(".")
    listing = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), query)
    assert crafted == {obj.pk for obj in listing.context["cl"].queryset}
    assert not crafted & bravo
    # Nor do the other program's rows chosen by id (the "Export selected" action).
    chosen = export(client, name, fmt, export_items=sorted(bravo))
    assert chosen.status_code == 200 and chosen["Content-Type"].startswith("text/html")
    assert _ids(_dicts(export(client, name, fmt, export_items=sorted(alpha)), fmt), name) == alpha


@pytest.mark.parametrize(("name", "label", "program_filter"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_the_export_page_offers_csv_and_xlsx_and_the_list_links_it(
    alpha_client, world, name, label, program_filter
):
    app_label, model_name = label.split(".")
    listing = alpha_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), {"q": "x"})
    assert f'href="{export_url(name)}?q=x"' in listing.content.decode()
    page = alpha_client.get(export_url(name, {"q": "x"}))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="0">CSV</option>' in html and '<option value="1">XLSX</option>' in html
    assert html.count("<option") == 3  # "---", CSV, XLSX: no other format
    plural = page.context["opts"].verbose_name_plural
    assert f"<h1>Export {plural}</h1>" in html
    assert "<script>" not in html and " style=" not in html and "onchange" not in html
    # The format is required: nothing chosen, the page again with the error.
    again = alpha_client.post(export_url(name), {"resource": "0"})
    assert again.status_code == 200 and "This field is required." in again.content.decode()


def test_every_registered_admin_has_no_import(world):
    assert [f.__name__ for f in EXPORT_FORMATS] == ["SafeCSV", "SafeXLSX"]
    exporting = []
    for model, model_admin in admin.site._registry.items():
        assert not isinstance(model_admin, ImportMixin), model._meta.label
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:{info}_import")
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:{info}_process_import")
        if hasattr(model_admin, "get_export_formats"):
            assert model_admin.get_export_formats() == [SafeCSV, SafeXLSX]
            exporting.append(info)
    assert sorted(exporting) == sorted(name for name, _, _ in EXPORTS)


def test_export_needs_the_models_view_permission(client, world):
    for name, _label, _filter in EXPORTS:
        client.logout()
        response = client.get(export_url(name))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        client.force_login(UserFactory(username=f"bare-{name}", is_staff=True))
        assert client.get(export_url(name)).status_code == 403
        assert export(client, name).status_code == 403


# --- filters and search ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_export_follows_the_change_lists_filters_and_search(admin_client, fmt):
    program = ProgramFactory(name="Filters")
    active = ConnectionFactory(program=program, mentor__display_name="Ada Active")
    ended = ConnectionFactory(
        program=program,
        mentor__display_name="Emil Ended",
        status=Connection.Status.ENDED,
        ended_at=timezone.now(),
        end_cause=Connection.EndCause.ENDED_EARLY,
    )
    name = "matching_connection"
    by_status = _dicts(export(admin_client, name, fmt, query={"status__exact": "ended"}), fmt)
    assert [row["Connection"] for row in by_status] in ([ended.pk], [str(ended.pk)])
    assert by_status[0]["Status"] == "Ended" and by_status[0]["How it ended"] == "Ended early"
    searched = _dicts(export(admin_client, name, fmt, query={"q": "Ada Active"}), fmt)
    assert [int(row["Connection"]) for row in searched] == [active.pk]
    both = _dicts(export(admin_client, name, fmt, query={"program__id__exact": program.pk}), fmt)
    assert {int(row["Connection"]) for row in both} == {active.pk, ended.pk}


def test_invalid_filters_go_back_to_the_list_as_the_change_list_does(admin_client):
    listing = admin_client.get(
        reverse("admin:matching_connection_changelist"), {"status__exact": "x", "no_such": 1}
    )
    response = export(admin_client, "matching_connection", query={"no_such": 1})
    assert response.status_code == listing.status_code == 302
    assert response["Location"] == listing["Location"] == "/admin/matching/connection/?e=1"


# --- what a cell says -----------------------------------------------------------------------


@pytest.fixture
def hostile():
    """One row of each export whose every free text is a formula or a command."""
    program = ProgramFactory(name=HOSTILE[1])
    mentor = UserFactory(display_name=HOSTILE[0])
    mentee = UserFactory(display_name=HOSTILE[3])
    for user, role in ((mentor, "mentor"), (mentee, "mentee")):
        MembershipFactory(program=program, user=user, role=role)
    connection = ConnectionFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        ends_on=timezone.localdate() + timedelta(days=30),
    )
    ongoing_services.note_add(connection=connection, actor=mentor, body="SECRET", shared=False)
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.ENDED, ended_at=timezone.now(), end_reason=HOSTILE[4]
    )
    connection.refresh_from_db()
    request = ConnectionRequestFactory(
        program=program, mentor=mentor, mentee=mentee, message=HOSTILE[5], decline_note=HOSTILE[6]
    )
    meeting = survey_factories.meeting(
        program=program,
        status=FlashMeeting.Status.COMPLETED,
        mentor_user=mentor,
        mentee_user=mentee,
        topic=HOSTILE[2],
        follow_up_choice=FlashMeeting.FollowUpChoice.NO_THANKS,
    )
    survey_factories.answer(meeting, mentee, {USEFUL: 4, TALKED: HOSTILE[0], ANYTHING: HOSTILE[6]})
    return {
        "program": program,
        "connection": connection,
        "request": request,
        "meeting": meeting,
        "response": SurveyResponse.objects.get(flash_meeting=meeting),
    }


def _values(rows: list[list]) -> set:
    return {value for row in rows for value in row}


@pytest.mark.parametrize(("name", "label", "program_filter"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_no_cell_runs_as_a_formula_in_either_format(
    admin_client, hostile, name, label, program_filter
):
    query = {program_filter: hostile["program"].pk}
    rows = csv_rows(export(admin_client, name, "csv", query=query))
    assert len(rows) == 2, rows
    assert formula_cells_csv(rows) == []
    sheet = xlsx_sheet(export(admin_client, name, "xlsx", query=query))
    assert formula_cells_xlsx(sheet) == []
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # The same cells in both files (the workbook's numbers as numbers; XML reads a
    # carriage return back as a line feed).
    assert [[str(v) if v is not None else "" for v in row] for row in cells] == [
        [value.replace("\r", "\n") for value in row] for row in rows
    ]
    assert "'" + HOSTILE[1] in _values(rows)  # the program's name, neutralised
    typed = {"'" + value for value in HOSTILE}
    assert len(typed & _values(rows)) >= 2, _values(rows)
    assert all("SECRET" not in str(value) for value in _values(rows))  # never a private note


def test_the_hostile_values_come_out_as_typed_behind_one_apostrophe(admin_client, hostile):
    query = {"program__id__exact": hostile["program"].pk}
    for fmt in FORMATS:

        def typed(value: str, fmt: str = fmt) -> str:
            """Behind one apostrophe (a workbook reads a carriage return as a line feed)."""
            return "'" + (value if fmt == "csv" else value.replace("\r", "\n"))

        (connection,) = _dicts(export(admin_client, "matching_connection", fmt, query=query), fmt)
        assert connection["Mentor"] == typed(HOSTILE[0])
        assert connection["Mentee"] == typed(HOSTILE[3])
        assert connection["Reason for ending"] == typed(HOSTILE[4])
        (request,) = _dicts(
            export(admin_client, "matching_connectionrequest", fmt, query=query), fmt
        )
        assert request["Message"] == typed(HOSTILE[5])
        assert request["Note on declining"] == typed(HOSTILE[6])
        (meeting,) = _dicts(
            export(admin_client, "flash_meetings_flashmeeting", fmt, query=query), fmt
        )
        assert meeting["Topic"] == typed(HOSTILE[2])


def test_numbers_stay_numbers_dates_are_iso_and_choices_read_as_labels(admin_client, hostile):
    connection = hostile["connection"]
    query = {"program__id__exact": hostile["program"].pk}
    (row,) = xlsx_dicts(export(admin_client, "matching_connection", "xlsx", query=query))
    assert row["Connection"] == connection.pk and isinstance(row["Connection"], int)
    assert row["Status"] == "Ended" and row["Began with"] == "Program admin"
    started_at = connection.started_at.replace(microsecond=0)
    assert datetime.fromisoformat(row["Started at"]) == started_at
    assert row["Ends on"] == connection.ends_on.isoformat()
    assert row["Flash meeting"] is None  # an empty cell
    (csv_row,) = csv_dicts(export(admin_client, "matching_connection", "csv", query=query))
    assert csv_row["Connection"] == str(connection.pk) and csv_row["Flash meeting"] == ""
    assert datetime.fromisoformat(csv_row["Started at"]) == started_at
    # The survey's rating is a number in the workbook.
    (response,) = xlsx_dicts(
        export(
            admin_client,
            "surveys_surveyresponse",
            "xlsx",
            query={"survey__program__id__exact": hostile["program"].pk},
        )
    )
    assert response[USEFUL] == 4 and response["Response"] == hostile["response"].pk


def test_headers_are_readable(admin_client, hostile):
    query = {"program__id__exact": hostile["program"].pk}
    headers = {
        name: xlsx_rows(export(admin_client, name, "xlsx", query=query))[0]
        for name in ("matching_connection", "matching_connectionrequest")
    }
    assert headers["matching_connection"][:6] == [
        "Connection",
        "Program",
        "Mentor",
        "Mentee",
        "Status",
        "Began with",
    ]
    assert "Message" in headers["matching_connectionrequest"]
    sheet = xlsx_sheet(export(admin_client, "matching_connection", "xlsx", query=query))
    assert sheet.title == "Connections" and sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])


def test_a_flash_meeting_row_says_what_the_mentee_chose_or_that_nobody_has_yet(admin_client):
    program = ProgramFactory(name="Follow-ups")
    answered = survey_factories.meeting(
        program=program,
        status=FlashMeeting.Status.COMPLETED,
        follow_up_choice=FlashMeeting.FollowUpChoice.CONNECT,
    )
    answered.follow_up_offer_shown = True
    answered.follow_up_policy = "forced_connection"
    answered.follow_up_answered_at = timezone.now()
    answered.save()
    waiting = survey_factories.meeting(program=program, status=FlashMeeting.Status.SCHEDULED)
    not_offered = survey_factories.meeting(
        program=program,
        status=FlashMeeting.Status.COMPLETED,
        follow_up_choice=FlashMeeting.FollowUpChoice.NO_THANKS,
    )
    not_offered.follow_up_offer_shown = False
    not_offered.follow_up_offer_reason = "mentor_full"
    not_offered.save()
    query = {"program__id__exact": program.pk}
    for fmt in FORMATS:
        rows = {
            int(row["Meeting"]): row
            for row in _dicts(
                export(admin_client, "flash_meetings_flashmeeting", fmt, query=query), fmt
            )
        }
        choice = FlashMeeting.FollowUpChoice
        assert rows[answered.pk]["Follow-up outcome"] == str(choice.CONNECT.label)
        assert rows[answered.pk]["Ongoing mentoring offered"] == "yes"
        assert rows[answered.pk]["Policy in force"].startswith("Connect them")
        assert rows[waiting.pk]["Follow-up outcome"] == "Not answered yet"
        assert rows[not_offered.pk]["Follow-up outcome"] == str(choice.NO_THANKS.label)
        assert rows[not_offered.pk]["Ongoing mentoring offered"] == "no"
        assert rows[not_offered.pk]["Why no offer was shown"].endswith("(mentor_full)")


# --- queries --------------------------------------------------------------------------------


def _seed(program, count: int) -> None:
    for _ in range(count):
        mentor, mentee = UserFactory(), UserFactory()
        ConnectionFactory(program=program, mentor=mentor, mentee=mentee, ended_by=mentor)
        ConnectionRequestFactory(program=program, mentor=mentor, mentee=mentee)
        meeting = FlashMeetingFactory(program=program, mentor=mentor, mentee=mentee)
        MembershipFactory(program=program, user=mentee, role="mentee")
        MembershipFactory(program=program, user=mentor, role="mentor")
        meeting.status = FlashMeeting.Status.COMPLETED
        meeting.starts_at = timezone.now() - timedelta(hours=2)
        meeting.ends_at = meeting.starts_at + timedelta(minutes=30)
        meeting.save()
        survey_factories.answer(meeting, mentee, {USEFUL: 3, TALKED: "fine"})


# Session, user, the user's and their groups' permissions, the programs they administer,
# the program filter's choices, then the rows with their people and program in one
# query. Flash meetings: the mentor filter's choices too. Survey responses: the survey
# filter's choices (with their programs), the responses, their answers and the
# questions' order.
MAX_QUERIES = {
    "matching_connection": 7,
    "matching_connectionrequest": 7,
    "flash_meetings_flashmeeting": 8,
    "surveys_surveyresponse": 10,
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "label", "program_filter"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_an_export_costs_the_same_for_5_and_50_rows(
    client, world, django_assert_max_num_queries, name, label, program_filter, fmt
):
    program = world.alpha.program
    client.force_login(world.alpha_admin)
    _seed(program, 5)
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        five = _dicts(export(client, name, fmt), fmt)
    _seed(program, 45)
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        fifty = _dicts(export(client, name, fmt), fmt)
    assert len(fifty) - len(five) == 45
