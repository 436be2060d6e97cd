"""Accessibility in CI: every people-facing page (tests/browser/pages.py) passes axe-core's
WCAG 2.2 A/AA rules in Chromium at 1280 px and 390 px, in English and in Spanish (with
``<html lang>`` naming the language each is in), fits 390 px without sideways scrolling,
and the follow-up's choices and the survey work with the keyboard alone, with focus
always visible.

One test per person and width: it builds the data once, signs in once and opens that
person's pages in turn, collecting every problem before it fails, so one run reports all
of them (page, width, rule, element). The guard tests below fail when a URL is neither
checked here nor exempt in pages.py. Browser tests skip (with the reason) only when
Debian's Chromium is missing (tests/conftest.py's ``browser`` fixture).
"""

from __future__ import annotations

import re
import types

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from config import views as config_views
from flash_meetings.models import FlashMeeting
from mentoring.models import User
from tests.browser.pages import (
    ANONYMOUS,
    CHECKED_ROUTES,
    EXEMPT,
    PAGES,
    PERSONAS,
    POST_ONLY,
    build_world,
    route_names,
    unchecked_routes,
)
from tests.conftest import sign_in
from tests.follow_up.conftest import FORCED, REQUEST, make_setup

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "resultTypes": ["violations", "incomplete"],
}
# axe leaves these to a person to review ("incomplete"); here they are always a fault: an id
# a label or ARIA points at, used twice, names the wrong field.
INCOMPLETE_IS_FAULT = {"duplicate-id-aria"}
WIDTHS = {1280: {"width": 1280, "height": 800}, 390: {"width": 390, "height": 844}}
AXE = Axe()

# Elements sticking out to the right of the viewport: what makes a page scroll sideways.
TOO_WIDE_JS = """() => {
  const limit = window.innerWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 0.5 && box.width > 0) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.classList.length ? "." + [...el.classList].join(".") : "");
      wide.push(name + " (right edge " + Math.round(box.right) + "px)");
    }
  }
  return wide.slice(0, 5);
}"""

