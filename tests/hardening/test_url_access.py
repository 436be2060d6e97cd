"""Every URL pattern of the site, walked from the resolver: who may open it, who gets 404.

Over 400 lines on purpose: ACCESS is one table with an entry per URL pattern, kept
beside the walker that reads it.

ACCESS below has one entry per URL pattern name (admin/ excluded); PUBLIC has the pages
for everyone, signed in or not (signing in and out, the password reset pages). A pattern
without an entry fails ``test_url_access`` with its name, so a new URL cannot ship
without saying who may use it. For each pattern of ACCESS:

- anonymous visitors are sent to the login page;
- every signed-in person who has no business with the object (other mentees and mentors
  of the same program, members of another program, a program admin of another program
  and of this one, a superuser: staff status grants nothing on these pages) gets 404,
  and nothing changes in the database;
- state-changing URLs answer 405 to GET and 403 to a POST without a CSRF token;
- the person the object belongs to does get through (so a 404 above is not an accident
  of a wrong id).

The JSON API (``/api/``) has its own walker and table: tests/api/test_api_access.py.

EDGE lists the URLs answered before the URLconf (config/edge.py: health and metrics),
which the walk cannot see; a route there without an entry fails
``test_every_url_answered_before_the_urlconf_has_an_entry``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from flash_meetings.models import FlashMeeting
from notifications.tokens import make_token
from ongoing import services as ongoing_services
from tests.connections.factories import (
    ConnectionFactory,
    ConnectionRequestFactory,
    PreferredMentorFactory,
)
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory, UserFactory
from tests.flash_meetings.factories import (
    AvailabilitySlotFactory,
    FlashMeetingFactory,
    ProposedTimeFactory,
)
from tests.hardening.snapshots import db_snapshot

pytestmark = pytest.mark.django_db

PAGE = "page"  # GET only, changes nothing
ACTION = "action"  # POST only, changes state
FORM = "form"  # GET shows a form, POST changes state

EVERYONE = (
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
# Signed-in people who are not active members of the world's program.
NON_MEMBERS = (
    "foreign_mentee",
    "foreign_mentor",
    "admin_other_program",
    "admin_this_program",
    "superuser",
)


def _all_but(*allowed: str) -> tuple[str, ...]:
    return tuple(role for role in EVERYONE if role not in allowed)


@dataclass(frozen=True)
class Access:
    kind: str
    owner: str  # the role that must get through
    args: object = None  # world -> list of URL args; None: no args
    denied: tuple[str, ...] = ()  # roles that must get 404
    owner_ok: tuple[int, ...] = (200,)  # what the owner may get back
    foreign_args: object = None  # world -> args mixing in another program's id (404)
    extra: dict = field(default_factory=dict)
    # The URL itself is the credential (a signed link in an email): whoever holds it gets
    # through, signed in or not, GET changes nothing, and its POST needs no CSRF token
    # (RFC 8058 one-click unsubscribe, sent by mail programs).
    signed_link: bool = False


def _goal(w):
    """The connection's goal, added by the mentee (made when the URL is built)."""
    return ongoing_services.goal_add(
        connection=w.connection, actor=w.connection.mentee, title="Lead a project"
    )


def _slug_mentor(w):
    return [w.program.slug, w.mentor_membership.pk]


