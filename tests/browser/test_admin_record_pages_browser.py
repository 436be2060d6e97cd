"""A meeting's and a connection's pages in Django admin, as a program admin opens them
at 1280 and 390 px: axe-core finds no WCAG A/AA problem (each half of a moment has a
name; a table that scrolls sideways in its box can be reached with the keyboard), and
the CSP blocks nothing (the admin's repairs are a static script)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentoring.services import program_administrator_add
from tests.browser.checks import csp_refusals, page_problems
from tests.conftest import sign_in
from tests.connections.factories import ConnectionFactory
from tests.factories import UserFactory
from tests.flash_meetings.factories import FlashMeetingFactory, ProposedTimeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {1280: {"width": 1280, "height": 800}, 390: {"width": 390, "height": 844}}
# The box around an inline's table: whether Tab reaches it, and by what name.
BOX_JS = """(id) => {
  const box = document.getElementById(id);
  return [box.scrollWidth > box.clientWidth, box.getAttribute("tabindex"),
          box.getAttribute("role"), box.getAttribute("aria-labelledby")];
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_a_meetings_and_a_connections_admin_pages_pass_axe(browser, live_server, width):
    meeting = FlashMeetingFactory()
    ProposedTimeFactory(meeting=meeting)
    connection = ConnectionFactory(program=meeting.program)
    admin = UserFactory(username="harbour-admin", password="pw")
    program_administrator_add(program=meeting.program, user=admin)
    context = browser.new_context(viewport=WIDTHS[width])
    page = context.new_page()
    blocked = csp_refusals(page)
    try:
        meeting_page = reverse("admin:flash_meetings_flashmeeting_change", args=[meeting.pk])
        sign_in(page, live_server, "harbour-admin", next_url=meeting_page)
        problems = [f"meeting: {problem}" for problem in page_problems(page)]
        page.goto(
            live_server.url + reverse("admin:matching_connection_change", args=[connection.pk])
        )
        problems += [f"connection: {problem}" for problem in page_problems(page)]
        overflows, tabindex, role, name = page.evaluate(BOX_JS, "extensions-group")
        assert not problems, problems
        assert not blocked, blocked
        # The extensions' table (no input in it) is a stop of the Tab key exactly when it
        # scrolls sideways: at 390 px, not at 1280.
        assert overflows == (width == 390)
        if overflows:
            assert (tabindex, role, name) == ("0", "region", "extensions-heading")
        else:
            assert (tabindex, role) == (None, None)
    finally:
        context.close()
