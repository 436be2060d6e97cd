"""The people-facing pages the accessibility harness checks, the data they need, and the
guard's walk over the URL patterns.

PAGES lists every page state that gets an axe-core run (tests/browser/test_accessibility.py),
each with the person who opens it. EXEMPT lists, with a reason each, the URL names that
are not pages people look at. ``unchecked_routes`` is the guard: a URL name in neither
list fails ``test_every_page_url_is_checked_or_exempt``, so a new page cannot ship without
an axe check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from flash_meetings.models import FlashMeeting
from matching.models import ConnectionExtension, FlashToOngoingPolicy
from mentoring.models import Membership
from notifications.tokens import make_token
from ongoing import services as ongoing_services
from surveys import connection_services as connection_survey_services
from surveys.models import Survey
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
    in_days,
)
from tests.notifications.factories import aged_unsubscribe_token
from tests.surveys import factories as survey_factories

# The people who open pages (PERSONAS) and the user name each signs in with.
ANONYMOUS = "anonymous"
MENTEE = "mentee"  # Elif: a mentee in Harbour (forced connection) and Lighthouse (preferred)
REQUESTER = "requester"  # Gus: a mentee in Quay (connection request policy)
MENTOR = "mentor"  # Amara: a mentor in Harbour
BOTH = "both"  # Noor: a mentor in Harbour and a mentee in Lighthouse
STAFF = "staff"  # Sam: staff, member of no program
PERSONAS = (ANONYMOUS, MENTEE, REQUESTER, MENTOR, BOTH, STAFF)


def _ended(program, mentor, mentee, *, hours_ago: float, **kwargs) -> FlashMeeting:
    ends_at = timezone.now() - timedelta(hours=hours_ago)
    return FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        starts_at=ends_at - timedelta(minutes=30),
        ends_at=ends_at,
        **kwargs,
    )


def _program(slug: str, name: str, **settings):
    program = ProgramFactory(slug=slug, name=name)
    matching = program.matching_settings
    matching.ongoing_enabled = True
    matching.one_time_enabled = True
    matching.preferred_mentoring_enabled = False
    matching.mentors_choose_modes = False
    matching.default_max_ongoing_mentees = 3
    matching.max_ongoing_mentors_per_mentee = 5
    matching.max_pending_requests_per_mentee = 5
    for name_, value in settings.items():
        setattr(matching, name_, value)
    matching.save()
    return program


def build_world() -> SimpleNamespace:
    """Three programs and the people, meetings, requests and answers that put every page
    of PAGES in the state it names. Built in a few hundred milliseconds."""
    forced = FlashToOngoingPolicy.FORCED_CONNECTION
    harbour = _program(
        "harbour",
        "Harbour Program",
        flash_to_ongoing_enabled=True,
        flash_to_ongoing_policy=forced,
        mentors_choose_modes=True,  # every mentor offers both: the participation page's choice
        connection_extension_days=30,
    )
    quay = _program(
        "quay",
        "Quay Program",
        flash_to_ongoing_enabled=True,
        flash_to_ongoing_policy=FlashToOngoingPolicy.CONNECTION_REQUEST,
    )
    lighthouse = _program("lighthouse", "Lighthouse Program", preferred_mentoring_enabled=True)

    def person(username: str, display_name: str, **kwargs):
        return UserFactory(username=username, display_name=display_name, **kwargs)

    elif_ = person("elif", "Elif Demir")
    gus = person("gus", "Gus Lindqvist")
    hana = person("hana", "Hana Sato")
    amara = person("amara", "Amara Okafor")
    bruno = person("bruno", "Bruno Costa")
    chen = person("chen", "Chen Wei")
    farah = person("farah", "Farah Haddad")
    noor = person("noor", "Noor Rahman")
    sam = person("sam", "Sam Staff", is_staff=True)

    amara_m = MentorMembershipFactory(
        program=harbour, user=amara, max_ongoing_mentees=2, headline="Product lead"
    )
    # Bruno takes no new ongoing mentees: the follow-up with him offers no connection.
    MentorMembershipFactory(program=harbour, user=bruno, max_ongoing_mentees=0)
    MentorMembershipFactory(program=harbour, user=chen)
    MentorMembershipFactory(program=harbour, user=noor)
    MentorMembershipFactory(program=quay, user=farah)
    lighthouse_mentor = MentorMembershipFactory(program=lighthouse, user=chen)
    for mentee, program in (
        (elif_, harbour),
        (hana, harbour),
        (elif_, lighthouse),
        (noor, lighthouse),
        (gus, quay),
    ):
        MembershipFactory(program=program, user=mentee, role=Membership.Role.MENTEE)

    AvailabilitySlotFactory(program=harbour, mentor=amara, starts_at=in_days(5, 9))
    AvailabilitySlotFactory(program=harbour, mentor=amara, starts_at=in_days(6, 14))

    requested = FlashMeetingFactory(
        program=harbour,
        mentor=amara,
        mentee=elif_,
        topic="Preparing for interviews",
        status=FlashMeeting.Status.REQUESTED,
        starts_at=None,
        ends_at=None,
        counts_in_month=timezone.now().date().replace(day=1),
    )
    ProposedTimeFactory(meeting=requested, by_mentor=False, starts_at=in_days(7, 10))
    scheduled = FlashMeetingFactory(
        program=harbour,
        mentor=amara,
        mentee=elif_,
        topic="Roadmaps for a first product role",
        starts_at=in_days(3, 15),
        video_url="https://meet.example.org/harbour",
    )
    eligible = _ended(harbour, amara, elif_, hours_ago=2, topic="Moving into product")
    not_eligible = _ended(harbour, bruno, elif_, hours_ago=3, topic="Public speaking")
    answered = _ended(
        harbour,
        chen,
        elif_,
        hours_ago=30,
        topic="Writing a CV",
        status=FlashMeeting.Status.COMPLETED,
        follow_up_choice=FlashMeeting.FollowUpChoice.NO_THANKS,
        follow_up_answered_at=timezone.now() - timedelta(hours=29),
    )
    survey_factories.answer(
        answered,
        elif_,
        {"How useful was this meeting?": 4, "What did you talk about?": "My CV."},
    )
    did_not_happen = _ended(
        harbour,
        chen,
        elif_,
        hours_ago=50,
        topic="Negotiating an offer",
        status=FlashMeeting.Status.DID_NOT_HAPPEN,
    )
    cancelled = FlashMeetingFactory(
        program=harbour,
        mentor=bruno,
        mentee=elif_,
        topic="Networking",
        starts_at=in_days(4, 11),
        status=FlashMeeting.Status.CANCELLED,
    )
    request_policy = _ended(quay, farah, gus, hours_ago=1, topic="Learning to code")

    # Halfway through (issue 17): its mid-point check-in opened yesterday.
    connection = ConnectionFactory(
        program=harbour,
        mentor=chen,
        mentee=elif_,
        ends_on=timezone.localdate() + timedelta(40),
        check_in_on=timezone.localdate() - timedelta(1),
    )
    # How long it runs (issue 17): Chen asked to extend; Elif sees Accept and Decline.
    ConnectionExtension.objects.create(connection=connection, requested_by=chen, days=30)
    _goals_and_notes(connection)
    # Noor answered the check-in of her mentoring of Hana.
    answered_check_in = ConnectionFactory(
        program=harbour,
        mentor=noor,
        mentee=hana,
        ends_on=timezone.localdate() + timedelta(60),
        check_in_on=timezone.localdate() - timedelta(2),
    )
    check_in = Survey.objects.get(
        program=harbour, kind=Survey.Kind.CONNECTION_CHECK_IN, role=Survey.Role.MENTOR
    )
    connection_survey_services.connection_response_submit(
        connection=answered_check_in,
        respondent=noor,
        survey=check_in,
        answers={check_in.questions.get(kind="rating"): 5},
    )
    ConnectionRequestFactory(
        program=harbour, mentor=amara, mentee=hana, message="Could you mentor me this spring?"
    )
    ConnectionRequestFactory(
        program=harbour, mentor=noor, mentee=elif_, message="I'd love your help with design."
    )
    PreferredMentorFactory(program=lighthouse, mentee=elif_, mentor=chen, rank=1)

    return SimpleNamespace(
        users={
            MENTEE: elif_,
            REQUESTER: gus,
            MENTOR: amara,
            BOTH: noor,
            STAFF: sam,
        },
        harbour=harbour,
        lighthouse=lighthouse,
        amara_membership=amara_m,
        lighthouse_mentor=lighthouse_mentor,
        requested=requested,
        scheduled=scheduled,
        eligible=eligible,
        not_eligible=not_eligible,
        answered=answered,
        did_not_happen=did_not_happen,
        cancelled=cancelled,
        request_policy=request_policy,
        connection=connection,
        answered_check_in=answered_check_in,
    )


def _goals_and_notes(connection) -> None:
    """Life after connecting: a goal changed once, a shared and a private note each."""
    goal = ongoing_services.goal_add(
        connection=connection,
        actor=connection.mentee,
        title="Lead the billing migration",
        description="From planning to launch.",
    )
    ongoing_services.goal_update(
        goal=goal,
        actor=connection.mentor,
        title=goal.title,
        description=goal.description,
        target_date=None,
        status="achieved",
    )
    ongoing_services.note_add(
        connection=connection, actor=connection.mentor, body="Agenda: the launch plan.", shared=True
    )
    ongoing_services.note_add(
        connection=connection, actor=connection.mentor, body="Chen's own reminder.", shared=False
    )


# --- the pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str  # unique, names the page and its state in reports
    route: str | None  # the URL name this page checks (None: no URL name, e.g. 404)
    who: str  # the persona who opens it
    path: Callable[[SimpleNamespace], str]  # world -> path to open
    shows: str  # text the page must show: proves it is in the state named
    hides: str | None = None  # text it must not show
    then: str | None = None  # an action after opening, see test_accessibility.ACTIONS


def _url(name: str, *args: Callable[[SimpleNamespace], object]) -> Callable:
    return lambda w: reverse(name, args=[arg(w) for arg in args])


def _pk(attr: str) -> Callable[[SimpleNamespace], int]:
    return lambda w: getattr(w, attr).pk


def _reset_link(user) -> str:
    """The link of a password reset email to ``user``."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])


