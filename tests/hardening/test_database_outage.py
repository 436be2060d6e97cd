"""While the database cannot be reached, people get a 503 that says to try again in a
moment, not the 500 "something went wrong on our side" page.

Here the outage is simulated inside the process (every new connection attempt fails
with the driver's error); tests/fleet/ stops the real PostgreSQL under two gunicorn
servers and sees the same page, then sees every process serve again on its own.
"""

import contextlib
from unittest import mock

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from config.views import RETRY_AFTER_SECONDS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Outage:
    """Every query fails as it does while PostgreSQL restarts, until ``end()`` (the
    driver's error, raised where a cursor is opened: on SQLite's in-memory test
    database too, whose connection never closes)."""

    def __init__(self) -> None:
        self._patch = mock.patch.object(
            type(connections["default"]),
            "_cursor",
            side_effect=OperationalError("connection refused: is the server running?"),
        )

    def begin(self) -> None:
        connection.close()
        self._patch.start()

    def end(self) -> None:
        self._patch.stop()
        connection.close()


@pytest.fixture
def signed_in():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    return client


@pytest.fixture
def outage():
    outage = Outage()
    outage.begin()
    yield outage
    with contextlib.suppress(RuntimeError):  # already ended by the test
        outage.end()


def test_a_page_asked_for_during_an_outage_says_to_try_again_in_a_moment(signed_in, outage):
    client = signed_in
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "We will be back in a moment" in page
    assert "Please try again in a moment" in page
    assert "Something went wrong" not in page


def test_a_form_sent_during_an_outage_gets_the_same_page(signed_in, outage):
    response = signed_in.post(reverse("portal:account"), {"display_name": "Ada"})
    assert response.status_code == 503
    assert "If you were sending a form, it may not have been saved" in response.content.decode()


def test_other_errors_are_still_a_500():
    from django.test import RequestFactory

    from config.views import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_the_site_serves_again_once_the_database_is_back(signed_in, outage):
    client = signed_in
    assert client.get(reverse("portal:dashboard")).status_code == 503
    outage.end()
    assert client.get(reverse("portal:dashboard")).status_code == 200
