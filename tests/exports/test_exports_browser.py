"""The export page and a report's downloads in Chromium, at 1280 and 390 px: a program
admin finds "Export (CSV, XLSX)" on the connections list, picks XLSX and gets a workbook
with no formula cell; the report page's "Download CSV" gives the file. axe-core finds no
WCAG A/AA problem on either page, nothing scrolls sideways, and the Content-Security-
Policy blocks nothing. Screenshots go to /tmp/exports-*.png."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from matching.models import Connection
from mentoring.services import program_administrator_add
from tests.browser.checks import page_problems
from tests.conftest import sign_in
from tests.connections.factories import ConnectionFactory
from tests.exports.helpers import HOSTILE, formula_cells_csv
from tests.factories import MembershipFactory, ProgramFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {1280: {"width": 1280, "height": 800}, 390: {"width": 390, "height": 844}}
SHOTS = Path("/tmp")  # noqa: S108 (screenshots to look at, as the brief asks)


@pytest.fixture
def program_admin(db):
    program = ProgramFactory(name="Harbour", slug="harbour")
    for n, hostile in enumerate(HOSTILE[:3]):
        mentor = UserFactory(display_name=hostile)
        mentee = UserFactory(display_name=f"Mentee {n}")
        MembershipFactory(program=program, user=mentor, role="mentor")
        MembershipFactory(program=program, user=mentee, role="mentee")
        ConnectionFactory(
            program=program, mentor=mentor, mentee=mentee, origin=Connection.Origin.FLASH_MEETING
        )
    ConnectionFactory(program=ProgramFactory(name="Elsewhere"))  # not theirs
    user = UserFactory(username="harbour-admin", display_name="Harbour Admin")
    program_administrator_add(program=program, user=user)
    return user


@pytest.mark.parametrize("width", WIDTHS)
def test_a_program_admin_exports_connections_as_xlsx(
    browser, live_server, program_admin, width, tmp_path
):
    context = browser.new_context(viewport=WIDTHS[width], accept_downloads=True)
    page = context.new_page()
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(f"{page.url}: {message.text[:70]}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        sign_in(page, live_server, program_admin.username, next_url="/admin/")
        page.goto(f"{live_server.url}/admin/matching/connection/?status__exact=active")
        page.screenshot(path=str(SHOTS / f"exports-list-{width}.png"))
        page.get_by_role("link", name="Export (CSV, XLSX)").click()
        expect(page.get_by_role("heading", name="Export")).to_be_visible()
        expect(page).to_have_url(
            f"{live_server.url}/admin/matching/connection/export/?status__exact=active"
        )
        page.screenshot(path=str(SHOTS / f"exports-page-{width}.png"), full_page=True)
        assert blocked == []  # before axe, whose injected checks the policy may refuse
        assert page_problems(page) == []
        blocked.clear()

        page.get_by_label("Format").select_option(label="XLSX")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download").click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.suffix == ".xlsx"

        from openpyxl import load_workbook

        sheet = load_workbook(path).active
        header, *rows = (list(row) for row in sheet.iter_rows())
        assert [cell.value for cell in header][:3] == ["Connection", "Program", "Mentor"]
        assert {row[1].value for row in rows} == {"Harbour"} and len(rows) == 3
        assert all(cell.data_type != "f" for row in rows for cell in row)
        assert {row[2].value for row in rows} == {"'" + hostile for hostile in HOSTILE[:3]}
        assert blocked == []
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_report_page_offers_its_downloads(browser, live_server, program_admin, width, tmp_path):
    context = browser.new_context(viewport=WIDTHS[width], accept_downloads=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, program_admin.username, next_url="/admin/")
        page.goto(f"{live_server.url}/admin/ongoing/connectionhealth/outcomes-by-origin/")
        expect(page.get_by_role("link", name="Download XLSX")).to_be_visible()
        page.screenshot(path=str(SHOTS / f"exports-report-{width}.png"), full_page=True)
        assert page_problems(page) == []
        with page.expect_download() as download:
            page.get_by_role("link", name="Download CSV").click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.name == "outcomes-by-origin-harbour.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert rows[1][:4] == ["Harbour", "Flash meeting", "flash_meeting", "3"]
        assert formula_cells_csv(rows) == []
    finally:
        context.close()
