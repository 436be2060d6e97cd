"""What a page must pass in Chromium, for tests that drive admin pages themselves:
axe-core's WCAG A/AA rules, no sideways scrolling, nothing refused by the CSP."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}
# While axe-core runs, its own injected styles draw CSP refusals that are not the page's.
AXE_RUNNING = {"now": False}


def page_problems(page) -> list[str]:
    """Every axe violation on the page, and a sideways scroll if there is one."""
    AXE_RUNNING["now"] = True
    try:
        results = Axe().run(page, options=AXE_OPTIONS).response
    finally:
        AXE_RUNNING["now"] = False
    found = [
        f"{violation['id']} on {node['target']}"
        for violation in results["violations"]
        for node in violation["nodes"]
    ]
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        found.append(f"scrolls sideways: {scroll} > {inner}")
    return found


def csp_refusals(page) -> list[str]:
    """A list that fills with what the Content Security Policy refuses on ``page`` from
    now on (axe-core's own injected checks left out)."""
    refused: list[str] = []

    def refused_by_the_csp(message) -> None:
        if "Content Security Policy" in message.text and not AXE_RUNNING["now"]:
            refused.append(f"{page.url}: {message.text[:80]}")

    page.on("console", refused_by_the_csp)
    return refused
