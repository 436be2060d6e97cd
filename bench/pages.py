"""The benchmark's pages: their URL paths (written out: the URL names belong to the
apps and may change), what each request sends (``scenarios``), and each page's queries
counted with Django's test client (``query_counts``)."""

from __future__ import annotations

import secrets
import threading

from bench.loadtest import Request

# URL paths, written out (the URL names belong to the apps and may change).
BASELINE = "/baseline/"
DASHBOARD = "/"
DIRECTORY = "/programs/bench/mentors/"
CONNECT = "/programs/bench/mentors/{}/connect/"
FOLLOW_UP = "/meetings/{}/follow-up/"

PAGES = [
    "follow_up_get",
    "follow_up_no_thanks",
    "follow_up_connect",
    "connect_post",
    "directory",
    "dashboard",
]
WRITE_PAGES = ("follow_up_no_thanks", "follow_up_connect", "connect_post")
# Each write target is used once: a write page gets enough targets for this many
# requests per second over all its rounds, well above what it reaches on this machine
# (a page that runs out anyway says so, and its remaining rounds are left out).
WRITE_RATE_CEILING = {"no_thanks": 400, "connect": 150, "connect_post": 150}
CONNECT_MESSAGE = "Hello! I would like to continue with you as my mentor in ongoing mentoring."


def query_counts(signed_in) -> tuple[dict[str, int], dict[str, int]]:
    """Queries per page, from Django's test client on the same dataset; the write pages'
    requests each use up one target and must have their effect."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.schema import Connection, ConnectionRequest, FlashMeeting

    def measure(method: str, path: str, session: str, data: dict | None = None) -> int:
        client = Client()
        client.cookies["sessionid"] = session
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(path, data or {})
        expected = 302 if method == "post" else 200
        if response.status_code != expected:
            raise SystemExit(f"{method.upper()} {path} answered {response.status_code}")
        return len(captured.captured_queries)

    get_pk, get_session = signed_in.get[0]
    no_pk, no_session = signed_in.no_thanks.pop()
    yes_pk, yes_session = signed_in.connect.pop()
    mentor_membership, connect_session = signed_in.connect_post.pop()
    mentee = signed_in.mentees[0]
    requests_before = ConnectionRequest.objects.count()
    counts = {
        "baseline": measure("get", BASELINE, mentee),
        "follow_up_get": measure("get", FOLLOW_UP.format(get_pk), get_session),
        "follow_up_no_thanks": measure(
            "post", FOLLOW_UP.format(no_pk), no_session, {"choice": "no_thanks"}
        ),
        "follow_up_connect": measure(
            "post",
            FOLLOW_UP.format(yes_pk),
            yes_session,
            {"choice": "connect", "policy": "forced_connection"},
        ),
        "connect_post": measure(
            "post", CONNECT.format(mentor_membership), connect_session, {"message": CONNECT_MESSAGE}
        ),
        "directory": measure("get", DIRECTORY, mentee),
        "dashboard": measure("get", DASHBOARD, mentee),
    }
    if not Connection.objects.filter(flash_meeting_id=yes_pk).exists():
        raise SystemExit(f'"Yes, connect me" on meeting {yes_pk} made no connection')
    if ConnectionRequest.objects.count() != requests_before + 1:
        raise SystemExit("the Connect POST made no connection request")
    if not FlashMeeting.objects.filter(pk=no_pk, follow_up_choice="no_thanks").exists():
        raise SystemExit(f'"No thanks" on meeting {no_pk} was not recorded')
    # The writes made here, for the check at the end.
    made = {"follow_up_no_thanks": 1, "follow_up_connect": 1, "connect_post": 1}
    return counts, made


def scenarios(signed_in) -> dict:
    # Every request carries the CSRF cookie, as a browser's do after its first page:
    # without it, each page with a form (all but the baseline) minted a new CSRF secret
    # and set the cookie on every response.
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    mentees = signed_in.mentees

    def cookies(session: str) -> dict[str, str]:
        return {"sessionid": session, "csrftoken": csrf}

    def baseline(n: int) -> Request:
        return Request("GET", BASELINE, cookies(mentees[n % len(mentees)]))

    def follow_up_get(n: int) -> Request:
        pk, session = signed_in.get[n % len(signed_in.get)]
        return Request("GET", FOLLOW_UP.format(pk), cookies(session))

    def posting(targets: list, path: str, body: dict) -> Once:
        def make(target: tuple[int, str]) -> Request:
            pk, session = target
            return Request(
                "POST", path.format(pk), cookies(session), body=body, headers={"X-CSRFToken": csrf}
            )

        return Once(targets, make)

    def directory(n: int) -> Request:
        return Request("GET", f"{DIRECTORY}?page={n % 20 + 1}", cookies(mentees[n % len(mentees)]))

    def dashboard(n: int) -> Request:
        return Request("GET", DASHBOARD, cookies(mentees[n % len(mentees)]))

    return {
        "baseline": (baseline, (200,)),
        "follow_up_get": (follow_up_get, (200,)),
        "follow_up_no_thanks": (
            posting(signed_in.no_thanks, FOLLOW_UP, {"choice": "no_thanks"}),
            (302,),
        ),
        "follow_up_connect": (
            posting(
                signed_in.connect, FOLLOW_UP, {"choice": "connect", "policy": "forced_connection"}
            ),
            (302,),
        ),
        "connect_post": (
            posting(signed_in.connect_post, CONNECT, {"message": CONNECT_MESSAGE}),
            (302,),
        ),
        "directory": (directory, (200,)),
        "dashboard": (dashboard, (200,)),
    }


class Once:
    """A write page's requests: each target once, in order, across all its rounds."""

    def __init__(self, targets: list, make) -> None:
        self.targets, self.make = targets, make
        self.used = 0
        self.lock = threading.Lock()

    @property
    def left(self) -> int:
        return len(self.targets) - self.used

    def __call__(self, n: int) -> Request:
        with self.lock:
            index = self.used
            self.used += 1
        return self.make(self.targets[index])
