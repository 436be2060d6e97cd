import re

import pytest
from playwright.sync_api import expect

from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORCED = re.compile(r"Connect them if mentee wants to connect again")


def test_admin_switches_preferred_mentoring_and_picks_the_forced_policy(
    page, live_server, superuser, program
):
    sign_in(page, live_server, superuser.username, next_url="/admin/")
    page.goto(f"{live_server.url}/admin/mentoring/program/")
    page.locator("#result_list").get_by_role("link", name="Matching settings").click()
    expect(page.get_by_role("heading", name="One-time Mentoring Settings")).to_be_visible()
    expect(page.get_by_label(FORCED)).to_be_visible()

    page.get_by_label("preferred mentoring").check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("turn off Preferred Mentoring").first).to_be_visible()
    expect(page.get_by_label(FORCED)).to_have_count(0)

    page.get_by_label("preferred mentoring").uncheck()
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_label("offer ongoing mentoring after a one-time meeting").check()
    page.get_by_label(FORCED).check()
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.get_by_text("was changed successfully")).to_be_visible()
    expect(page.get_by_label(FORCED)).to_be_checked()
    expect(page.get_by_label("offer ongoing mentoring after a one-time meeting")).to_be_checked()
    program.matching_settings.refresh_from_db()
    assert program.matching_settings.flash_to_ongoing_policy == "forced_connection"
