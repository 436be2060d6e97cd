"""The two admin reports (flash-to-ongoing, outcomes by origin) download as CSV and XLSX
from links on their pages: the same figures the page shows for the chosen program, under
the page's checks (404 for another program, 403 without permission), every cell through
``mentoring.exports``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from flash_meetings.models import FlashMeeting
from matching.models import ConnectionRequest
from mentoring.services import program_administrator_add
from tests.connections.factories import ConnectionRequestFactory
from tests.exports.helpers import (
    HOSTILE,
    csv_rows,
    formula_cells_csv,
    formula_cells_xlsx,
    xlsx_rows,
    xlsx_sheet,
)
from tests.factories import ProgramFactory, UserFactory
from tests.ongoing import test_outcomes as outcomes_tests
from tests.surveys import factories as survey_factories

pytestmark = pytest.mark.django_db

FOLLOW_UP = "admin:flash_meetings_follow_up_report"
OUTCOMES = "admin:ongoing_outcomes_report"
FORMATS = ["csv", "xlsx"]
# The outcomes report's known numbers (tests/ongoing/test_outcomes.py).
program = outcomes_tests.program
seeded = outcomes_tests.seeded


def _download(client, name: str, chosen, fmt: str):
    return client.get(reverse(name), {"program": chosen.pk, "download": fmt})


def _rows(response, fmt: str) -> list[list]:
    return csv_rows(response) if fmt == "csv" else xlsx_rows(response)


@pytest.fixture
def flash_program():
    """Four meetings over (two answered, one connection request accepted)."""
    flash = ProgramFactory(name=HOSTILE[0], slug="flash-report")
    choice = FlashMeeting.FollowUpChoice
    for follow_up_choice, shown, reason in (
        (choice.CONNECT, True, ""),
        (choice.NO_THANKS, False, "mentor_full"),
        ("", None, ""),
        ("", None, ""),
    ):
        meeting = survey_factories.meeting(
            program=flash,
            status=FlashMeeting.Status.COMPLETED,
            follow_up_choice=follow_up_choice,
        )
        FlashMeeting.objects.filter(pk=meeting.pk).update(
            follow_up_offer_shown=shown, follow_up_offer_reason=reason
        )
    ConnectionRequestFactory(
        program=flash,
        origin=ConnectionRequest.Origin.FLASH_MEETING,
        status=ConnectionRequest.Status.ACCEPTED,
    )
    return flash


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_flash_to_ongoing_download_has_the_pages_figures(admin_client, flash_program, fmt):
    page = admin_client.get(reverse(FOLLOW_UP), {"program": flash_program.pk})
    report = page.context["report"]
    html = page.content.decode()
    assert f"?program={flash_program.pk}&amp;download=csv" in html
    assert f"?program={flash_program.pk}&amp;download=xlsx" in html
    response = _download(admin_client, FOLLOW_UP, flash_program, fmt)
    assert f"flash-to-ongoing-{flash_program.slug}.{fmt}" in response["Content-Disposition"]
    header, *rows = _rows(response, fmt)
    assert header == ["Figure", "Code", "Value"]
    values = {figure: value for figure, _code, value in rows}

    def number(value):
        return value if fmt == "xlsx" else int(value)

    assert values["Program"] == "'" + HOSTILE[0]  # the program's name, neutralised
    for figure, expected in (
        ("Meetings over", report.meetings_over),
        ("Follow-ups answered", report.follow_ups_answered),
        ("Offers shown", report.offers_shown),
        ("Forced connections", report.forced_connections),
        ("Requests sent", report.requests_sent),
        ("Requests accepted", report.requests_accepted),
        ("Connections made", report.connections_made),
    ):
        assert number(values[figure]) == expected, figure
    assert (report.meetings_over, report.follow_ups_answered, report.requests_accepted) == (4, 2, 1)
    # The rate as the page rounds it ("25%" for 1 of 4; mentoring.when.percent).
    assert f"{number(values['Flash-to-ongoing conversion rate (%)'])}%" in html
    by_code = {code: value for _figure, code, value in rows if code}
    for code, _label, count in report.offers_not_shown:
        assert number(by_code[code]) == count
    assert number(by_code["mentor_full"]) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_outcomes_download_has_the_pages_figures(admin_client, seeded, fmt):
    page = admin_client.get(reverse(OUTCOMES), {"program": seeded.pk})
    report = page.context["report"]
    html = page.content.decode()
    assert f"?program={seeded.pk}&amp;download={fmt}" in html
    response = _download(admin_client, OUTCOMES, seeded, fmt)
    header, *rows = _rows(response, fmt)
    assert header[:4] == ["Program", "Began with", "Code", "Connections made"]
    assert len(rows) == len(report.table_rows)

    def shown(value, places: int) -> str:
        """As the page shows an average ("—" for none)."""
        return "—" if value is None else floatformat(value, places)

    for line, expected in zip(rows, report.table_rows, strict=True):
        cells = dict(zip(header, line, strict=True))
        if fmt == "xlsx":  # numbers as numbers, an average as a number, none as empty
            assert isinstance(cells["Connections made"], int)
            cells = {k: "" if v is None else str(v) for k, v in cells.items()}
        assert cells["Program"] == seeded.name
        assert cells["Code"] == expected.origin
        assert int(cells["Connections made"]) == expected.connections
        assert int(cells["Still active"]) == expected.active
        assert int(cells["Reached their end"]) == expected.completed
        assert int(cells["Ended early"]) == expected.ended_early
        assert int(cells["Goals achieved"]) == expected.goals_achieved
        for column, value, places in (
            ("Average length of ended connections (days)", expected.average_length_days, 1),
            ("Goals achieved per connection", expected.goals_achieved_per_connection, 2),
            ("Average check-in rating", expected.check_in.average, 1),
            ("Average closing rating", expected.closing.average, 1),
        ):
            if value is None:
                assert cells[column] == "", column
            else:
                assert Decimal(cells[column]) == Decimal(shown(value, places)), column
                assert f"<td>{shown(value, places)}" in html
        assert int(cells["Check-in ratings"]) == expected.check_in.count
        assert int(cells["Closing ratings"]) == expected.closing.count
    flash = outcomes_tests._row(report, "flash_meeting")
    assert flash.connections == 3 and Decimal(floatformat(flash.average_length_days, 1)) == 60


def test_a_report_download_checks_what_its_page_checks(client):
    alpha, bravo = ProgramFactory(slug="alpha-r"), ProgramFactory(slug="bravo-r")
    admin_user = UserFactory(username="alpha-report-admin")
    program_administrator_add(program=alpha, user=admin_user)
    client.force_login(admin_user)
    for name in (FOLLOW_UP, OUTCOMES):
        for fmt in FORMATS:
            assert _download(client, name, alpha, fmt).status_code == 200
            assert _download(client, name, bravo, fmt).status_code == 404
    client.force_login(UserFactory(username="bare-report-staff", is_staff=True))
    for name in (FOLLOW_UP, OUTCOMES):
        assert _download(client, name, alpha, "csv").status_code == 403
    client.logout()
    response = _download(client, FOLLOW_UP, alpha, "csv")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_unknown_download_format_shows_the_page(admin_client, flash_program):
    response = admin_client.get(
        reverse(FOLLOW_UP), {"program": flash_program.pk, "download": "json"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_no_report_cell_runs_as_a_formula(admin_client, flash_program):
    for name in (FOLLOW_UP, OUTCOMES):
        assert (
            formula_cells_csv(csv_rows(_download(admin_client, name, flash_program, "csv"))) == []
        )
        sheet = xlsx_sheet(_download(admin_client, name, flash_program, "xlsx"))
        assert formula_cells_xlsx(sheet) == []
