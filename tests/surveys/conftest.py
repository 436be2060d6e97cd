import pytest
from django.db import connection

from flash_meetings.models import FlashMeeting
from tests.surveys import factories

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL for real concurrent transactions; set DATABASE_URL=postgres://...",
)

USEFUL = "How useful was this meeting?"
TALKED = "What did you talk about?"
HELPED = "What did the meeting help you with?"
WHY = "Why did the meeting not take place?"
WHAT_HAPPENED = "What happened, in a few words?"
ANYTHING = "Anything else you want the program team to know?"


@pytest.fixture
def ended_meeting(program):
    return factories.meeting(program=program, status=FlashMeeting.Status.SCHEDULED)


@pytest.fixture
def not_held_meeting(program):
    return factories.meeting(program=program, status=FlashMeeting.Status.DID_NOT_HAPPEN)


def field(page_or_form, text: str) -> str:
    """The form field name of the question with this text."""
    for question in page_or_form.questions:
        if question.text == text:
            return f"q_{question.pk}"
    raise LookupError(text)
