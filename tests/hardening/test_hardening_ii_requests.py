"""Hardening II (issue 16), requests: the client address the throttles key on, over-long
sign-in names, form posts in a charset nobody can read, caching of signed-in pages and
inline styles under the Content-Security-Policy."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.admin_scoping.conftest import _module_world  # noqa: F401 (a fixture)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SETTINGS_FILE = Path(settings.BASE_DIR) / "config" / "settings.py"


def _production_settings(monkeypatch, **env) -> dict:
    """config/settings.py as a production deployment evaluates it (not installed)."""
    monkeypatch.setenv("DJANGO_ENV", "production")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "mentoring.example.org")
    monkeypatch.delenv("DJANGO_TRUSTED_PROXIES", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def _client_address_settings(values: dict) -> dict:
    """Every setting that decides whose address a request has."""
    names = ("TRUSTED_PROXIES", "SECURE_PROXY_SSL_HEADER", "USE_X_FORWARDED_HOST")
    return {
        name: value
        for name, value in values.items()
        if name.startswith(("AXES_IPWARE_", "IPWARE_", "AXES_CLIENT_IP")) or name in names
    }


# --- 1. a forged X-Forwarded-For ------------------------------------------------------------------


def _sign_in(client, username, password="wrong", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_forged_forwarded_for_does_not_get_around_the_lockout_by_default(monkeypatch):
    """gunicorn reached directly, as the Dockerfile runs it: each attempt claims another
    address in X-Forwarded-For, and the account still locks after the limit."""
    UserFactory(username="ada")
    production = _client_address_settings(_production_settings(monkeypatch))
    with override_settings(AXES_ENABLED=True, **production):
        attacker = Client(REMOTE_ADDR="203.0.113.50")
        for number in range(settings.AXES_FAILURE_LIMIT):
            response = _sign_in(attacker, "ada", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
            assert response.status_code in (200, 429)
        right_password = _sign_in(attacker, "ada", "pw", HTTP_X_FORWARDED_FOR="192.0.2.99")
        assert right_password.status_code == 429
        assert "_auth_user_id" not in attacker.session


def test_forged_forwarded_for_is_not_the_password_reset_clients_address(client):
    UserFactory(username="ada", email="ada@example.org")
    client.post(
        "/accounts/password_reset/",
        {"email": "ada@example.org"},
        REMOTE_ADDR="203.0.113.50",
        HTTP_X_FORWARDED_FOR="192.0.2.1",
    )
    from portal.models import PasswordResetRequest

    assert PasswordResetRequest.objects.get().client_address == "203.0.113.50"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.2"),  # no proxy: the header is the client's invention
        (1, "", "10.0.0.2"),  # reached past the proxy: no header, the peer itself
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),  # what the client wrote is ignored
        (1, "not-an-ip", "10.0.0.2"),  # a broken proxy: never store garbage
        (2, "192.0.2.1, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),
        (1, "fe80::1%eth0", "10.0.0.2"),
        (1, " 2001:DB8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_follows_the_one_setting(proxies, forwarded, expected):
    from axes.helpers import get_client_ip_address
    from django.test import RequestFactory

    from mentoring.client_address import client_address

    meta = {"REMOTE_ADDR": "10.0.0.2"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    with override_settings(TRUSTED_PROXIES=proxies):
        assert client_address(request) == expected
        assert get_client_ip_address(request) == expected  # django-axes asks the same


def _deploy_warnings() -> list[str]:
    from django.core.checks import run_checks

    return sorted(
        m.id for m in run_checks(include_deployment_checks=True) if m.id.startswith("mentoring.")
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"TRUSTED_PROXIES": 0}, []),
        ({"TRUSTED_PROXIES": 1}, ["mentoring.W001"]),
        (
            {"TRUSTED_PROXIES": 1, "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
            [],
        ),
        ({"TRUSTED_PROXIES": 1, "USE_X_FORWARDED_HOST": True}, []),
        (
            {"TRUSTED_PROXIES": 0, "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
            ["mentoring.W002"],
        ),
    ],
)
def test_check_deploy_warns_when_proxies_are_trusted_but_none_is_declared(overrides, expected):
    declared = {"SECURE_PROXY_SSL_HEADER": None, "USE_X_FORWARDED_HOST": False, **overrides}
    with override_settings(**declared):
        assert _deploy_warnings() == expected


def test_check_deploy_passes_for_the_ci_and_compose_setups_and_warns_for_the_old_default(
    monkeypatch,
):
    """`manage.py check --deploy --fail-level WARNING` with production settings: clean as
    CI runs it, and the old default (one trusted proxy, no proxy declared) is flagged."""
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "ci-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
        "DJANGO_ALLOWED_HOSTS": "mentoring.example.org",
        "SITE_URL": "https://mentoring.example.org",
    }
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    clean = subprocess.run(  # noqa: S603 - our own manage.py
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    assert clean.returncode == 0, clean.stderr
    old_default = subprocess.run(  # noqa: S603
        command,
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_TRUSTED_PROXIES": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert old_default.returncode != 0
    assert "mentoring.W001" in old_default.stderr


# --- 2. over-long sign-in names ----------------------------------------------------------------


@override_settings(AXES_ENABLED=True)
@pytest.mark.parametrize("path", [LOGIN, "/admin/login/"])
@pytest.mark.parametrize("length", [151, 256, 10_000])
def test_an_over_long_username_is_a_form_error_not_a_database_error(path, length):
    from axes.models import AccessAttempt

    UserFactory(username="ada", is_staff=True)  # staff: admin's sign-in takes her too
    client = Client(raise_request_exception=False)
    response = client.post(path, {"username": "u" * length, "password": "wrong"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Usernames have at most 150 characters" in page
    assert not AccessAttempt.objects.exists()  # nothing reached the throttle's table
    # The form still signs in a real person afterwards (the database is not broken).
    assert client.post(path, {"username": "ada", "password": "pw"}).status_code == 302


def test_an_over_long_password_at_sign_in_is_a_form_error(client):
    UserFactory(username="ada")
    response = client.post(LOGIN, {"username": "ada", "password": "p" * 5000})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Passwords have at most 4096 characters" in response.content.decode()


# --- 3. a form POST in a charset nobody can read --------------------------------------------------

BOGUS_BODY = b"username=%FF%FE&password=\xff\xfe&email=\xfe\xff@example.org&display_name=\xff"
BAD_REQUEST_HEADING = "We could not read that request"


def _post_in_charset(client, path, charset="bogus-charset"):
    """POST a form with its CSRF token, in a charset Django must refuse (RFC 1866: form
    data is UTF-8): the token is there, the body is unreadable."""
    client.get(path)
    token = client.cookies["csrftoken"].value.encode()
    return client.generic(
        "POST",
        path,
        b"csrfmiddlewaretoken=" + token + b"&" + BOGUS_BODY,
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )


FORMS = [
    (LOGIN, None),
    ("/accounts/password_reset/", None),
    ("/admin/login/", None),
    ("/account/", "person"),
    ("/accounts/password_change/", "person"),
    ("/notifications/preferences/", "person"),
    ("/admin/mentoring/program/add/", "superuser"),
    ("/admin/password_change/", "superuser"),
]


def _client_as(who: str | None) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if who:
        superuser = who == "superuser"
        client.force_login(UserFactory(is_staff=superuser, is_superuser=superuser))
    return client


@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "windows-1252"])
@pytest.mark.parametrize(("path", "who"), FORMS)
def test_a_form_post_in_a_non_utf8_charset_is_the_400_page(path, who, charset):
    response = _post_in_charset(_client_as(who), path, charset)
    assert response.status_code == 400
    assert BAD_REQUEST_HEADING in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("path", "who"), FORMS)
def test_a_charset_python_does_not_know_is_read_as_utf8(path, who):
    """Django ignores a charset it cannot look up: the body is read as UTF-8, the
    undecodable bytes become replacement characters, and the form says what is wrong."""
    response = _post_in_charset(_client_as(who), path, "bogus-charset")
    assert response.status_code in (200, 302, 400)
    assert "Server Error" not in response.content.decode()


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=50, DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
@pytest.mark.parametrize(("path", "who"), [(LOGIN, None), ("/account/", "person")])
@pytest.mark.parametrize(
    "body", [b"&".join(b"f%d=x" % n for n in range(60)), b"display_name=" + b"x" * 20_000]
)
def test_too_many_fields_or_too_large_a_body_is_the_400_page_under_the_csrf_check(path, who, body):
    client = _client_as(who)
    client.get(path)
    token = client.cookies["csrftoken"].value.encode()
    response = client.generic(
        "POST",
        path,
        b"csrfmiddlewaretoken=" + token + b"&" + body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert BAD_REQUEST_HEADING in response.content.decode()


def test_an_unreadable_post_to_no_page_is_a_404_and_to_a_csrf_exempt_view_a_400(client):
    anonymous = Client(enforce_csrf_checks=True, raise_request_exception=False)
    missing = anonymous.generic(
        "POST",
        "/no-such-page/",
        BOGUS_BODY,
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()
    # The one view without CSRF protection reads the body itself (one-click unsubscribe).
    from notifications.tokens import make_token

    person = UserFactory()
    token = make_token(user_id=person.pk, kind="flash_meeting_reminder")
    url = f"/notifications/unsubscribe/{token}/"
    response = anonymous.generic(
        "POST", url, BOGUS_BODY, content_type="application/x-www-form-urlencoded; charset=utf-16"
    )
    assert response.status_code == 400
    assert BAD_REQUEST_HEADING in response.content.decode()


# --- 4. signed-in pages are not for shared caches ------------------------------------------------


def _cache_control(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",") if part}


def _signed_in_pages() -> list[str]:
    from tests.hardening.test_url_access import ACCESS, FORM, PAGE

    return sorted(name for name, access in ACCESS.items() if access.kind in (PAGE, FORM))


@pytest.mark.parametrize("name", _signed_in_pages())
def test_every_signed_in_page_says_private_no_store(name):
    """Walks the access walker's table (tests/hardening/test_url_access.py): each page a
    person opens signed in, opened by the person it belongs to."""
    from django.urls import reverse

    from tests.hardening.test_url_access import ACCESS, build_world

    access = ACCESS[name]
    world = build_world()
    url = reverse(name, args=access.args(world) if access.args else None)
    client = Client()
    client.force_login(world.users[access.owner])
    response = client.get(url)
    assert response.status_code < 500, url
    assert {"private", "no-store"} <= _cache_control(response), (url, response.get("Cache-Control"))


def test_pages_with_a_session_or_a_form_token_are_private_too(client):
    for path in (LOGIN, "/accounts/password_reset/", "/no-such-page/"):
        response = client.get(path)
        assert {"no-store"} <= _cache_control(response), path
    # Admin's own (never_cache) header is kept as it is.
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = admin.get("/admin/")
    assert "no-cache" in _cache_control(response) and "private" in _cache_control(response)


@override_settings(WHITENOISE_USE_FINDERS=True)  # WhiteNoise serves from static/, no collectstatic
def test_static_files_keep_their_own_cache_header_even_signed_in():
    client = Client()  # built under the override: WhiteNoise reads its settings once
    client.force_login(UserFactory())
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "no-store" not in _cache_control(response)
    assert "private" not in _cache_control(response)
    assert "max-age" in response["Cache-Control"]


# --- 5. no inline style or script in admin pages ----------------------------------------------

INLINE_IN_HTML = [
    (re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "script"),
    (re.compile(r"<style", re.I), "<style>"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "event handler attribute"),
    (re.compile(r"href=[\"']javascript:", re.I), "javascript: URL"),
]


def _inline(html: str) -> list[str]:
    found = []
    for pattern, what in INLINE_IN_HTML:
        for match in pattern.finditer(html):
            found.append(f"{what}: {html[max(0, match.start() - 60) : match.end() + 60]!r}")
    return found


def _admin_models() -> list[str]:
    from django.contrib import admin

    return sorted(model._meta.label_lower for model in admin.site._registry)


@pytest.fixture
def scoping_world(_module_world, db):  # noqa: F811
    """tests/admin_scoping's world: two programs, an object of every kind in each."""
    return _module_world


