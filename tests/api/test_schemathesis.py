"""The API tested from its own schema: Schemathesis generates requests for every
operation of the committed ``api/openapi.yaml`` (valid and invalid bodies, query
strings and ids) and checks each answer: never a 5xx, a documented status, a documented
content type and a body that matches the schema. Once with a program's read and write
key (an integration), once signed in as a mentee (the site's own session)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from api.models import ApiKey
from tests.api.conftest import make_key
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory

SCHEMA_FILE = Path(settings.BASE_DIR) / "api" / "openapi.yaml"
COUNTS = Path(settings.BASE_DIR) / "var" / "schemathesis-counts.json"
SEEN: Counter = Counter()


# The committed schema (tests/api/test_schema.py keeps it equal to what the code serves),
# called through WSGI in this process, inside each test's transaction.
schema = schemathesis.openapi.from_path(SCHEMA_FILE)
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Like Django's test client: the end of a request must not close the test's
    # database connection (and roll its transaction away).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_program(db, settings):
    # The schema run makes hundreds of calls a minute: no budget may stop it.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"key": "100000/minute", "user": "100000/minute"},
    }
    program = ProgramFactory(slug="fuzz")
    MentorMembershipFactory(program=program)
    return program


@pytest.fixture
def key_headers(fuzz_program):
    key = make_key(fuzz_program, scope=ApiKey.Scope.READ_WRITE)
    return {"headers": {"Authorization": f"Bearer {key}"}}


@pytest.fixture
def session_headers(fuzz_program, settings):
    client = Client()
    client.force_login(MembershipFactory(program=fuzz_program, role="mentee").user)
    # The CSRF token as the site's own pages send it (cookie and header), so that writes
    # reach the API's rules instead of stopping at the CSRF check.
    token = "fuzz" * 8
    return {
        "headers": {"X-CSRFToken": token},
        # As cookies, not a Cookie header: the WSGI client sends its own cookie jar.
        "cookies": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: token,
        },
    }


@pytest.fixture(scope="module", autouse=True)
def _write_counts():
    yield
    COUNTS.parent.mkdir(exist_ok=True)
    COUNTS.write_text(json.dumps(dict(sorted(SEEN.items())), indent=1))


RUN = hypothesis_settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _check(case, credentials: dict, *also_excluded) -> None:
    # Every default check but two: "a request the schema calls invalid must be refused"
    # (the API reads an empty filter as no filter, on purpose) and "a valid request must
    # be accepted" (a valid body may still meet a rule of the program: a 409 by design).
    response = case.call_and_validate(
        **credentials,
        excluded_checks=[negative_data_rejection, positive_data_acceptance, *also_excluded],
    )
    SEEN[f"{case.method} {response.status_code}"] += 1
    assert response.status_code < 500


@pytest.mark.django_db
@schema.parametrize()
@RUN
def test_every_operation_answers_a_key_as_its_schema_says(case, key_headers):
    _check(case, key_headers)


@pytest.mark.django_db
@schema.parametrize()
@RUN
def test_every_operation_answers_a_signed_in_mentee_as_its_schema_says(case, session_headers):
    # "Ignored auth" sends the schema's credentials spoiled and expects a 401: the
    # session cookie rides along in the client's jar, so it stays signed in (the key run
    # keeps that check).
    _check(case, session_headers, ignored_auth)
