"""A mentee adds a goal, a shared note and a private note on the connection page; the
mentor sees the goal, the shared note and the timeline, never the private note.
Screenshots of the page at 1280 and 390 px go to /tmp/ongoing/."""

from pathlib import Path

import pytest

from tests.conftest import sign_in
from tests.ongoing.conftest import amara_mentoring_elif

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/ongoing")  # noqa: S108  # the brief's place for screenshots


@pytest.fixture
def connection(db):
    return amara_mentoring_elif()


def test_goal_and_notes_reach_the_other_party_but_private_stays_private(
    page, live_server, connection
):
    sign_in(page, live_server, "elif", next_url=f"/connections/{connection.pk}/")
    page.get_by_text("Add a goal").click()
    page.get_by_label("Goal", exact=True).fill("Lead the billing migration")
    page.get_by_label("Details (optional)").fill("From planning to launch.")
    page.get_by_label("Target date (optional)").fill("2027-06-30")
    page.get_by_role("button", name="Add goal").click()
    page.get_by_text("The goal was added").wait_for()

    page.get_by_text("Write a note").click()
    page.get_by_label("Note", exact=True).fill("Agenda: <b>the launch plan</b>.")
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("Your note was added").wait_for()
    page.get_by_text("Write a note").click()
    page.get_by_label("Note", exact=True).fill("I am nervous about presenting.")
    page.get_by_text("Private: only you").click()
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("Your private note was added").wait_for()
    assert page.get_by_text("I am nervous about presenting.").is_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, "amara", next_url=f"/connections/{connection.pk}/")
    goals = page.get_by_role("region", name="Goals")
    assert goals.get_by_text("Lead the billing migration").is_visible()
    notes = page.get_by_role("region", name="Notes")
    assert notes.get_by_text("Agenda: <b>the launch plan</b>.").is_visible()
    activity = page.get_by_role("region", name="Activity")
    assert activity.get_by_text(
        "Elif Demir added the goal “Lead the billing migration”."
    ).is_visible()
    assert activity.get_by_text("Elif Demir added a shared note.").is_visible()
    assert activity.get_by_text("Connected by a program admin.").is_visible()
    assert "nervous" not in page.content()
    assert "private note" not in page.content()

    # The mentor marks the goal achieved; the history says who changed what.
    page.get_by_role("link", name="Change a goal or see its history").click()
    page.get_by_text("Change this goal").click()
    page.get_by_label("Status").select_option("achieved")
    page.get_by_role("button", name="Save goal").click()
    page.get_by_text("The goal was updated.").wait_for()
    assert page.get_by_text("“Open” → “Achieved”").is_visible()

    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/connections/{connection.pk}/")
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"connection-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/connections/{connection.pk}/goals/")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "goals-390.png"), full_page=True)
