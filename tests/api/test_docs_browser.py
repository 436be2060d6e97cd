"""The API's documentation page, as a developer opens it: served from our own static
files under the strict CSP (no inline script or style), and it lists the endpoints."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _static_files(settings):
    settings.WHITENOISE_USE_FINDERS = True  # the sidecar's assets without collectstatic
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.mark.parametrize("width", [1280, 390])
def test_the_documentation_page_loads_under_the_csp_and_lists_the_endpoints(
    page, live_server, width, tmp_path_factory
):
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if message.type == "error" else None
    )
    external = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(f"{live_server.url}/api/docs/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_role("heading", name="Mentoring platform API", level=1).wait_for()
    page.get_by_text("Authorization: Bearer").first.wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/programs/").first.wait_for()
    # Kept for a person to look at (pytest's temporary directory: the path is printed).
    shot = tmp_path_factory.getbasetemp() / f"api-docs-{width}.png"
    page.screenshot(path=str(shot), full_page=False)
    print(f"screenshot: {shot}")
    assert not refused, refused
    assert not external, external


def test_the_documentation_page_passes_axe(page, live_server):
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock-summary-path").first.wait_for()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
