"""Every route of the JSON API, walked from the resolver: who may call it, who gets 404.

The API's twin of tests/hardening/test_url_access.py (which skips ``/api/``). ACCESS has
one entry per route name of the ``api`` namespace (a tuple of entries where a route
answers two methods, for example a list that also creates); a route without an entry fails
``test_api_access`` with its name, so no endpoint ships without saying who may use it.
For each entry, in the site walker's world (one program with its people and objects,
another program, their admins, a superuser) plus three API keys (this program's read and
write key, its read-only key, another program's read and write key):

- without credentials: 401 with a problem body, nothing changed;
- everyone in ``hidden``: 404 for the object (a list: 200 without the object's row),
  nothing changed — another person's object looks exactly like one that does not exist;
- everyone in ``refused``: 403 (a key acting as a participant), nothing changed;
- everyone in ``turned_away``: the refusal given (a problem body), nothing changed;
- a write: this program's read-only key gets 403, and a session without the CSRF token
  403, nothing changed;
- ``owner`` gets through (so a 404 above is not an accident of a wrong id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api import services as api_services
from api.models import ApiKey
from matching.models import ConnectionRequest
from tests.hardening.snapshots import db_snapshot
from tests.hardening.test_url_access import build_world
from tests.surveys.factories import answer

pytestmark = pytest.mark.django_db

GET, POST = "GET", "POST"
PEOPLE = (
    "mentee",
    "mentor",
    "other_mentee",
    "other_mentor",
    "foreign_mentee",
    "foreign_mentor",
    "admin_other_program",
    "admin_this_program",
    "superuser",
)
KEYS = ("key", "read_key", "foreign_key")
# Who has no business with the world program at all.
OUTSIDERS = ("foreign_mentee", "foreign_mentor", "admin_other_program", "foreign_key")
# Who has no business with the pair's objects (connection, request, meetings).
NOT_THE_PAIR = ("other_mentee", "other_mentor", *OUTSIDERS)
KEYS_ACT_FOR_ADMINS = KEYS  # a participant's own act: every key gets 403
# People of the pair's program who are not the pair, and everyone else, as people.
NOT_THE_PAIR_PEOPLE = tuple(role for role in PEOPLE if role not in ("mentee", "mentor"))
PARTICIPANTS = ("mentee", "mentor", "other_mentee", "other_mentor")
# Signed-in people who are not members of the world's program (Connect, meeting requests).
NON_MEMBERS = (
    "foreign_mentee",
    "foreign_mentor",
    "admin_other_program",
    "admin_this_program",
    "superuser",
)


@dataclass(frozen=True)
class ApiAccess:
    method: str
    owner: str
    args: Callable | None = None  # world -> URL args
    hidden: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    owner_ok: tuple[int, ...] = (200,)
    data: Callable | dict = field(default_factory=dict)
    listed: Callable | None = None  # world -> the id a list must show the owner, not the hidden
    # Others turned away with another refusal (a problem body), e.g. {"role": (400, 403)}.
    turned_away: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _pk(name: str) -> Callable:
    return lambda w: [getattr(w, name).pk]


ACCESS: dict[str, ApiAccess] = {
    # --- programs --------------------------------------------------------------------
    "api:program-list": ApiAccess(GET, "mentee", hidden=OUTSIDERS, listed=lambda w: w.program.pk),
    "api:program-detail": ApiAccess(GET, "mentee", _pk("program"), hidden=OUTSIDERS),
    # --- the mentor directory --------------------------------------------------------
    "api:program-mentor-list": ApiAccess(GET, "mentee", _pk("program"), hidden=OUTSIDERS),
    "api:program-mentor-detail": ApiAccess(
        GET,
        "mentee",
        lambda w: [w.program.pk, w.mentor_membership.pk],
        hidden=OUTSIDERS,
    ),
    # --- connection requests ---------------------------------------------------------
    "api:connection-request-list": (
        ApiAccess(GET, "mentee", hidden=NOT_THE_PAIR, listed=lambda w: w.connection_request.pk),
        ApiAccess(
            POST,
            "mentee",
            hidden=NON_MEMBERS,
            refused=KEYS_ACT_FOR_ADMINS,
            # The world's program runs Preferred Mentoring: the Connect button's own
            # refusal (403 preferred_mentoring) says the mentee got through to the rule.
            owner_ok=(201, 403, 409),
            data=lambda w: {
                "mentor_membership": w.mentor_membership.pk,
                "message": "I enjoyed our meeting: could you mentor me?",
            },
        ),
    ),
    "api:connection-request-detail": ApiAccess(
        GET, "mentee", _pk("connection_request"), hidden=NOT_THE_PAIR
    ),
    "api:connection-request-accept": ApiAccess(
        POST,
        "mentor",
        _pk("connection_request"),
        hidden=tuple(r for r in NOT_THE_PAIR if r not in KEYS),
        refused=KEYS_ACT_FOR_ADMINS,
        owner_ok=(200, 409),  # the pair is already connected in this world: 409
    ),
    "api:connection-request-decline": ApiAccess(
        POST,
        "mentor",
        _pk("connection_request"),
        hidden=tuple(r for r in NOT_THE_PAIR if r not in KEYS),
        refused=KEYS_ACT_FOR_ADMINS,
        data={"reason": ConnectionRequest.DeclineReason.BUSY},
    ),
    "api:connection-request-withdraw": ApiAccess(
        POST,
        "mentee",
        _pk("connection_request"),
        hidden=tuple(r for r in NOT_THE_PAIR if r not in KEYS),
        refused=KEYS_ACT_FOR_ADMINS,
    ),
    # --- connections -----------------------------------------------------------------
    "api:connection-list": ApiAccess(
        GET, "mentee", hidden=NOT_THE_PAIR, listed=lambda w: w.connection.pk
    ),
    "api:connection-detail": ApiAccess(GET, "mentee", _pk("connection"), hidden=NOT_THE_PAIR),
    "api:connection-end": ApiAccess(
        POST,
        "mentee",
        _pk("connection"),
        hidden=NOT_THE_PAIR,
        data={"reason": "We reached our goals."},
    ),
    # --- the follow-up of a meeting (the meeting's mentee only, as on the page) -------
    "api:flash-meeting-follow-up": ApiAccess(
        GET,
        "mentee",
        _pk("ended_meeting"),
        hidden=tuple(r for r in PEOPLE if r != "mentee"),
        refused=KEYS_ACT_FOR_ADMINS,
    ),
    # --- flash meetings --------------------------------------------------------------
    "api:flash-meeting-list": (
        ApiAccess(GET, "mentee", hidden=NOT_THE_PAIR, listed=lambda w: w.meeting.pk),
        ApiAccess(
            POST,
            "mentee",
            hidden=NON_MEMBERS,
            refused=KEYS_ACT_FOR_ADMINS,
            owner_ok=(201, 409),
            data=lambda w: {
                "mentor_membership": w.mentor_membership.pk,
                "topic": "Changing careers",
                "message": "Could we talk about moving into data work?",
                "slot": w.slot.pk,
            },
        ),
    ),
    "api:flash-meeting-detail": ApiAccess(GET, "mentee", _pk("meeting"), hidden=NOT_THE_PAIR),
    "api:flash-meeting-accept": ApiAccess(
        POST,
        "mentor",
        _pk("requested_meeting"),
        hidden=NOT_THE_PAIR_PEOPLE,
        refused=KEYS_ACT_FOR_ADMINS,
        owner_ok=(200, 400),
        data=lambda w: {
            "proposed_time": w.requested_meeting.proposed_times.get(by_mentor=False).pk
        },
    ),
    "api:flash-meeting-decline": ApiAccess(
        POST,
        "mentor",
        _pk("requested_meeting"),
        hidden=NOT_THE_PAIR_PEOPLE,
        refused=KEYS_ACT_FOR_ADMINS,
        data={"reason": "I am travelling that week."},
    ),
    "api:flash-meeting-propose": ApiAccess(
        POST,
        "mentor",
        _pk("requested_meeting"),
        hidden=NOT_THE_PAIR_PEOPLE,
        refused=KEYS_ACT_FOR_ADMINS,
        data=lambda w: {
            "starts_at": (timezone.now() + timedelta(days=6)).replace(microsecond=0).isoformat()
        },
    ),
    "api:flash-meeting-accept-proposal": ApiAccess(
        POST,
        "mentee",
        _pk("requested_meeting"),
        hidden=NOT_THE_PAIR_PEOPLE,
        refused=KEYS_ACT_FOR_ADMINS,
        data=lambda w: {"proposed_time": w.requested_meeting.proposed_times.get(by_mentor=True).pk},
    ),
    "api:flash-meeting-withdraw": ApiAccess(
        POST,
        "mentee",
        _pk("requested_meeting"),
        hidden=NOT_THE_PAIR_PEOPLE,
        refused=KEYS_ACT_FOR_ADMINS,
    ),
    "api:flash-meeting-cancel": ApiAccess(
        POST,
        "mentee",
        _pk("meeting"),
        hidden=NOT_THE_PAIR_PEOPLE,
        refused=KEYS_ACT_FOR_ADMINS,
        data={"message": "Something came up at work, sorry."},
    ),
    "api:flash-meeting-not-held": ApiAccess(
        POST,
        "mentor",
        _pk("ended_meeting"),
        hidden=NOT_THE_PAIR_PEOPLE,
        refused=KEYS_ACT_FOR_ADMINS,
    ),
    # --- memberships (participants read their own; program admins and keys manage) ----
    "api:membership-list": (
        ApiAccess(
            GET,
            "mentor",
            hidden=("mentee", "other_mentee", "other_mentor", *OUTSIDERS),
            listed=lambda w: w.mentor_membership.pk,
        ),
        ApiAccess(
            POST,
            "admin_this_program",
            refused=("mentee", "mentor", "other_mentee", "foreign_mentee"),
            turned_away={"admin_other_program": (400, 403), "foreign_key": (400, 403)},
            owner_ok=(201,),
            data=lambda w: {
                "user": w.users["other_mentee"].pk,
                "program": w.program.pk,
                "role": "mentor",
            },
        ),
    ),
    "api:membership-detail": ApiAccess(
        GET,
        "mentor",
        _pk("mentor_membership"),
        hidden=("mentee", "other_mentee", "other_mentor", *OUTSIDERS),
    ),
    "api:membership-deactivate": ApiAccess(
        POST,
        "admin_this_program",
        _pk("mentor_membership"),
        hidden=("mentee", "other_mentee", "other_mentor", *OUTSIDERS),
        refused=("mentor",),
    ),
    # --- program admins' reads: survey responses and the report ------------------------
    "api:survey-response-list": ApiAccess(
        GET,
        "admin_this_program",
        hidden=(*PARTICIPANTS, *OUTSIDERS),
        listed=lambda w: w.survey_response.pk,
    ),
    "api:survey-response-detail": ApiAccess(
        GET, "admin_this_program", _pk("survey_response"), hidden=(*PARTICIPANTS, *OUTSIDERS)
    ),
    "api:flash-to-ongoing-report": ApiAccess(
        GET, "admin_this_program", _pk("program"), hidden=(*PARTICIPANTS, *OUTSIDERS)
    ),
}

# Routes every caller may read: the schema and its documentation page (no data in them).
PUBLIC = {"api:schema", "api:docs"}
# The catch-all: any other address under /api/ is a JSON 404 for everyone.
CATCH_ALL = "api:not_found"


def api_routes() -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(patterns, namespace: str, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and namespace.startswith("api:"):
                found[f"{namespace}{entry.name}"] = prefix + str(entry.pattern)

    walk(get_resolver().url_patterns, "", "/")
    return found


API_ROUTES = api_routes()


def test_the_walk_finds_the_api():
    assert {"api:program-list", "api:schema", CATCH_ALL} <= set(API_ROUTES)


def test_the_table_has_no_stale_entries():
    stale = sorted((set(ACCESS) | PUBLIC) - set(API_ROUTES))
    assert not stale, f"ACCESS has entries for API routes that no longer exist: {stale}"


# --- the world --------------------------------------------------------------------------


def _world():
    world = build_world()
    admin = world.users["admin_this_program"]
    foreign_admin = world.users["admin_other_program"]

    def key(program, scope, actor) -> str:
        _key, plain = api_services.api_key_create(
            program=program, name="Walker", scope=scope, actor=actor
        )
        return plain

    world.survey_response = answer(world.ended_meeting, world.users["mentee"], {})
    world.keys = {
        "key": key(world.program, ApiKey.Scope.READ_WRITE, admin),
        "read_key": key(world.program, ApiKey.Scope.READ, admin),
        "foreign_key": key(world.foreign_program, ApiKey.Scope.READ_WRITE, foreign_admin),
    }
    return world


def _client(world, role: str | None, *, csrf: bool = False) -> APIClient:
    client = APIClient(enforce_csrf_checks=csrf)
    if role in KEYS:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.keys[role]}")
    elif role is not None:
        client.force_login(world.users[role])
    return client


def _call(client: APIClient, method: str, url: str, data: dict):
    if method == GET:
        return client.get(url)
    return client.post(url, data, format="json")


def _ids(response) -> set[int]:
    body = response.json()
    return {row["id"] for row in body.get("results", [])}


def _assert_problem(response, status: int, context: str) -> None:
    assert response.status_code == status, f"{context}: {response.status_code}"
    assert response["Content-Type"] == "application/problem+json", context


@pytest.mark.parametrize("name", sorted(API_ROUTES))
def test_api_access(name):
    if name in PUBLIC:
        response = APIClient().get(reverse(name))
        assert response.status_code == 200
        return
    if name == CATCH_ALL:
        for method in (GET, POST):
            response = _call(APIClient(), method, "/api/v1/no-such-thing/", {})
            _assert_problem(response, 404, f"{method} unknown address")
        return
    if name not in ACCESS:
        pytest.fail(
            f"API route {name!r} ({API_ROUTES[name]}) has no entry in ACCESS in {__file__}: "
            "say who may call it and how to build its object."
        )
    entries = ACCESS[name] if isinstance(ACCESS[name], tuple) else (ACCESS[name],)
    for entry in entries:
        with transaction.atomic():  # each method in a world of its own
            check_entry(name, entry, _world())
            transaction.set_rollback(True)


def check_entry(name: str, entry: ApiAccess, world) -> None:
    url = reverse(name, args=entry.args(world) if entry.args else None)
    data = entry.data(world) if callable(entry.data) else entry.data
    context = f"{entry.method} {url}"

    before = db_snapshot()
    response = _call(_client(world, None), entry.method, url, data)
    _assert_problem(response, 401, f"{context} without credentials")
    assert db_snapshot() == before, f"{context} without credentials changed the database"

    for role in entry.hidden:
        before = db_snapshot()
        response = _call(_client(world, role), entry.method, url, data)
        if entry.listed is not None:
            assert response.status_code == 200, f"{context} as {role}: {response.status_code}"
            assert entry.listed(world) not in _ids(response), f"{context} as {role} lists it"
        else:
            _assert_problem(response, 404, f"{context} as {role}")
        assert db_snapshot() == before, f"{context} as {role} changed the database"

    for role, statuses in entry.turned_away.items():
        before = db_snapshot()
        response = _call(_client(world, role), entry.method, url, data)
        assert response.status_code in statuses, f"{context} as {role}: {response.status_code}"
        assert response["Content-Type"] == "application/problem+json", context
        assert db_snapshot() == before, f"{context} as {role} changed the database"

    for role in entry.refused:
        before = db_snapshot()
        response = _call(_client(world, role), entry.method, url, data)
        _assert_problem(response, 403, f"{context} as {role}")
        assert db_snapshot() == before, f"{context} as {role} changed the database"

    if entry.method == POST:
        if "read_key" not in (*entry.hidden, *entry.refused, *entry.turned_away):
            before = db_snapshot()
            response = _call(_client(world, "read_key"), POST, url, data)
            _assert_problem(response, 403, f"{context} with a read-only key")
            assert db_snapshot() == before
        if entry.owner not in KEYS:
            before = db_snapshot()
            response = _call(_client(world, entry.owner, csrf=True), POST, url, data)
            _assert_problem(response, 403, f"{context} without the CSRF token")
            assert db_snapshot() == before, f"{context} without CSRF changed the database"

    response = _call(_client(world, entry.owner), entry.method, url, data)
    assert response.status_code in entry.owner_ok, (
        f"{context} as {entry.owner}: {response.status_code} {response.content[:300]!r}"
    )
    if entry.listed is not None:
        assert entry.listed(world) in _ids(response), f"{context}: the owner's row is missing"


def test_a_route_without_an_entry_fails_with_its_name(monkeypatch):
    monkeypatch.setitem(API_ROUTES, "api:brand-new", "/api/v1/brand-new/")
    with pytest.raises(pytest.fail.Exception, match="'api:brand-new' .* no entry"):
        test_api_access("api:brand-new")