ACCESS: dict[str, Access] = {
    "baseline": Access(PAGE, "mentee"),
    # --- my account (one's own: the session names the account, no id names another's) --------
    "portal:account": Access(FORM, "mentee", owner_ok=(200, 302, 400)),
    "portal:account_email": Access(ACTION, "mentee", owner_ok=(302, 400)),
    "password_change": Access(FORM, "mentee", owner_ok=(200, 302, 400)),
    # --- mentoring ---------------------------------------------------------------------
    "portal:dashboard": Access(PAGE, "mentee"),
    "portal:directory": Access(PAGE, "mentee", args=lambda w: [w.program.slug], denied=NON_MEMBERS),
    "portal:mentor_profile": Access(
        PAGE,
        "mentee",
        args=_slug_mentor,
        denied=NON_MEMBERS,
        foreign_args=lambda w: [w.program.slug, w.foreign_mentor_membership.pk],
    ),
    "portal:connect": Access(
        ACTION,
        "mentee",
        args=_slug_mentor,
        denied=NON_MEMBERS,
        owner_ok=(302, 400, 403, 409),
        foreign_args=lambda w: [w.program.slug, w.foreign_mentor_membership.pk],
    ),
    "portal:preferred_add": Access(
        ACTION,
        "mentee",
        args=_slug_mentor,
        denied=NON_MEMBERS,
        owner_ok=(302, 400, 409),
        foreign_args=lambda w: [w.program.slug, w.foreign_mentor_membership.pk],
    ),
    "portal:preferred_list": Access(
        PAGE,
        "mentee",
        args=lambda w: [w.program.slug],
        # Only the program's mentees have a list.
        denied=_all_but("mentee", "other_mentee"),
    ),
    # One page per program for the signed-in person's own memberships: the URL names no
    # membership, so nobody can address another's; non-members get 404.
    "portal:participation": Access(
        PAGE, "mentor", args=lambda w: [w.program.slug], denied=NON_MEMBERS
    ),
    "portal:participation_mentor": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.program.slug],
        # Only the program's mentors have a mentor section.
        denied=_all_but("mentor", "other_mentor"),
        owner_ok=(302,),
        extra={"data": {"max_flash_meetings_per_month": "3", "headline": "Product lead"}},
    ),
    "portal:participation_mentee": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.program.slug],
        denied=_all_but("mentee", "other_mentee"),
        owner_ok=(302,),
        extra={"data": {"goals": "Find my footing as a new team lead."}},
    ),
    "portal:preferred_remove": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.preferred.pk],
        denied=_all_but("mentee"),
        owner_ok=(302,),
    ),
    "portal:preferred_move": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.preferred.pk],
        denied=_all_but("mentee"),
        owner_ok=(302, 400, 409),
        extra={"data": {"direction": "down"}},
    ),
    "portal:requests_received": Access(PAGE, "mentor"),
    "portal:requests_sent": Access(PAGE, "mentee"),
    "portal:request_accept": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.connection_request.pk],
        denied=_all_but("mentor"),
        owner_ok=(302, 409),
    ),
    "portal:request_decline": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.connection_request.pk],
        denied=_all_but("mentor"),
        owner_ok=(302,),
        extra={"data": {"reason": "busy"}},
    ),
    "portal:request_withdraw": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.connection_request.pk],
        denied=_all_but("mentee"),
        owner_ok=(302,),
    ),
    "portal:connection_detail": Access(
        PAGE, "mentor", args=lambda w: [w.connection.pk], denied=_all_but("mentor", "mentee")
    ),
    "portal:connection_end": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.connection.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
        extra={"data": {"reason": "We reached the goals we set."}},
    ),
    "portal:extension_request": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.connection.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
    ),
    "portal:extension_accept": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.connection.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
    ),
    "portal:extension_decline": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.connection.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
    ),
    "portal:extension_withdraw": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.connection.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
    ),
    # --- life after connecting (ongoing: goals, notes) ----------------------------------
    "portal:connection_goals": Access(
        PAGE, "mentee", args=lambda w: [w.connection.pk], denied=_all_but("mentor", "mentee")
    ),
    "portal:connection_notes": Access(
        PAGE, "mentor", args=lambda w: [w.connection.pk], denied=_all_but("mentor", "mentee")
    ),
    "portal:goal_add": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.connection.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
        extra={"data": {"title": "Lead a project"}},
    ),
    "portal:goal_update": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.connection.pk, _goal(w).pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
        extra={"data": {"title": "Lead a project", "status": "achieved"}},
    ),
    "portal:note_add": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.connection.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
        extra={"data": {"body": "Agenda for Thursday", "visibility": "shared"}},
    ),
    # --- flash meetings ------------------------------------------------------------------
    "flash_meetings:my_meetings": Access(PAGE, "mentee"),
    "flash_meetings:mentor_meetings": Access(PAGE, "mentor"),
    "flash_meetings:availability": Access(FORM, "mentor", owner_ok=(200, 302, 400)),
    "flash_meetings:slot_remove": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.slot.pk],
        denied=_all_but("mentor"),
        owner_ok=(302,),
    ),
    "flash_meetings:request": Access(
        FORM,
        "mentee",
        args=lambda w: [w.mentor_membership.pk],
        # Only the program's mentees may request a meeting (the mentor and the other
        # mentor are no mentees of it).
        denied=_all_but("mentee", "other_mentee"),
        owner_ok=(200, 302, 400, 409),
        foreign_args=lambda w: [w.foreign_mentor_membership.pk],
    ),
    # A meeting within a connection: its mentee only (the mentor included gets 404).
    "flash_meetings:request_in_connection": Access(
        FORM,
        "mentee",
        args=lambda w: [w.connection.pk],
        denied=_all_but("mentee"),
        owner_ok=(200, 302, 400, 409),
    ),
    "flash_meetings:detail": Access(
        PAGE, "mentee", args=lambda w: [w.meeting.pk], denied=_all_but("mentor", "mentee")
    ),
    "flash_meetings:ics": Access(
        PAGE, "mentor", args=lambda w: [w.meeting.pk], denied=_all_but("mentor", "mentee")
    ),
    "flash_meetings:accept": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.requested_meeting.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302, 400),
        extra={"data": {"proposed_time": "proposal"}},
    ),
    "flash_meetings:decline": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.requested_meeting.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
        extra={"data": {"reason": "Travelling that week."}},
    ),
    "flash_meetings:propose": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.requested_meeting.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302, 400),
    ),
    "flash_meetings:accept_proposal": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.requested_meeting.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
    ),
    "flash_meetings:withdraw": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.requested_meeting.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
    ),
    "flash_meetings:cancel": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.meeting.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
        extra={"data": {"message": "Something came up, sorry."}},
    ),
    "flash_meetings:not_held": Access(
        FORM,  # GET asks for confirmation, POST records it
        "mentor",
        args=lambda w: [w.ended_meeting.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(200, 302),
    ),
    "flash_meetings:follow_up": Access(
        FORM,
        "mentee",
        args=lambda w: [w.ended_meeting.pk],
        # The meeting's mentee only: its mentor gets 404 too.
        denied=_all_but("mentee"),
        owner_ok=(200, 302, 400),
    ),
    "flash_meetings:follow_up_not_held": Access(
        PAGE,  # the confirmation; its button posts to the follow-up
        "mentee",
        args=lambda w: [w.ended_meeting.pk],
        denied=_all_but("mentee"),
    ),
    # --- surveys ---------------------------------------------------------------------------
    "surveys:meeting": Access(
        PAGE, "mentee", args=lambda w: [w.ended_meeting.pk], denied=_all_but("mentor", "mentee")
    ),
    "surveys:submit": Access(
        ACTION,
        "mentee",
        args=lambda w: [w.ended_meeting.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302, 400),
    ),
    "surveys:thanks": Access(
        PAGE,
        "mentor",
        args=lambda w: [w.ended_meeting.pk],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(200, 302),
    ),
    # A connection's check-in and closing survey: its two people only. The world's
    # connection is open-ended, so the pages say the check-in is not open (200) and a
    # POST is refused with that sentence (302 back to the page).
    "surveys:connection": Access(
        PAGE,
        "mentee",
        args=lambda w: [w.connection.pk, "check-in"],
        denied=_all_but("mentor", "mentee"),
    ),
    "surveys:connection_submit": Access(
        ACTION,
        "mentor",
        args=lambda w: [w.connection.pk, "closing"],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
    ),
    "surveys:connection_thanks": Access(
        PAGE,
        "mentee",
        args=lambda w: [w.connection.pk, "check-in"],
        denied=_all_but("mentor", "mentee"),
        owner_ok=(302,),
    ),
    # --- notifications -----------------------------------------------------------------------
    # One's own email preferences, addressed by the session: no id names another person's.
    "notifications:preferences": Access(FORM, "mentee", owner_ok=(200, 302)),
    "notifications:unsubscribe": Access(
        FORM,
        "mentee",
        args=lambda w: [make_token(user_id=w.users["mentee"].pk, kind="flash_meeting_reminder")],
        signed_link=True,
        extra={"data": {"List-Unsubscribe": "One-Click"}},
    ),
}