# The focused element and whether its focus shows: an outline or box-shadow on it (or an
# outline on the option around a radio or checkbox), on screen.
FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const hasOutline = (style) => style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    type: (el.getAttribute("type") || "").toLowerCase(),
    name: el.getAttribute("name") || "",
    text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 80),
    checked: !!el.checked,
    empty: "value" in el && el.value === "",
    inForm: !!el.closest("form.survey-form"),
    focusVisible: el.matches(":focus-visible"),
    outline: hasOutline(style),
    shadow: style.boxShadow !== "none" && style.boxShadow !== "",
    // A radio or checkbox may show its focus on the option around it (:has(:focus-visible)).
    aroundOutline: [el.parentElement, el.parentElement && el.parentElement.parentElement].some(
      (around) => around && around.tagName !== "FIELDSET" && hasOutline(getComputedStyle(around))
    ),
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0 &&
      box.left < window.innerWidth && box.top < window.innerHeight,
  };
}"""


# --- the guard ---------------------------------------------------------------------------


def test_every_page_url_is_checked_or_exempt():
    missing = unchecked_routes()
    assert not missing, (
        f"URL names without an axe check: {missing}. Add the page (in each state people "
        "see) to PAGES in tests/browser/pages.py, or, if it is no page to look at, to "
        "EXEMPT there with the reason."
    )


def test_the_guard_fails_for_a_new_page_url():
    from config import urls

    with_a_new_page = types.ModuleType("with_a_new_page")
    with_a_new_page.urlpatterns = [
        *urls.urlpatterns,
        path("brand-new/", config_views.baseline, name="brand_new"),
    ]
    assert unchecked_routes(with_a_new_page) == ["brand_new"]


def test_the_lists_name_only_existing_urls():
    names = set(route_names())
    assert names >= CHECKED_ROUTES, f"PAGES names unknown URLs: {CHECKED_ROUTES - names}"
    assert names >= set(EXEMPT), f"EXEMPT names unknown URLs: {set(EXEMPT) - names}"
    assert not CHECKED_ROUTES & set(EXEMPT), "a URL is both checked and exempt"
    assert len({page.key for page in PAGES}) == len(PAGES), "two PAGES share a key"


def test_post_only_exemptions_are_post_only():
    # The access walker knows each URL's kind; an exempt "POST only" URL must be one.
    from tests.hardening.test_url_access import ACCESS, ACTION

    wrong = sorted(name for name in POST_ONLY if getattr(ACCESS.get(name), "kind", None) != ACTION)
    assert not wrong, f"exempt as POST only, but GET shows a page: {wrong}"


# --- axe, and no sideways scrolling --------------------------------------------------------


@pytest.mark.browser
def test_axe_runs_and_reports_violations(browser):
    # The harness is live: a page with known faults gets them reported.
    context, page = _new_page(browser, 1280)
    try:
        page.set_content("<html><body><main><img src='x.png'><a href='#'></a></main></body></html>")
        found = " ".join(_violations(page))
    finally:
        context.close()
    for rule in ("html-has-lang", "image-alt", "link-name"):
        assert rule in found, found


def _send_survey_empty(page) -> None:
    page.get_by_role("button", name=gettext("Send my answers")).click()
    page.wait_for_url(re.compile(r"/answer/$"))


def _sign_out(page) -> None:
    # Submit the header's sign-out form (at 390 px it may sit in a collapsed menu).
    page.locator("form[action$='/logout/']").first.evaluate("form => form.requestSubmit()")
    # LOGOUT_REDIRECT_URL: people land on the sign-in page again.
    page.wait_for_url(re.compile(r"/accounts/login/$"))


def _save_email_preferences(page) -> None:
    page.get_by_label(gettext("A reminder before each flash meeting")).uncheck()
    page.get_by_role("button", name=gettext("Save my choices")).click()
    page.get_by_text(gettext("Your email choices are saved.")).wait_for()


def _stop_these_emails(page) -> None:
    page.get_by_role("button", name=gettext("Stop these emails")).click()
    page.get_by_role("heading", name=gettext("You won't get these emails any more")).wait_for()


ACTIONS = {
    "send_survey_empty": _send_survey_empty,
    "sign_out": _sign_out,
    "save_email_preferences": _save_email_preferences,
    "stop_these_emails": _stop_these_emails,
}


def _change_email_empty(page) -> None:
    page.get_by_role("button", name=gettext("Change email address")).click()
    page.locator("#id_email_error").wait_for()


def _ask_reset_empty(page) -> None:
    page.get_by_role("button", name=gettext("Email me a link")).click()
    page.locator("#id_email_error").wait_for()


ACTIONS.update(change_email_empty=_change_email_empty, ask_reset_empty=_ask_reset_empty)


def _participation_too_many(page) -> None:
    page.get_by_label(gettext("Most flash meetings a month")).fill("1000")
    page.get_by_role("button", name=gettext("Save my mentoring details")).click()
    page.locator("#id_max_flash_meetings_per_month_error").wait_for()


ACTIONS.update(participation_too_many=_participation_too_many)


def _violations(page) -> list[str]:
    found = []
    results = AXE.run(page, options=AXE_OPTIONS).response
    faults = [item for item in results["incomplete"] if item["id"] in INCOMPLETE_IS_FAULT]
    for violation in results["violations"] + faults:
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            found.append(
                f"{violation['id']} ({violation['impact']}) on {node['target']}: {summary[:300]}"
            )
    return found


def check_page(page, base_url: str, world, entry, width: int) -> list[str]:
    """The page's problems in the active language: ``shows`` and ``hides`` are read in it
    (a text that is one msgid is looked for translated; names and topics as they are)."""
    page.goto(base_url + entry.path(world))
    if entry.then:
        ACTIONS[entry.then](page)
    language = translation.get_language()
    where = f"[{entry.key} @ {width}px {language} {page.url.removeprefix(base_url)}]"
    problems = []
    lang = page.evaluate("document.documentElement.lang")
    if lang != language:
        problems.append(f"{where} says <html lang={lang!r}>, but is shown in {language!r}")
    text = page.locator("body").inner_text()
    shows = gettext(entry.shows)
    if shows not in text and (shows != entry.shows or language == settings.LANGUAGE_CODE):
        # A sentence put together around a name ("Request a meeting with Chen Wei, your
        # mentor") is no msgid of its own: in another language only lang and axe judge it.
        problems.append(f"{where} does not show {shows!r}: not the state it names")
    hides = entry.hides and gettext(entry.hides)
    if hides and hides in text:
        problems.append(f"{where} shows {hides!r}: not the state it names")
    problems += [f"{where} {violation}" for violation in _violations(page)]
    if width <= 390:
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > inner_width:
            problems.append(
                f"{where} scrolls sideways: scrollWidth {scroll_width} > {inner_width}; "
                f"too wide: {page.evaluate(TOO_WIDE_JS)}"
            )
    return problems


def _new_page(browser, width: int):
    context = browser.new_context(viewport=WIDTHS[width], reduced_motion="reduce")
    context.set_default_timeout(10_000)
    return context, context.new_page()


def _sign_in(page, live_server, username: str, next_url: str = "") -> None:
    sign_in(page, live_server, username, next_url=next_url)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _persona_problems(browser, live_server, who: str, width: int, language: str) -> list[str]:
    """Every problem of ``who``'s pages at ``width``, read in ``language``: the people of
    the world read it (their stored choice), and so does the browser (signed out)."""
    world = build_world()
    User.objects.filter(pk__in=[user.pk for user in world.users.values()]).update(language=language)
    context = browser.new_context(
        viewport=WIDTHS[width], reduced_motion="reduce", locale=BROWSER_LOCALES[language]
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        with translation.override(language):
            if who != ANONYMOUS:
                _sign_in(page, live_server, world.users[who].username)
            for entry in (entry for entry in PAGES if entry.who == who):
                problems += check_page(page, live_server.url, world, entry, width)
    finally:
        context.close()
    return problems


# Spanish runs longer than English: 390 px is where a page would start to scroll sideways.
BROWSER_LOCALES = {"en": "en-US", "es": "es-ES"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", BROWSER_LOCALES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("who", PERSONAS)
def test_pages_pass_axe_and_fit(who, width, language, browser, live_server):
    problems = _persona_problems(browser, live_server, who, width, language)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


# --- keyboard only ---------------------------------------------------------------------------


def _focused(page) -> dict | None:
    info = page.evaluate(FOCUSED_JS)
    if info is not None:
        marked = info["outline"] or info["shadow"] or info["aroundOutline"]
        shows = info["focusVisible"] and marked and info["onScreen"]
        assert shows, f"focus is not visible on {info} at {page.url}"
    return info


def tab_to(page, wanted, limit: int = 80) -> dict:
    """Press Tab until ``wanted(focused)``; every element on the way shows its focus."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = _focused(page)
        if info is not None and wanted(info):
            return info
        passed.append(info and info["text"] or info and info["name"])
    raise AssertionError(f"Tab never reached the element wanted at {page.url}; passed {passed}")


