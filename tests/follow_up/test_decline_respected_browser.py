"""A mentor's no is respected, in a real browser (Playwright driving Debian's Chromium):
the mentee asks a mentor they met for ongoing mentoring, the mentor declines on their
requests page, and the mentee's follow-up of that meeting then offers no "Yes, connect
me" but one kind sentence (never the mentor's reason or note), nor a Connect button on
the mentor's profile."""

import re

import pytest
from playwright.sync_api import expect

from matching.models import Connection, ConnectionRequest
from tests.conftest import sign_in
from tests.follow_up.conftest import FORCED, make_setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Honestly your goals are not a fit for me"
KIND = (
    "Amara Okafor can't offer you ongoing mentoring at the moment. Other mentors in this "
    "program may be a good fit for you."
)


def test_after_the_mentor_declines_the_follow_up_offers_no_forced_connection(page, live_server):
    setup = make_setup(FORCED, mentor_limit=3)
    follow_up = f"{live_server.url}/meetings/{setup.meeting.pk}/follow-up/"
    profile = (
        f"{live_server.url}/programs/{setup.program.slug}/mentors/{setup.mentor_membership.pk}/"
    )

    # The mentee asks from the mentor's profile (the follow-up now says a request waits).
    sign_in(page, live_server, setup.mentee.username)
    page.goto(profile)
    page.get_by_label("Message to the mentor").fill("Could we continue after our flash meeting?")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_text("Your request was sent to Amara Okafor")).to_be_visible()
    page.context.clear_cookies()

    # The mentor declines it on their requests page, with a reason and a note.
    request = ConnectionRequest.objects.get()
    sign_in(page, live_server, setup.mentor.username)
    page.goto(f"{live_server.url}/requests/received/")
    card = page.locator(f"#request-{request.pk}")
    card.get_by_text("Decline Elif Demir").click()
    card.get_by_label("Reason").select_option(label="Not the right match")
    card.get_by_label(re.compile("Note to the mentee")).fill(NOTE)
    card.get_by_role("button", name="Decline request").click()
    expect(page.get_by_text("No requests are waiting for you.")).to_be_visible()
    request.refresh_from_db()
    assert request.status == "declined"
    page.context.clear_cookies()

    # The mentee's follow-up: no "yes", the kind sentence, the other two choices.
    sign_in(page, live_server, setup.mentee.username)
    page.goto(follow_up)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amara Okafor")
    expect(page.get_by_role("button", name=re.compile("^Yes, connect me"))).to_have_count(0)
    expect(page.get_by_text(KIND)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^No thanks"))).to_be_visible()
    expect(
        page.get_by_role("button", name=re.compile("^The meeting did not happen"))
    ).to_be_visible()
    expect(page.get_by_text(NOTE)).to_have_count(0)
    expect(page.get_by_text("Not the right match")).to_have_count(0)

    # And the profile: no Connect button, the same sentence.
    page.goto(profile)
    expect(page.get_by_text(KIND)).to_be_visible()
    expect(page.get_by_role("button", name="Connect", exact=True)).to_have_count(0)
    assert not Connection.objects.exists()