@dataclass(frozen=True)
class Public:
    """A page for everyone, signed in or not: nobody is sent to sign in and nobody gets
    404; a POST still needs the CSRF token and changes nothing without it."""

    get: tuple[int, ...] = (200,)  # what GET answers, to anyone
    args: object = None  # world -> list of URL args
    data: dict | None = None  # POSTed (None: no POST to check)
    post_ok: tuple[int, ...] = (302,)  # what a POST with its token answers


def _reset_link_args(world) -> list[str]:
    mentee = world.users["mentee"]
    uid = urlsafe_base64_encode(force_bytes(mentee.pk))
    return [uid, default_token_generator.make_token(mentee)]


PUBLIC: dict[str, Public] = {
    "login": Public(data={"username": "mentee", "password": "wrong"}, post_ok=(200,)),
    "logout": Public(get=(405,), data={}, post_ok=(302,)),
    "password_reset": Public(data={"email": "mentee@example.org"}),
    "password_reset_done": Public(),
    # A valid link moves its token into the session (302); once the person signed in
    # (a new last_login) the same link no longer works and says so (200).
    "password_reset_confirm": Public(get=(200, 302), args=_reset_link_args),
    "password_reset_complete": Public(),
    # The footer's language choice: POST only; signed out it sets the language cookie.
    "portal:language": Public(get=(405,), data={"language": "es", "next": "/"}),
}


