"""In an admin inline's table every input is named for a screen reader: by its column's
heading (``aria-label``), its "Delete" box by that word; a table cell has no ``<label>``
(axe: ``label``, ``select-name``)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib import admin

from tests.admin_scoping.conftest import _side
from tests.admin_scoping.test_change_page_costs import PAGES
from tests.admin_scoping.test_changelists import _change
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class _TableInputs(HTMLParser):
    """The inputs inside the page's inline tables (``<fieldset class="module ...">`` of
    a tabular inline: ``div.tabular``), with the names they would be read by."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # divs deep inside a div.tabular
        self.labelled_ids: set[str] = set()
        self.inputs: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "div":
            if self.depth:
                self.depth += 1
            elif "tabular" in attributes.get("class", "").split():
                self.depth = 1
        if tag == "label" and attributes.get("for"):
            self.labelled_ids.add(attributes["for"])
        if not self.depth or tag not in ("input", "select", "textarea"):
            return
        if attributes.get("type") in ("hidden", "submit", "button"):
            return
        if "__prefix__" in attributes.get("name", ""):
            return  # the template row "Add another" copies
        self.inputs.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.depth:
            self.depth -= 1

    def unnamed(self) -> list[str]:
        return [
            field.get("name", "?")
            for field in self.inputs
            if not field.get("aria-label") and field.get("id") not in self.labelled_ids
        ]


def _tabular(label: str) -> bool:
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    return any(
        issubclass(inline, admin.TabularInline) for inline in admin.site._registry[model].inlines
    )


@pytest.mark.parametrize("label", [label for label in PAGES if _tabular(label)])
def test_every_input_of_an_inline_table_is_named(client, label):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    side = _side("Alpha", superuser)
    record_of, add_row = PAGES[label]
    add_row(side, 0, superuser)
    client.force_login(superuser)
    page = _TableInputs()
    page.feed(client.get(_change(label, record_of(side).pk)).content.decode())
    assert not page.unnamed(), f"{label}: inputs without a name to read: {page.unnamed()}"