FOLLOW_UP = "flash_meetings:follow_up"
SURVEY = "surveys:meeting"
CONNECTION_SURVEY = "surveys:connection"
UNSUBSCRIBE = "notifications:unsubscribe"


def _unsubscribe(kind: str = "flash_meeting_reminder", *, days_old: int = 0) -> Callable:
    """The signed link in an email to Elif (the mentee); ``days_old`` > 60: expired."""

    def path(w) -> str:
        user_id = w.users[MENTEE].pk
        if days_old:
            token = aged_unsubscribe_token(user_id=user_id, kind=kind, days=days_old)
        else:
            token = make_token(user_id=user_id, kind=kind)
        return reverse(UNSUBSCRIBE, args=[token])

    return path


PAGES: tuple[Page, ...] = (
    # Signed out.
    Page("sign-in", "login", ANONYMOUS, _url("login"), "Sign in"),
    Page("404 (signed out)", None, ANONYMOUS, lambda w: "/no-such-page/", "Page not found"),
    # The unsubscribe link in an optional email, opened without signing in.
    Page("unsubscribe: confirm", UNSUBSCRIBE, ANONYMOUS, _unsubscribe(), "Stop these emails?"),
    Page(
        "unsubscribe: done",
        UNSUBSCRIBE,
        ANONYMOUS,
        _unsubscribe(),
        "You won't get these emails any more",
        then="stop_these_emails",
    ),
    Page(
        "unsubscribe: already off",
        UNSUBSCRIBE,
        ANONYMOUS,
        _unsubscribe(),
        "These emails are already off",
    ),
    Page(
        "unsubscribe: a kind that is always sent",
        UNSUBSCRIBE,
        ANONYMOUS,
        _unsubscribe("flash_meeting_cancelled"),
        "These emails can't be turned off",
    ),
    Page(
        "unsubscribe: expired link",
        UNSUBSCRIBE,
        ANONYMOUS,
        _unsubscribe(days_old=61),
        "This unsubscribe link has expired",
    ),
    Page(
        "unsubscribe: broken link",
        UNSUBSCRIBE,
        ANONYMOUS,
        lambda w: reverse(UNSUBSCRIBE, args=["not-a-token"]),
        "This unsubscribe link doesn't work",
    ),
    # Elif, a mentee.
    Page("dashboard (mentee)", "portal:dashboard", MENTEE, _url("portal:dashboard"), "Welcome"),
    Page(
        "mentor directory",
        "portal:directory",
        MENTEE,
        _url("portal:directory", lambda w: w.harbour.slug),
        "Amara Okafor",
    ),
    Page(
        "mentor profile",
        "portal:mentor_profile",
        MENTEE,
        _url("portal:mentor_profile", lambda w: w.harbour.slug, _pk("amara_membership")),
        "Amara Okafor",
    ),
    Page(
        "meeting request",
        "flash_meetings:request",
        MENTEE,
        _url("flash_meetings:request", _pk("amara_membership")),
        "Request a flash meeting",
    ),
    Page(
        "meeting request in a connection",
        "flash_meetings:request_in_connection",
        MENTEE,
        _url("flash_meetings:request_in_connection", _pk("connection")),
        "Request a meeting with Chen Wei, your mentor",
    ),
    Page(
        "meeting requested (mentee)",
        "flash_meetings:detail",
        MENTEE,
        _url("flash_meetings:detail", _pk("requested")),
        "Preparing for interviews",
    ),
    Page(
        "meeting scheduled (mentee)",
        "flash_meetings:detail",
        MENTEE,
        _url("flash_meetings:detail", _pk("scheduled")),
        "Roadmaps for a first product role",
    ),
    Page(
        "my meetings",
        "flash_meetings:my_meetings",
        MENTEE,
        _url("flash_meetings:my_meetings"),
        "My meetings",
    ),
    Page(
        "requests sent", "portal:requests_sent", MENTEE, _url("portal:requests_sent"), "Noor Rahman"
    ),
    Page(
        "connection",
        "portal:connection_detail",
        MENTEE,
        _url("portal:connection_detail", _pk("connection")),
        "Chen Wei mentoring Elif Demir",
    ),
    Page(
        "connection goals",
        "portal:connection_goals",
        MENTEE,
        _url("portal:connection_goals", _pk("connection")),
        "Lead the billing migration",
    ),
    Page(
        "connection notes",
        "portal:connection_notes",
        MENTEE,
        _url("portal:connection_notes", _pk("connection")),
        "Agenda: the launch plan.",
        hides="Chen's own reminder.",
    ),
    Page(
        "preferred mentors",
        "portal:preferred_list",
        MENTEE,
        _url("portal:preferred_list", lambda w: w.lighthouse.slug),
        "Chen Wei",
    ),
    Page("my account", "portal:account", MENTEE, _url("portal:account"), "Your name and time zone"),
    Page(
        "my account: email change with errors",
        "portal:account_email",
        MENTEE,
        _url("portal:account"),
        "Enter your new email address.",
        then="change_email_empty",
    ),
    Page("change password", "password_change", MENTEE, _url("password_change"), "Current password"),
    Page(
        "follow-up before the end",
        FOLLOW_UP,
        MENTEE,
        _url(FOLLOW_UP, _pk("scheduled")),
        "Come back",
        hides="No thanks",
    ),
    Page(
        "follow-up eligible, forced connection",
        FOLLOW_UP,
        MENTEE,
        _url(FOLLOW_UP, _pk("eligible")),
        "Yes, connect me with Amara Okafor",
    ),
    Page(
        "follow-up not eligible",
        FOLLOW_UP,
        MENTEE,
        _url(FOLLOW_UP, _pk("not_eligible")),
        "The meeting did not happen",
        hides="Yes, ",
    ),
    Page(
        "follow-up: confirm the meeting did not happen",
        "flash_meetings:follow_up_not_held",
        MENTEE,
        _url("flash_meetings:follow_up_not_held", _pk("eligible")),
        "Yes, it did not take place",
    ),
    Page(
        "follow-up of a cancelled meeting",
        FOLLOW_UP,
        MENTEE,
        _url(FOLLOW_UP, _pk("cancelled")),
        "nothing to follow up",
    ),
    Page(
        "follow-up answered (leads on to the survey)",
        FOLLOW_UP,
        MENTEE,
        _url(FOLLOW_UP, _pk("answered")),
        "You answered",
    ),
    Page(
        "survey, feedback version",
        SURVEY,
        MENTEE,
        _url(SURVEY, _pk("eligible")),
        "How useful was this meeting?",
    ),
    Page(
        "survey with validation errors",
        "surveys:submit",
        MENTEE,
        _url(SURVEY, _pk("eligible")),
        "Please answer this question.",
        then="send_survey_empty",
    ),
    Page(
        "survey, cancelled-meeting version",
        SURVEY,
        MENTEE,
        _url(SURVEY, _pk("did_not_happen")),
        "Why did the meeting not take place?",
    ),
    Page("survey answered", SURVEY, MENTEE, _url(SURVEY, _pk("answered")), "You answered"),
    Page(
        "thank-you page",
        "surveys:thanks",
        MENTEE,
        _url("surveys:thanks", _pk("answered")),
        "Thank you for your feedback",
    ),
    Page(
        "check-in survey",
        CONNECTION_SURVEY,
        MENTEE,
        _url(CONNECTION_SURVEY, _pk("connection"), lambda w: "check-in"),
        "How is your mentoring going so far?",
    ),
    Page(
        "check-in survey with validation errors",
        "surveys:connection_submit",
        MENTEE,
        _url(CONNECTION_SURVEY, _pk("connection"), lambda w: "check-in"),
        "Please answer this question.",
        then="send_survey_empty",
    ),
    Page(
        "closing survey, not open yet",
        CONNECTION_SURVEY,
        MENTEE,
        _url(CONNECTION_SURVEY, _pk("connection"), lambda w: "closing"),
        "The closing survey opens when your mentoring ends.",
    ),
    Page(
        "check-in thank-you page",
        "surveys:connection_thanks",
        BOTH,
        _url("surveys:connection_thanks", _pk("answered_check_in"), lambda w: "check-in"),
        "Thank you for your answers",
    ),
    Page(
        "email preferences",
        "notifications:preferences",
        MENTEE,
        _url("notifications:preferences"),
        "Emails you can turn off",
    ),
    Page(
        "email preferences saved",
        "notifications:preferences",
        MENTEE,
        _url("notifications:preferences"),
        "Your email choices are saved.",
        then="save_email_preferences",
    ),
    Page(
        "participation (mentee)",
        "portal:participation",
        MENTEE,
        _url("portal:participation", lambda w: w.harbour.slug),
        "What you hope to get from this program",
    ),
    Page("404 (signed in)", None, MENTEE, lambda w: "/meetings/999999/", "Page not found"),
    # Last for Elif: signing out ends her session (and leads to the sign-in page).
    Page("signed out", "logout", MENTEE, _url("portal:dashboard"), "Sign in", then="sign_out"),
    # Gus, a mentee in a program with the connection request policy.
    Page(
        "follow-up eligible, connection request",
        FOLLOW_UP,
        REQUESTER,
        _url(FOLLOW_UP, _pk("request_policy")),
        "Yes, send Farah Haddad a request",
    ),
    # Amara, a mentor.
    Page("dashboard (mentor)", "portal:dashboard", MENTOR, _url("portal:dashboard"), "Welcome"),
    Page(
        "mentor meetings",
        "flash_meetings:mentor_meetings",
        MENTOR,
        _url("flash_meetings:mentor_meetings"),
        "Preparing for interviews",
    ),
    Page(
        "availability",
        "flash_meetings:availability",
        MENTOR,
        _url("flash_meetings:availability"),
        "Your availability",
    ),
    Page(
        "requests received",
        "portal:requests_received",
        MENTOR,
        _url("portal:requests_received"),
        "Could you mentor me this spring?",
    ),
    Page(
        "meeting requested (mentor)",
        "flash_meetings:detail",
        MENTOR,
        _url("flash_meetings:detail", _pk("requested")),
        "Preparing for interviews",
    ),
    Page(
        "meeting scheduled (mentor)",
        "flash_meetings:detail",
        MENTOR,
        _url("flash_meetings:detail", _pk("scheduled")),
        "Roadmaps for a first product role",
    ),
    Page(
        "meeting page: confirm it did not happen (mentor)",
        "flash_meetings:not_held",
        MENTOR,
        _url("flash_meetings:not_held", _pk("eligible")),
        "Yes, it did not take place",
    ),
    Page(
        "survey, mentor's version",
        SURVEY,
        MENTOR,
        _url(SURVEY, _pk("eligible")),
        "Send my answers",
    ),
    Page(
        "participation (mentor)",
        "portal:participation",
        MENTOR,
        _url("portal:participation", lambda w: w.harbour.slug),
        "Kinds of mentoring you offer",
    ),
    Page(
        "participation with field errors (mentor)",
        "portal:participation_mentor",
        MENTOR,
        _url("portal:participation", lambda w: w.harbour.slug),
        "Choose a number from 0 to",
        then="participation_too_many",
    ),
    # Noor, a mentor in one program and a mentee in another.
    Page(
        "dashboard (mentor and mentee)",
        "portal:dashboard",
        BOTH,
        _url("portal:dashboard"),
        "Welcome",
    ),
    # Sam, staff with no membership.
    Page(
        "dashboard (staff, no program)",
        "portal:dashboard",
        STAFF,
        _url("portal:dashboard"),
        "Welcome",
    ),
    # Signed out: "Forgot your password?" on the sign-in page and the email's link.
    Page("forgot password", "password_reset", ANONYMOUS, _url("password_reset"), "Email me a link"),
    Page(
        "forgot password with errors",
        "password_reset",
        ANONYMOUS,
        _url("password_reset"),
        "Enter your email address.",
        then="ask_reset_empty",
    ),
    Page(
        "reset email sent",
        "password_reset_done",
        ANONYMOUS,
        _url("password_reset_done"),
        "Check your email",
    ),
    Page(
        "reset link: choose a new password",
        "password_reset_confirm",
        ANONYMOUS,
        lambda w: _reset_link(w.users[REQUESTER]),
        "Save my new password",
    ),
    Page(
        "reset link that no longer works",
        "password_reset_confirm",
        ANONYMOUS,
        lambda w: reverse("password_reset_confirm", args=["MQ", "c2hv-0123456789abcdef"]),
        "This link no longer works",
    ),
    Page(
        "password reset complete",
        "password_reset_complete",
        ANONYMOUS,
        _url("password_reset_complete"),
        "Your password is changed",
    ),
)