@dataclass(frozen=True)
class Edge:
    """A URL answered before the URLconf and the site's own middleware
    (config/edge.py: health and metrics), so the walk over URL patterns cannot see it.
    Nobody is sent to sign in, signing in changes nothing, no cookie is ever set, GET and
    HEAD only (anything else 405) and nothing changes in the database."""

    get: tuple[int, ...] = (200,)  # what GET answers, to anyone it answers
    # Only for the metrics scrapers (METRICS_ALLOWED_NETWORKS, default loopback, or the
    # bearer token): anyone else meets an unknown URL's 404, whatever the method.
    restricted: bool = False


EDGE: dict[str, Edge] = {
    # For load balancers and orchestrators: no personal data, nothing to protect.
    "/health/live": Edge(),
    "/health/ready": Edge(),
    "/metrics": Edge(restricted=True),
}
OUTSIDE = "203.0.113.9"  # an address in no allowed network


# --- the site's URL patterns -----------------------------------------------------------------


def _skipped(resolver: URLResolver) -> bool:
    module = resolver.urlconf_name
    module_name = getattr(module, "__name__", module)
    return (
        resolver.namespace == admin_site.name
        # The JSON API answers 401 problem bodies, not the login page: its own walker
        # (tests/api/test_api_access.py) has an entry for each of its routes.
        or resolver.namespace == "api"
        or module_name == "django.contrib.auth.urls"
        or module is admin_site.urls
    )


