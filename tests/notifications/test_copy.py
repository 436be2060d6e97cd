"""Emails read as a participant would want them: the sentences a new user tripped over,
in both the text and the HTML part."""

import html

import pytest

from notifications.registry import get_kind
from notifications.rendering import render_kind
from tests.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def render(kind_name: str, **overrides):
    kind = get_kind(kind_name)
    program = ProgramFactory(name="Women in Tech")
    recipient = UserFactory(display_name="Mona Mentor")
    email = render_kind(
        kind=kind,
        context={**kind.sample_context, **overrides},
        recipient=recipient,
        program=program,
    )
    return email.text, html.unescape(email.html)


def test_the_forced_connection_email_says_plainly_why_the_mentor_gets_it():
    for part in render("flash_connection_created_mentor"):
        assert (
            "You received this email because you are a mentor in Women in Tech. In this "
            "program, a mentee who wants to keep going after a flash meeting is connected "
            "with their mentor straight away."
        ) in " ".join(part.split())
        assert "when they ask for it" not in part


def test_an_ended_connection_without_a_reason_does_not_announce_one():
    for part in render("connection_ended", reason=""):
        assert "The reason given" not in part
    for part in render("connection_ended", reason="Moved abroad"):
        assert "The reason given:" in part and "Moved abroad" in part


def test_the_mentor_survey_invitation_names_the_survey_once_and_plainly():
    for part in render("survey_invitation_mentor"):
        assert "the mentor's" not in part
        assert "survey takes two minutes." in " ".join(part.split())