# URL names that are no page to look at, each with the reason. Anything else needs an
# entry in PAGES.
EXEMPT: dict[str, str] = {
    # Swagger UI draws it with scripts after load: its own test waits for that, then runs
    # axe at 1280 and 390 px (tests/api/test_docs_browser.py).
    "api:docs": "axe-checked in tests/api/test_docs_browser.py",
    # The benchmark's floor (config.views.baseline): a bare page no link leads to.
    "baseline": "benchmark only",
    # A calendar file download, not a page.
    "flash_meetings:ics": "download (.ics)",
    # POST-only actions: GET answers 405 (tests/hardening/test_url_access.py), a POST
    # redirects to a page checked above or re-renders it with a message.
    "portal:connect": "POST only",
    "portal:preferred_add": "POST only",
    "portal:preferred_remove": "POST only",
    "portal:preferred_move": "POST only",
    "portal:participation_mentee": "POST only",
    "portal:request_accept": "POST only",
    "portal:request_decline": "POST only",
    "portal:request_withdraw": "POST only",
    "portal:connection_end": "POST only",
    "portal:goal_add": "POST only",
    "portal:goal_update": "POST only",
    "portal:note_add": "POST only",
    "portal:extension_request": "POST only",
    "portal:extension_accept": "POST only",
    "portal:extension_decline": "POST only",
    "portal:extension_withdraw": "POST only",
    "flash_meetings:slot_remove": "POST only",
    "flash_meetings:accept": "POST only",
    "flash_meetings:decline": "POST only",
    "flash_meetings:propose": "POST only",
    "flash_meetings:accept_proposal": "POST only",
    "flash_meetings:withdraw": "POST only",
    "flash_meetings:cancel": "POST only",
    # The footer's language form, on every page checked above, signed in or out (PUBLIC in
    # tests/hardening/test_url_access.py): GET answers 405, a POST goes back to the page.
    "portal:language": "POST only, from every page's footer",
}
POST_ONLY = {name for name, reason in EXEMPT.items() if reason == "POST only"}