def answer_survey_by_keyboard(page) -> None:
    """Tab through the survey form: Space picks the first choice of each group, typing fills
    an empty text box, Enter on "Send my answers" sends it."""
    answered = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        info = _focused(page)
        if info is None or not info["inForm"]:
            continue
        if info["tag"] == "button":
            assert info["text"].startswith("Send my answers"), info
            page.keyboard.press("Enter")
            return
        if info["type"] in ("radio", "checkbox"):
            if info["name"] not in answered:
                page.keyboard.press("Space")
                answered.add(info["name"])
        elif (info["tag"] == "textarea" or info["type"] in ("text", "")) and info["empty"]:
            page.keyboard.type("Answered with the keyboard only.")
    raise AssertionError("Tab never reached the survey's send button")


# flow -> (policy, the button to press, choice recorded, survey version, width): each width
# is walked by at least one flow.
KEYBOARD_FLOWS = {
    "yes-connect": (FORCED, "Yes, connect me with Amara Okafor", "connect", "completed", 1280),
    "yes-request": (REQUEST, "Yes, send Amara Okafor a request", "connect", "completed", 390),
    "did-not-happen": (FORCED, "The meeting did not happen", "did_not_happen", "cancelled", 390),
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("flow", KEYBOARD_FLOWS)
def test_follow_up_and_survey_by_keyboard_alone(flow, browser, live_server):
    policy, button, choice, version, width = KEYBOARD_FLOWS[flow]
    setup = make_setup(policy)
    follow_up = reverse("flash_meetings:follow_up", args=[setup.meeting.pk])
    survey = reverse("surveys:meeting", args=[setup.meeting.pk])
    context, page = _new_page(browser, width)
    try:
        _sign_in(page, live_server, setup.mentee.username, next_url=follow_up)
        page.wait_for_url(re.compile(rf"{follow_up}$"))

        tab_to(page, lambda info: info["tag"] == "button" and info["text"].startswith(button))
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: not url.endswith(follow_up))
        if not page.url.endswith(survey):
            # The one confirmation before "did not happen" is recorded.
            expect(page.get_by_role("heading", level=1)).to_contain_text("not take place")
            tab_to(
                page,
                lambda info: info["tag"] == "button" and info["text"].startswith("Yes, it did not"),
            )
            page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf"{survey}$"))

        answer_survey_by_keyboard(page)
        expect(page.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    finally:
        context.close()
    setup.meeting.refresh_from_db()
    assert setup.meeting.follow_up_choice == choice
    response = setup.meeting.survey_responses.get()
    assert response.version == version
    if choice == "did_not_happen":
        assert setup.meeting.status == FlashMeeting.Status.DID_NOT_HAPPEN
