"""My account and the password reset in a real browser (Playwright driving Debian's
Chromium): the browser's time zone offered and taken, the page without script, and the
reset from the sign-in page to signing in with the new password."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from notifications.models import Notification
from tests.conftest import sign_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context_page(browser, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_my_account_offers_the_browsers_zone_and_saves_it(browser, live_server):
    user = MembershipFactory(
        user__username="elif", user__display_name="Elif Demir", user__time_zone="UTC"
    ).user
    context, page = _context_page(browser, timezone_id="America/New_York")
    try:
        sign_in(page, live_server, "elif")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My account").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My account")

        suggestion = page.locator("#zone-suggestion")
        expect(suggestion).to_be_visible()
        expect(suggestion).to_contain_text(
            "Your browser says your time zone is Americas / New York"
        )
        page.get_by_role("button", name="Use this time zone").click()
        expect(suggestion).to_be_hidden()
        expect(page.get_by_label("Time zone", exact=True)).to_have_value("America/New_York")
        expect(page.get_by_label("Time zone", exact=True)).to_be_focused()

        page.get_by_label("Name shown to others").fill("Elif D.")
        page.get_by_role("button", name="Save name and time zone").click()
        expect(page.get_by_text("Your name and time zone are saved.")).to_be_visible()
        # The zone matches the browser's now: nothing left to suggest.
        expect(suggestion).to_be_hidden()
        expect(page.get_by_role("button", name=re.compile("^Sign out Elif D."))).to_be_visible()

        page.get_by_label("New email address").fill("elif@new.example")
        page.get_by_label("Your current password").fill("not my password")
        page.get_by_role("button", name="Change email address").click()
        expect(page.locator("#id_password_error")).to_contain_text("not your current password")
        page.get_by_label("Your current password").fill("pw")
        page.get_by_role("button", name="Change email address").click()
        expect(page.get_by_text("Your email address is now elif@new.example.")).to_be_visible()
    finally:
        context.close()
    user.refresh_from_db()
    assert (user.display_name, user.time_zone, user.email) == (
        "Elif D.",
        "America/New_York",
        "elif@new.example",
    )


def test_my_account_works_without_script(browser, live_server):
    user = UserFactory(username="gus", time_zone="UTC")
    context, page = _context_page(browser, java_script_enabled=False, timezone_id="Asia/Tokyo")
    try:
        sign_in(page, live_server, "gus")
        page.goto(f"{live_server.url}/account/")
        expect(page.locator("#zone-suggestion")).to_be_hidden()
        page.get_by_label("Time zone", exact=True).select_option("Europe/Lisbon")
        page.get_by_role("button", name="Save name and time zone").click()
        expect(page.get_by_text("Your name and time zone are saved.")).to_be_visible()
    finally:
        context.close()
    user.refresh_from_db()
    assert user.time_zone == "Europe/Lisbon"


def test_password_reset_from_sign_in_to_sign_in(page, live_server, settings):
    settings.SITE_URL = live_server.url  # the link in the email leads to this server
    UserFactory(username="hana", email="hana@example.org", display_name="Hana Sato")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    page.get_by_label("Email address").fill("Hana@example.org")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # The outbox row, delivered by the (in-process) worker.
    row = Notification.objects.get(kind="password_reset")
    assert row.status == Notification.Status.SENT and row.to_email == "hana@example.org"
    (message,) = mail.outbox
    link = re.search(r"(\S+/accounts/reset/\S+/)", message.body).group(1)
    assert link == live_server.url + row.context["reset_path"]

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill("a harbour at dawn")
    page.get_by_label("New password again").fill("a harbour at dawn")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")

    page.get_by_role("link", name="Sign in").click()
    sign_in(page, live_server, "hana", "pw")  # the old password no longer works
    expect(page.locator(".form-errors")).to_be_visible()
    sign_in(page, live_server, "hana", "a harbour at dawn")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    page.goto(link)  # used once: the link no longer works
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