def site_url_patterns() -> dict[str, str]:
    """Every named URL pattern of the site as {"namespace:name": "route"}, walked from
    the root resolver; unnamed patterns are reported under their route."""
    found: dict[str, str] = {}

    def walk(patterns, namespace: str, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if _skipped(entry):
                    continue
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}{entry.namespace}:"
                walk(entry.url_patterns, inner, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                key = f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>"
                found[key] = route

    walk(get_resolver().url_patterns, "", "/")
    return found


SITE_PATTERNS = site_url_patterns()


def test_the_walk_finds_the_site_and_skips_admin():
    assert "portal:dashboard" in SITE_PATTERNS
    assert "flash_meetings:follow_up" in SITE_PATTERNS
    assert not any(name.startswith("admin:") for name in SITE_PATTERNS)
    assert not any(name.startswith("api:") for name in SITE_PATTERNS)  # its own walker
    # Signing in and the password pages are the site's own (portal/auth_urls.py).
    assert {"login", "logout", "password_reset", "password_reset_confirm"} <= set(SITE_PATTERNS)


def test_a_url_without_an_entry_fails_with_its_name():
    with pytest.raises(pytest.fail.Exception, match="'mentoring:brand_new' .* no entry"):
        test_url_access("mentoring:brand_new")


def test_the_table_has_no_stale_entries():
    assert not set(ACCESS) & set(PUBLIC), "a URL is in both ACCESS and PUBLIC"
    stale = sorted((set(ACCESS) | set(PUBLIC)) - set(SITE_PATTERNS))
    assert not stale, f"ACCESS has entries for URL patterns that no longer exist: {stale}"


def test_every_url_answered_before_the_urlconf_has_an_entry():
    from config.edge import ROUTES

    assert set(EDGE) == set(ROUTES), "config/edge.py answers a URL without an entry in EDGE"
    assert not set(EDGE) & set(SITE_PATTERNS.values()), "a URL both in the URLconf and EDGE"


# --- the world every check runs in ---------------------------------------------------------


def _program_admin(program, username: str):
    user = UserFactory(username=username, is_staff=True)
    try:
        from mentoring.models import ProgramAdministrator
    except ImportError:  # pragma: no cover - program admins not in this tree
        return user
    ProgramAdministrator.objects.create(program=program, user=user)
    return user


def build_world() -> SimpleNamespace:
    program = ProgramFactory(slug="harbour", name="Harbour Program")
    settings = program.matching_settings
    settings.ongoing_enabled = True
    settings.one_time_enabled = True
    settings.preferred_mentoring_enabled = True
    settings.mentors_choose_modes = False
    settings.default_max_ongoing_mentees = 3
    settings.save()
    foreign = ProgramFactory(slug="elsewhere", name="Elsewhere Program")

    mentor_membership = MentorMembershipFactory(program=program, user__username="mentor")
    mentor = mentor_membership.user
    mentee = MembershipFactory(program=program, user__username="mentee").user
    other_mentee = MembershipFactory(program=program, user__username="other_mentee").user
    other_mentor = MentorMembershipFactory(program=program, user__username="other_mentor").user
    foreign_mentor_membership = MentorMembershipFactory(
        program=foreign, user__username="foreign_mentor"
    )
    foreign_mentee = MembershipFactory(program=foreign, user__username="foreign_mentee").user

    now = timezone.now()
    requested = FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        status=FlashMeeting.Status.REQUESTED,
        starts_at=None,
        ends_at=None,
        counts_in_month=now.date().replace(day=1),
    )
    ProposedTimeFactory(meeting=requested, by_mentor=False)
    ProposedTimeFactory(meeting=requested, by_mentor=True)
    ended_ends = now - timedelta(hours=2)
    world = SimpleNamespace(
        program=program,
        foreign_program=foreign,
        mentor_membership=mentor_membership,
        foreign_mentor_membership=foreign_mentor_membership,
        users={
            "mentee": mentee,
            "mentor": mentor,
            "other_mentee": other_mentee,
            "other_mentor": other_mentor,
            "foreign_mentee": foreign_mentee,
            "foreign_mentor": foreign_mentor_membership.user,
            "admin_other_program": _program_admin(foreign, "admin_other_program"),
            "admin_this_program": _program_admin(program, "admin_this_program"),
            "superuser": UserFactory(username="superuser", is_staff=True, is_superuser=True),
        },
        preferred=PreferredMentorFactory(program=program, mentee=mentee, mentor=mentor, rank=1),
        connection_request=ConnectionRequestFactory(program=program, mentor=mentor, mentee=mentee),
        connection=ConnectionFactory(program=program, mentor=mentor, mentee=mentee),
        slot=AvailabilitySlotFactory(program=program, mentor=mentor),
        meeting=FlashMeetingFactory(program=program, mentor=mentor, mentee=mentee),
        requested_meeting=requested,
        ended_meeting=FlashMeetingFactory(
            program=program,
            mentor=mentor,
            mentee=mentee,
            starts_at=ended_ends - timedelta(minutes=30),
            ends_at=ended_ends,
        ),
    )
    # A second preferred mentor, so that "move down" has somewhere to go.
    PreferredMentorFactory(program=program, mentee=mentee, mentor=other_mentor, rank=2)
    return world


_CLIENTS: dict[bool, Client] = {}


def _client(user=None, *, csrf: bool = False) -> Client:
    """One client per CSRF mode for the whole module, signed in as ``user`` (or not):
    each new Client builds its own middleware stack, which costs more than the checks."""
    client = _CLIENTS.get(csrf)
    if client is None:
        client = _CLIENTS[csrf] = Client(enforce_csrf_checks=csrf)
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _data(access: Access, world) -> dict:
    data = dict(access.extra.get("data", {}))
    if data.get("proposed_time") == "proposal":
        data["proposed_time"] = str(
            world.requested_meeting.proposed_times.filter(by_mentor=False).first().pk
        )
    return data


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("login") + "?next="
    )


# --- the test ------------------------------------------------------------------------------


def check_public(name: str) -> None:
    entry = PUBLIC[name]
    world = build_world()
    url = reverse(name, args=entry.args(world) if entry.args else None)
    for role in (None, "mentee", "superuser"):
        response = _client(world.users[role] if role else None).get(url)
        assert response.status_code in entry.get, f"GET {url} as {role}: {response.status_code}"
    if entry.data is not None:
        before = db_snapshot()
        response = _client(csrf=True).post(url, entry.data)
        assert response.status_code == 403, f"POST {url} without CSRF: {response.status_code}"
        assert db_snapshot() == before, f"POST {url} without CSRF changed the database"
        response = _client().post(url, entry.data)
        assert response.status_code in entry.post_ok, f"POST {url}: {response.status_code}"