@pytest.mark.parametrize("label", _admin_models())
def test_admin_changelist_and_change_page_have_nothing_inline_for_the_policy_to_block(
    client, scoping_world, label
):
    """Every registered admin, as a superuser, in the admin scoping world (an object of
    every kind): the change list and each object's change page (read-only ones too)."""
    from django.urls import reverse

    app_label, model_name = label.split(".")
    client.force_login(scoping_world.superuser)
    urls = [reverse(f"admin:{app_label}_{model_name}_changelist")]
    for pk in sorted(scoping_world.alpha.pks(label))[:2]:
        urls.append(reverse(f"admin:{app_label}_{model_name}_change", args=[pk]))
    add = client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert add.status_code in (200, 403)  # 403: rows only services write
    if add.status_code == 200:
        assert _inline(add.content.decode()) == [], f"{label} add page"
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _inline(response.content.decode()) == [], url


def test_the_notification_text_is_styled_from_the_admin_stylesheet(client, scoping_world):
    from django.urls import reverse

    from notifications.models import Notification

    client.force_login(scoping_world.superuser)
    notification = Notification.objects.filter(program=scoping_world.alpha.program).first()
    page = client.get(reverse("admin:notifications_notification_change", args=[notification.pk]))
    html = page.content.decode()
    assert '<pre class="notification-text">' in html
    assert 'href="/static/css/admin.css"' in html
    css = (Path(settings.BASE_DIR) / "static" / "css" / "admin.css").read_text()
    assert ".notification-text" in css and "pre-wrap" in css
