"""A program admin makes an API key in Django admin, as they would: the add page, the key
shown once on the list that follows, then revoked. At 1280 and 390 px, axe-core finds no
WCAG A/AA problem on the pages, nothing scrolls sideways, the CSP blocks nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from api.models import ApiKey
from mentoring.services import program_administrator_add
from tests.browser.checks import csp_refusals, page_problems
from tests.conftest import sign_in
from tests.factories import ProgramFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {1280: {"width": 1280, "height": 800}, 390: {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_program_admin_makes_a_key_sees_it_once_and_revokes_it(
    browser, live_server, width, tmp_path_factory
):
    program = ProgramFactory(name="Harbour", slug="harbour")
    admin = UserFactory(username="harbour-admin", password="pw")
    program_administrator_add(program=program, user=admin)
    context = browser.new_context(viewport=WIDTHS[width])
    page = context.new_page()
    blocked = csp_refusals(page)
    shots = tmp_path_factory.getbasetemp()
    try:
        sign_in(page, live_server, "harbour-admin", next_url="/admin/api/apikey/add/")
        expect(page.get_by_role("heading", name="Add API key")).to_be_visible()
        problems = page_problems(page)
        page.get_by_label("Name:").fill("HR sync")
        page.get_by_label("Scope:").select_option("read_write")
        page.screenshot(path=str(shots / f"api-key-add-{width}.png"), full_page=True)
        page.get_by_role("button", name="Save", exact=True).click()

        shown = page.get_by_text(re.compile(r"Copy this key now"))
        expect(shown).to_be_visible()
        key = re.search(r"mpk_[0-9a-f]{8}_[\w-]+", shown.inner_text()).group(0)
        page.screenshot(path=str(shots / f"api-key-shown-{width}.png"), full_page=True)
        problems += page_problems(page)
        assert ApiKey.objects.get().prefix == key[:12]

        page.goto(f"{live_server.url}/admin/api/apikey/")
        expect(page.get_by_text(key)).to_have_count(0)  # never again
        page.get_by_role("checkbox", name=re.compile("Select this object")).check()
        page.get_by_label("Action:").select_option("revoke")
        page.get_by_role("button", name="Go").click()
        expect(page.get_by_text("1 key revoked: it stops working at once.")).to_be_visible()
        problems += page_problems(page)
        page.screenshot(path=str(shots / f"api-key-revoked-{width}.png"), full_page=True)
        print(f"screenshots: {shots}")
        assert not problems, problems
        assert not blocked, blocked
        assert ApiKey.objects.get().revoked_at is not None
    finally:
        context.close()
