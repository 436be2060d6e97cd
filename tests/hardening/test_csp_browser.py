"""The Content-Security-Policy blocks nothing our pages or Django admin need: Chromium
reports every violation on the console, and none may appear while a person and an admin
click through."""

import pytest
from playwright.sync_api import expect

from tests.conftest import sign_in
from tests.factories import MembershipFactory, MentorMembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_csp(page) -> list[str]:
    violations: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


def test_admin_pages_and_widgets_work_under_the_policy(page, live_server, superuser, program):
    MentorMembershipFactory(program=program, user__username="mona", user__display_name="Mona")
    violations = _watch_csp(page)
    sign_in(page, live_server, superuser.username, next_url="/admin/")
    expect(page.get_by_role("heading", name="Programs, people and settings")).to_be_visible()

    # A change list with filters, date hierarchy and actions.
    page.goto(f"{live_server.url}/admin/matching/connection/")
    expect(page.locator("#changelist")).to_be_visible()
    # An add form with autocomplete widgets (select2, jQuery) and the related-object links.
    page.goto(f"{live_server.url}/admin/mentoring/membership/add/")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("mona")
    expect(page.locator(".select2-results__option", has_text="Mona")).to_be_visible()
    page.keyboard.press("Escape")
    # Date and time shortcuts (calendar and clock popups).
    page.goto(f"{live_server.url}/admin/flash_meetings/availabilityslot/add/")
    page.locator(".datetimeshortcuts a", has_text="Today").first.click()
    page.locator("#calendarlink0").click()
    expect(page.locator("#calendarbox0")).to_be_visible()
    # A change form with fieldsets that collapse and show/hide by JavaScript.
    page.goto(f"{live_server.url}/admin/mentoring/program/")
    page.locator("#result_list").get_by_role("link", name="Matching settings").click()
    expect(page.get_by_role("heading", name="One-time Mentoring Settings")).to_be_visible()
    page.get_by_label("preferred mentoring").check()

    assert violations == []


def test_site_pages_load_their_css_and_run_nothing_inline(page, live_server, program):
    mentor = MentorMembershipFactory(program=program, user__display_name="Mona Mentor")
    mentee = MembershipFactory(program=program).user
    violations = _watch_csp(page)
    sign_in(page, live_server, mentee.username)
    for path in (
        "/",
        f"/programs/{program.slug}/mentors/",
        f"/programs/{program.slug}/mentors/{mentor.pk}/",
        "/meetings/",
        "/requests/sent/",
    ):
        page.goto(f"{live_server.url}{path}")
        # site.css applied: the header's background is not the browser default.
        background = page.locator(".site-header").evaluate(
            "element => getComputedStyle(element).backgroundColor"
        )
        assert background not in ("rgba(0, 0, 0, 0)", "transparent"), path
    assert violations == []

    # The watcher does see violations: an inline style attribute and script are refused.
    page.evaluate(
        """document.body.insertAdjacentHTML('beforeend', '<p style="color: red">x</p>');
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true';
        document.body.appendChild(script);"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.inlineRan === undefined")
    assert len(violations) >= 2, violations


def test_the_notification_admin_page_is_styled_without_an_inline_style(
    page, live_server, superuser, program
):
    """The rendered email text on a notification's admin page wraps as the recipient sees
    it, styled from static/css/admin.css (an inline style attribute would be blocked)."""
    from tests.notifications.factories import NotificationFactory

    notification = NotificationFactory(program=program, status="failed")
    violations = _watch_csp(page)
    url = f"/admin/notifications/notification/{notification.pk}/change/"
    sign_in(page, live_server, superuser.username, next_url=url)
    text = page.locator("pre.notification-text")
    expect(text).to_be_visible()
    assert text.evaluate("element => getComputedStyle(element).whiteSpace") == "pre-wrap"
    assert violations == []
