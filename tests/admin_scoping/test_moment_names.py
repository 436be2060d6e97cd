"""The two halves of a moment on an admin form (Django's date and time inputs) are each
named for a screen reader: "<field>: date" and "<field>: time". Django writes "Date:"
and "Time:" beside them as plain text and its ``<label>`` names neither (axe: ``label``,
16 on a meeting's page before)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.admin_scoping.conftest import _side
from tests.admin_scoping.test_changelists import _change
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class _MomentInputs(HTMLParser):
    """{input name: aria-label} of the page's moments' halves (``<name>_0`` the date,
    ``<name>_1`` the time; a plain date field has a ``<label>`` of its own)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = {key: value or "" for key, value in attrs}
        classes = attributes.get("class", "").split()
        name = attributes.get("name", "")
        if tag != "input" or not {"vDateField", "vTimeField"} & set(classes):
            return
        if name.endswith(("_0", "_1")) and "__prefix__" not in name:
            self.names[name] = attributes.get("aria-label", "")


def _moments(client, language: str) -> dict[str, str]:
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True, language=language)
    side = _side("Alpha", superuser)
    client.force_login(superuser)
    meeting = side.objects["flash_meetings.flashmeeting"][0]
    page = _MomentInputs()
    page.feed(client.get(_change("flash_meetings.flashmeeting", meeting.pk)).content.decode())
    return page.names


def test_each_half_of_a_moment_is_named_by_its_field(client):
    names = _moments(client, "en")
    # The meeting's own moments and its proposed times' (a table).
    assert names["starts_at_0"] == "Starts at: date"
    assert names["starts_at_1"] == "Starts at: time"
    assert names["proposed_times-0-starts_at_0"] == "Starts at: date"
    assert len(names) >= 16
    unnamed = [name for name, label in names.items() if not label]
    assert not unnamed, unnamed


def test_in_spanish_the_halves_are_named_in_spanish(client):
    names = _moments(client, "es")
    assert names["starts_at_0"].endswith(": fecha")
    assert names["starts_at_1"].endswith(": hora")
