import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from portal.sign_in_forms import SignInForm
from tests import pgbouncer
from tests.factories import ProgramFactory, UserFactory

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config):
    """Compile the catalogues (.mo) when a .po is newer, as `make test` does, so that a bare
    `pytest` reads the translations of the code it tests."""
    for po in Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)  # noqa: S603, S607


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in LANGUAGE_CODE: a request leaves its language active in the thread
    (LocaleMiddleware activates one per request and never deactivates)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def matching_settings(program):
    return program.matching_settings


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


# --- Browser tests -------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses
    # to run inside one unless told that this is deliberate.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def sign_in(page, live_server, username: str, password: str = "pw", next_url: str = "") -> None:
    """Sign in through the real login form, the way a person does: in the active language
    (a test in Spanish runs inside ``translation.override("es")``)."""
    fields = SignInForm().fields
    page.goto(f"{live_server.url}/accounts/login/{'?next=' + next_url if next_url else ''}")
    page.get_by_label(str(fields["username"].label)).fill(username)
    page.get_by_label(str(fields["password"].label)).fill(password)
    page.get_by_role("button", name=translation.gettext("Sign in")).click()


# --- Races through PgBouncer (tests/pgbouncer.py) ------------------------------------


@pytest.fixture(scope="session")
def pgbouncer_port(django_db_setup, django_db_blocker):
    """One transaction-pooling PgBouncer for the session, in front of the test
    database's PostgreSQL. Depends on ``django_db_setup`` so that it stops (closing its
    server connections) before the test database is dropped."""
    if connection.vendor != "postgresql":
        pytest.skip("PgBouncer pools PostgreSQL connections; set DATABASE_URL=postgres://…")
    with pgbouncer.running(**pgbouncer.django_upstream()) as port:
        yield port


class RacerConnections:
    """How this run's racer threads reach PostgreSQL: ``direct``, or through PgBouncer
    with ``DJANGO_DB_PREPARED_STATEMENTS=false`` (the test's own thread stays direct)."""

    def __init__(self, route: str, port: int | None = None):
        self.route = route
        self.port = port
        self.database = connection.settings_dict["NAME"]
        self.before = self._transactions()

    def _transactions(self) -> int:
        if self.port is None:
            return 0
        return pgbouncer.stats(self.port, self.database)["total_xact_count"]

    def assert_routed(self, *, at_least: int) -> None:
        """Through PgBouncer: its admin console counted at least ``at_least`` transactions
        on the test database during the test, and only the racers could have sent them
        (the test's own connection is direct). Direct: nothing to prove."""
        if self.route == "direct":
            return
        carried = self._transactions() - self.before
        assert carried >= at_least, (
            f"PgBouncer carried {carried} transactions, the racers needed {at_least}"
        )


@pytest.fixture(params=["direct", "pgbouncer"])
def racer_db(request):
    """Parametrises a race: once with the racer threads on PostgreSQL directly, once
    through a transaction-pooling PgBouncer with prepared statements off, exactly as
    ``DJANGO_DB_PREPARED_STATEMENTS=false`` configures them. The test ends with
    ``racer_db.assert_routed(at_least=<racers>)``."""
    if request.param == "direct":
        yield RacerConnections("direct")
        return
    port = request.getfixturevalue("pgbouncer_port")
    with pgbouncer.route_new_connections(port, prepared_statements=False):
        racers = RacerConnections("pgbouncer", port)
        yield racers
    pgbouncer.close_server_connections(port, racers.database)