# --- the guard's walk ------------------------------------------------------------------------


def _is_api_data(resolver: URLResolver) -> bool:
    # The JSON API answers data, not pages (its routes have their own walker,
    # tests/api/test_api_access.py); its one page, the documentation, is in EXEMPT.
    return resolver.namespace == "api"


def _is_admin(resolver: URLResolver) -> bool:
    # Django admin (program admins' screens, Django's own markup) is outside this check.
    return resolver.namespace == admin_site.name or resolver.urlconf_name is admin_site.urls


def route_names(urlconf=None) -> dict[str, str]:
    """Every named URL pattern people can reach, as {"namespace:name": "route"} (Django
    admin left out; unnamed patterns reported under their route)."""
    found: dict[str, str] = {}

    def walk(patterns, namespace: str, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if _is_admin(entry):
                    continue
                if _is_api_data(entry):
                    found["api:docs"] = prefix + str(entry.pattern) + "docs/"
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                found[f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>"] = route

    walk(get_resolver(urlconf).url_patterns, "", "/")
    return found


CHECKED_ROUTES = {page.route for page in PAGES if page.route}


def unchecked_routes(urlconf=None) -> list[str]:
    """URL names with neither an axe-checked page nor an exemption."""
    return sorted(set(route_names(urlconf)) - CHECKED_ROUTES - set(EXEMPT))
