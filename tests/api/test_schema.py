"""The OpenAPI schema: generated from the code with validation and no warning, committed
as api/openapi.yaml (clients and the Schemathesis run read it), and never out of date."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

SCHEMA_FILE = Path(settings.BASE_DIR) / "api" / "openapi.yaml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    target = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    # --validate: against the OpenAPI 3 meta-schema; --fail-on-warn: any warning (an
    # untyped parameter, a serializer it cannot read) fails the command, so this test.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return target.read_text()


def test_the_committed_schema_is_what_the_code_generates(generated):
    assert SCHEMA_FILE.read_text() == generated, (
        "api/openapi.yaml is out of date: run `make schema` and commit the file"
    )


def test_the_schema_is_served_at_api_schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content) == yaml.safe_load(SCHEMA_FILE.read_text())


def test_every_operation_says_what_it_does_and_how_it_can_refuse(generated):
    schema = yaml.safe_load(generated)
    for path, item in schema["paths"].items():
        assert path.startswith("/api/v1/"), path
        for method, operation in item.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            refusals = operation["responses"]
            for status in ("401", "403", "404", "429"):
                content = refusals[status]["content"]
                assert "application/problem+json" in content, (method, path, status)


def test_the_schema_covers_the_resources_the_api_offers(generated):
    paths = set(yaml.safe_load(generated)["paths"])
    for expected in (
        "/api/v1/programs/",
        "/api/v1/programs/{program_id}/mentors/",
        "/api/v1/memberships/",
        "/api/v1/memberships/{id}/deactivate/",
        "/api/v1/connection-requests/",
        "/api/v1/connection-requests/{id}/accept/",
        "/api/v1/connection-requests/{id}/decline/",
        "/api/v1/connection-requests/{id}/withdraw/",
        "/api/v1/connections/",
        "/api/v1/connections/{id}/end/",
        "/api/v1/flash-meetings/",
        "/api/v1/flash-meetings/{id}/accept/",
        "/api/v1/flash-meetings/{id}/decline/",
        "/api/v1/flash-meetings/{id}/propose/",
        "/api/v1/flash-meetings/{id}/cancel/",
        "/api/v1/flash-meetings/{id}/not-held/",
        "/api/v1/flash-meetings/{meeting_id}/follow-up/",
        "/api/v1/survey-responses/",
        "/api/v1/programs/{program_id}/flash-to-ongoing-report/",
    ):
        assert expected in paths, f"{expected} is missing from the schema"