@pytest.mark.parametrize("name", sorted(SITE_PATTERNS))
def test_url_access(name):
    if name in PUBLIC:
        check_public(name)
        return
    if name not in ACCESS:
        pytest.fail(
            f"URL pattern {name!r} ({SITE_PATTERNS.get(name)}) has no entry in ACCESS in "
            f"{__file__}: say who may open it and how to build its object."
        )
    access = ACCESS[name]
    world = build_world()
    url = reverse(name, args=access.args(world) if access.args else None)
    data = _data(access, world)
    writes = access.kind in (ACTION, FORM)

    # Anonymous visitors are sent to sign in, whatever the method.
    anonymous = _client()
    if access.signed_link:
        before = db_snapshot()
        response = anonymous.get(url)
        assert response.status_code in access.owner_ok, f"GET {url} as anonymous"
        assert db_snapshot() == before, f"GET {url} as anonymous changed the database"
    else:
        assert _is_login_redirect(anonymous.get(url)), f"GET {url} as anonymous"
    if writes and not access.signed_link:
        before = db_snapshot()
        assert _is_login_redirect(anonymous.post(url, data)), f"POST {url} as anonymous"
        assert db_snapshot() == before, f"POST {url} as anonymous changed the database"

    # Everyone with no business with the object gets 404 and changes nothing.
    for role in access.denied:
        client = _client(world.users[role])
        before = db_snapshot()
        if access.kind in (PAGE, FORM):
            response = client.get(url)
            assert response.status_code == 404, f"GET {url} as {role}: {response.status_code}"
        if writes:
            response = client.post(url, data)
            assert response.status_code == 404, f"POST {url} as {role}: {response.status_code}"
        assert db_snapshot() == before, f"{url} as {role} changed the database"

    # An id of another program under this program's slug is 404 for the owner too.
    if access.foreign_args:
        foreign_url = reverse(name, args=access.foreign_args(world))
        client = _client(world.users[access.owner])
        before = db_snapshot()
        response = client.post(foreign_url, data) if writes else client.get(foreign_url)
        assert response.status_code == 404, f"{foreign_url}: {response.status_code}"
        assert db_snapshot() == before

    owner = world.users[access.owner]
    if access.signed_link:
        # The one-click POST of a mail program: no session, no CSRF token.
        response = _client(csrf=True).post(url, data)
        assert response.status_code in access.owner_ok, f"one-click POST {url}"
    elif writes:
        # A POST without a CSRF token is refused before the view runs.
        before = db_snapshot()
        response = _client(owner, csrf=True).post(url, data)
        assert response.status_code == 403, f"POST {url} without CSRF: {response.status_code}"
        assert db_snapshot() == before, f"POST {url} without CSRF changed the database"
    if access.kind == ACTION:
        response = _client(owner).get(url)
        assert response.status_code == 405, f"GET {url}: {response.status_code}"

    # The owner gets through.
    client = _client(owner)
    if access.kind in (PAGE, FORM):
        response = client.get(url)
        expected = access.owner_ok if access.kind == PAGE else (200,)
        assert response.status_code in expected, f"GET {url} as {access.owner}"
    if writes:
        response = client.post(url, data)
        assert response.status_code in access.owner_ok, (
            f"POST {url} as {access.owner}: {response.status_code}"
        )


@pytest.mark.parametrize("path", sorted(EDGE))
def test_edge_url_access(path):
    entry = EDGE[path]
    world = build_world()
    for role in (None, "mentee", "superuser"):
        client = _client(world.users[role] if role else None)
        before = db_snapshot()
        response = client.get(path)  # the test client is 127.0.0.1: a scraper's address
        assert response.status_code in entry.get, f"GET {path} as {role}: {response.status_code}"
        assert not response.cookies, f"GET {path} as {role} set a cookie"
        for method in (client.post, client.put, client.delete):
            response = method(path)
            assert response.status_code == 405, f"{path} as {role}: {response.status_code}"
        if entry.restricted:
            for method in (client.get, client.post):
                response = method(path, REMOTE_ADDR=OUTSIDE)
                assert response.status_code == 404, f"{path} from outside as {role}"
        assert db_snapshot() == before, f"{path} as {role} changed the database"
