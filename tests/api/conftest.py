"""What every API test uses: clients for a person (session) and for a program's key."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api import services as api_services
from api.models import ApiKey
from mentoring.services import program_administrator_add
from tests.factories import ProgramFactory, UserFactory


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def person_client(user, *, csrf: bool = False) -> APIClient:
    client = APIClient(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def make_key(program, *, scope: str = ApiKey.Scope.READ, admin=None) -> str:
    admin = admin or administrator_of(program)
    _key, plain = api_services.api_key_create(
        program=program, name="HR sync", scope=scope, actor=admin
    )
    return plain


def administrator_of(program):
    user = UserFactory()
    program_administrator_add(program=program, user=user)
    return user


@pytest.fixture(autouse=True)
def _fresh_request_budgets():
    # Throttling counts in the cache, per key id and person id: ids come round again on
    # SQLite (rolled back with each test), so no test may inherit another's count.
    cache.clear()


@pytest.fixture
def api_program(db):
    return ProgramFactory(name="Women in Engineering", slug="wie")
