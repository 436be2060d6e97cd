"""Every admin list costs the same number of queries however many rows it shows: one
program with an object of every kind (``conftest._side``), then four such programs, read
by a superuser and by a program admin of all of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentoring import services
from tests.admin_scoping.conftest import _side
from tests.admin_scoping.test_changelists import MODEL_LABELS, SCOPED_LABELS, _changelist
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    client.get(url)  # a first visit's one-off reads (permissions, content types)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_every_admin_list_costs_the_same_for_one_program_and_four(client):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    program_admin = UserFactory(username="runs-them-all", display_name="Runs Them All")

    def add_program(name: str) -> None:
        side = _side(name, superuser)
        services.program_administrator_add(program=side.program, user=program_admin)

    def costs() -> dict[tuple[str, str], int]:
        found = {}
        for person, labels in ((superuser, MODEL_LABELS), (program_admin, SCOPED_LABELS)):
            client.force_login(person)
            for label in labels:
                found[person.username, label] = _queries(client, _changelist(label))
        return found

    add_program("Alpha")
    one = costs()
    for name in ("Charlie", "Delta", "Echo"):
        add_program(name)
    four = costs()
    grew = {key: (one[key], four[key]) for key in one if four[key] != one[key]}
    assert not grew, f"lists whose queries grow with their rows (one program, four): {grew}"
