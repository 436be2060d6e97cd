"""Security settings: Content-Security-Policy, login throttling (django-axes), session
rotation and invalidation, safe ``?next=`` redirects and SITE_URL links in emails."""

from __future__ import annotations

import re
import runpy
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from tests.connections.conftest import configure
from tests.factories import MembershipFactory, MentorMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SETTINGS_FILE = Path(settings.BASE_DIR) / "config" / "settings.py"


def _settings_with_env(monkeypatch, **env) -> dict:
    """config/settings.py evaluated under another environment (not installed)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


# --- Content-Security-Policy ------------------------------------------------------------------


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


@pytest.mark.parametrize("path", [LOGIN, "/", "/no-such-page/", "/admin/login/"])
def test_every_html_page_carries_the_policy(client, path):
    if path == "/":
        client.force_login(MembershipFactory().user)
    response = client.get(path)
    assert response["Content-Type"].startswith("text/html")
    policy = _policy(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE), "inline <script>"),
    (re.compile(r"<style", re.IGNORECASE), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event handler attribute"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def test_no_site_template_has_inline_script_or_style():
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = []
    for path in sorted(templates.rglob("*.html")):
        if "notifications" in path.parts:  # emails: mail clients, not browsers
            continue
        text = path.read_text()
        offenders += [
            f"{path.relative_to(templates)}: {what}" for rx, what in INLINE if rx.search(text)
        ]
    assert offenders == []


# --- django-axes -------------------------------------------------------------------------------

axes_on = override_settings(AXES_ENABLED=True)


def _attempt(client, username, password="wrong", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


@axes_on
def test_lockout_after_the_failure_limit_per_username_and_ip(client, ada):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        response = _attempt(client, "ada")
        assert response.status_code == 200 and b"Please enter a correct" in response.content
    locked = _attempt(client, "ada")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many sign-in attempts" in page
    assert "Please try again in 15 minutes." in page
    assert "an administrator can lift the pause" in page
    # Locked: even the right password is refused now, and no session is made.
    again = _attempt(client, "ada", "pw")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session

    # The lock holds that username from that address only.
    other_ip = Client()
    assert _attempt(other_ip, "ada", "pw", REMOTE_ADDR="203.0.113.9").status_code == 302
    UserFactory(username="grace")
    assert _attempt(Client(), "grace", "pw").status_code == 302


@axes_on
def test_a_successful_login_resets_the_count(client, ada):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "ada")
    assert _attempt(client, "ada", "pw").status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "ada").status_code == 200
    assert _attempt(client, "ada", "pw").status_code == 302


@axes_on
def test_the_lock_lifts_after_the_cool_off(client, ada):
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "ada")
    assert _attempt(client, "ada", "pw").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert _attempt(client, "ada", "pw").status_code == 302


@axes_on
def test_an_admin_lifts_the_lock_in_django_admin(client, ada, superuser):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "ada")
    attempt = AccessAttempt.objects.get(username="ada")
    admin = Client()
    admin.force_login(superuser)
    changelist = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and b"ada" in changelist.content
    response = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert _attempt(client, "ada", "pw").status_code == 302


def _proxy_settings(monkeypatch, **env) -> dict:
    production = _settings_with_env(
        monkeypatch,
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="mentoring.example.org",
        **env,
    )
    return {
        name: production[name]
        for name in production
        if name.startswith(("AXES_IPWARE_", "IPWARE_", "AXES_CLIENT_IP"))
        or name in ("TRUSTED_PROXIES", "SECURE_PROXY_SSL_HEADER")
    }


def test_production_trusts_no_proxy_unless_told(monkeypatch):
    # gunicorn reached directly (the Dockerfile): X-Forwarded-For is the client's own words.
    values = _proxy_settings(monkeypatch)
    assert values["TRUSTED_PROXIES"] == 0
    assert "SECURE_PROXY_SSL_HEADER" not in values
    assert values["AXES_CLIENT_IP_CALLABLE"] == "mentoring.client_address.client_address"
    assert settings.TRUSTED_PROXIES == 0  # development and tests too
    behind_nginx = _proxy_settings(
        monkeypatch, DJANGO_TRUSTED_PROXIES="1", DJANGO_SECURE_PROXY_SSL_HEADER="true"
    )
    assert behind_nginx["TRUSTED_PROXIES"] == 1
    assert behind_nginx["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


@axes_on
def test_behind_one_proxy_the_client_address_is_the_one_the_proxy_saw(monkeypatch, ada):
    """The proxy (REMOTE_ADDR 10.0.0.2) appends the address it saw to X-Forwarded-For;
    whatever a client writes in front of it does not change who is locked out."""
    from axes.helpers import get_client_ip_address
    from django.test import RequestFactory

    proxy = _proxy_settings(
        monkeypatch, DJANGO_TRUSTED_PROXIES="1", DJANGO_SECURE_PROXY_SSL_HEADER="true"
    )
    with override_settings(**proxy):
        factory = RequestFactory()

        def ip(forwarded):
            request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
            return get_client_ip_address(request)

        assert ip("198.51.100.7") == "198.51.100.7"
        assert ip("1.2.3.4, 198.51.100.7") == "198.51.100.7"
        assert ip("not-an-ip, 5.6.7.8, 198.51.100.7") == "198.51.100.7"

        attacker = Client(REMOTE_ADDR="10.0.0.2")
        for number in range(settings.AXES_FAILURE_LIMIT):
            spoofed = f"192.0.2.{number}, 198.51.100.7"
            _attempt(attacker, "ada", HTTP_X_FORWARDED_FOR=spoofed)
        assert _attempt(attacker, "ada", "pw", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == (
            429
        )
        # Ada herself, from her own address through the same proxy, still signs in.
        ada_client = Client(REMOTE_ADDR="10.0.0.2")
        response = _attempt(ada_client, "ada", "pw", HTTP_X_FORWARDED_FOR="203.0.113.20")
        assert response.status_code == 302


# --- sessions ------------------------------------------------------------------------------------


def test_signing_in_rotates_the_session_key(client, ada):
    client.get(LOGIN)
    session = client.session
    session["seen_login_page"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=before).exists()

    assert _attempt(client, "ada", "pw").status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["seen_login_page"] is True  # the data moved, the key did not


def test_signing_out_invalidates_the_session(client, ada):
    assert _attempt(client, "ada", "pw").status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/").status_code == 200

    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = stolen.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_logout_needs_a_post(client, ada):
    client.force_login(ada)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get("/").status_code == 200


OFF_SITE = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/accounts/",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "//testserver@evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leads_off_site_after_sign_in(client, ada, target):
    response = client.post(LOGIN, {"username": "ada", "password": "pw", "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leads_off_site_after_sign_out(client, ada, target):
    client.force_login(ada)
    response = client.post(reverse("logout"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGOUT_REDIRECT_URL)


def test_next_on_site_is_kept(client, ada):
    response = client.post(
        LOGIN, {"username": "ada", "password": "pw", "next": "/meetings/?tab=past"}
    )
    assert response["Location"] == "/meetings/?tab=past"


# --- links in emails ------------------------------------------------------------------------------


@override_settings(
    SITE_URL="https://mentoring.example.org", ALLOWED_HOSTS=["other.example", "testserver"]
)
def test_email_links_come_from_site_url_whatever_the_host_header(
    client, program, django_capture_on_commit_callbacks
):
    configure(program, ongoing_enabled=True, preferred_mentoring_enabled=False)
    mentor = MentorMembershipFactory(program=program, user__display_name="Amara Okafor")
    mentee = MembershipFactory(program=program).user
    client.force_login(mentee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:connect", args=[program.slug, mentor.pk]),
            {"message": "Could you help me grow as a team lead?"},
            HTTP_HOST="other.example",
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "https://mentoring.example.org/requests/received/" in message.body
    assert 'href="https://mentoring.example.org/requests/received/"' in html
    assert "other.example" not in message.body and "other.example" not in html
