"""Password reset through the outbox: a ``password_reset`` notification with a SITE_URL
link, throttled per email address and per client address, with the same answer whether
or not an account uses the address; the product's pages; the link sets a new password
once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from notifications.models import Notification
from portal.models import PasswordResetRequest
from tests.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

RESET = "/accounts/password_reset/"
DONE = "/accounts/password_reset/done/"
SITE = "https://mentoring.example.org"
LINK = re.compile(re.escape(SITE) + r"(/accounts/reset/[^/\s\"]+/[^/\s\"]+/)")


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", email="ada@example.org", display_name="Ada Lovelace")


def ask(client, email, **extra):
    return client.post(RESET, {"email": email}, **extra)


def reset_rows():
    return Notification.objects.filter(kind="password_reset")


def test_the_names_are_djangos_and_the_pages_are_ours(client):
    assert reverse("password_reset") == RESET
    assert reverse("password_reset_done") == DONE
    page = client.get(RESET).content.decode()
    assert "<h1>Forgot your password?</h1>" in page
    assert 'href="/static/css/site.css"' in page  # base.html, not Django admin's templates
    assert "Email me a link" in page
    login = client.get(reverse("login")).content.decode()
    assert f'href="{RESET}">Forgot your password?</a>' in login


@override_settings(SITE_URL=SITE, ALLOWED_HOSTS=["evil.example", "testserver"])
def test_the_email_goes_through_the_outbox_with_a_site_url_link(
    client, ada, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ask(client, "ADA@example.org", HTTP_HOST="evil.example")
    assert response.status_code == 302 and response["Location"] == DONE
    row = reset_rows().get()
    assert row.recipient == ada and row.to_email == "ada@example.org"
    assert row.program is None
    assert row.context["username"] == "ada"
    assert len(callbacks) == 1  # delivery is enqueued on commit, like every email
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert message.subject == "Choose a new password"
    assert message.extra_headers["X-Notification-Kind"] == "password_reset"
    html = message.alternatives[0][0]
    path = LINK.search(message.body).group(1)
    assert f'href="{SITE}{path}"' in html
    assert path == row.context["reset_path"]
    assert "evil.example" not in message.body and "evil.example" not in html
    assert "Your username is ada." in message.body
    assert "If you did not ask for this, ignore this email" in message.body


def test_django_direct_mail_is_never_used(client, ada, monkeypatch):
    from django.contrib.auth.forms import PasswordResetForm

    def refuse(*args, **kwargs):
        raise AssertionError("Django's PasswordResetForm.send_mail was called")

    monkeypatch.setattr(PasswordResetForm, "send_mail", refuse)
    assert ask(client, "ada@example.org").status_code == 302
    assert reset_rows().count() == 1


def test_each_request_is_its_own_email(client, ada):
    ask(client, "ada@example.org")
    ask(client, "ada@example.org")
    rows = list(reset_rows())
    assert len(rows) == 2
    assert rows[0].dedupe_key != rows[1].dedupe_key


def test_the_answer_is_the_same_whether_or_not_an_account_uses_the_address(client, ada):
    known = ask(client, "ada@example.org")
    unknown = ask(Client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == DONE
    assert reset_rows().count() == 1  # only the real account gets an email
    page = client.get(DONE).content.decode()
    assert "If an account uses that address" in page


def test_inactive_accounts_and_accounts_without_a_password_get_nothing(client):
    UserFactory(email="gone@example.org", is_active=False)
    no_password = UserFactory(email="sso@example.org")
    no_password.set_unusable_password()
    no_password.save()
    for email in ("gone@example.org", "sso@example.org"):
        assert ask(client, email).status_code == 302
    assert not reset_rows().exists()


# --- throttling ---------------------------------------------------------------------------------


@override_settings(PASSWORD_RESET_LIMIT_PER_EMAIL=3, PASSWORD_RESET_LIMIT_PER_ADDRESS=100)
@pytest.mark.parametrize("email", ["ada@example.org", "nobody@example.org"])
def test_requests_per_email_address_are_limited_the_same_for_every_address(client, ada, email):
    for number in range(3):
        # From three different addresses: it is the email address that counts here.
        response = ask(client, email, REMOTE_ADDR=f"198.51.100.{number}")
        assert response.status_code == 302
    refused = ask(client, email.upper(), REMOTE_ADDR="198.51.100.9")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Please wait an hour before asking again" in page
    assert 'class="form-errors"' in page
    assert reset_rows().count() == (3 if email == "ada@example.org" else 0)
    # Another address is not held back by this one.
    assert ask(client, "grace@example.org", REMOTE_ADDR="198.51.100.9").status_code == 302


@override_settings(PASSWORD_RESET_LIMIT_PER_EMAIL=100, PASSWORD_RESET_LIMIT_PER_ADDRESS=4)
def test_requests_per_client_address_are_limited(client, ada):
    for number in range(4):
        assert (
            ask(client, f"person{number}@example.org", REMOTE_ADDR="203.0.113.5").status_code == 302
        )
    refused = ask(client, "ada@example.org", REMOTE_ADDR="203.0.113.5")
    assert refused.status_code == 429
    assert not reset_rows().exists()
    # Someone else, from another address, still gets through.
    assert ask(Client(), "ada@example.org", REMOTE_ADDR="203.0.113.6").status_code == 302
    assert reset_rows().count() == 1


@override_settings(PASSWORD_RESET_LIMIT_PER_EMAIL=1)
def test_the_limit_lifts_after_the_window(client, ada):
    assert ask(client, "ada@example.org").status_code == 302
    assert ask(client, "ada@example.org").status_code == 429
    earlier = PasswordResetRequest.objects.get().created_at - timedelta(minutes=61)
    PasswordResetRequest.objects.update(created_at=earlier)
    assert ask(client, "ada@example.org").status_code == 302
    assert PasswordResetRequest.objects.count() == 1  # the old row is gone


def test_the_throttle_keeps_no_email_address_in_clear(client, ada):
    ask(client, "ada@example.org", REMOTE_ADDR="192.0.2.1")
    row = PasswordResetRequest.objects.get()
    assert re.fullmatch(r"[0-9a-f]{64}", row.email_digest)  # a keyed SHA-256, not the address
    assert row.client_address == "192.0.2.1"


def test_behind_the_proxy_the_client_address_is_the_one_axes_uses(client, ada, settings):
    # The one setting django-axes follows too (mentoring/client_address.py).
    settings.TRUSTED_PROXIES = 1
    ask(
        client,
        "ada@example.org",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
    )
    assert PasswordResetRequest.objects.get().client_address == "198.51.100.7"


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "",
        "   ",
        "not-an-address",
        "a\x00b@example.org",
        "x" * 300 + "@example.org",
        "a@b\r\nBcc: c@d",
    ],
)
def test_a_bad_address_is_a_field_error(client, email):
    response = ask(client, email)
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()
    assert not PasswordResetRequest.objects.exists()


# --- the link -----------------------------------------------------------------------------------


def _link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])


def test_the_link_sets_a_new_password_once(client, ada):
    link = _link(ada)
    response = client.get(link)
    assert response.status_code == 302  # the token moves into the session
    set_password = response["Location"]
    page = client.get(set_password).content.decode()
    assert "<h1>Choose a new password</h1>" in page
    response = client.post(
        set_password,
        {"new_password1": "a lighthouse at dusk", "new_password2": "a lighthouse at dusk"},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "password_reset_complete"
    )
    ada.refresh_from_db()
    assert ada.check_password("a lighthouse at dusk")
    done = client.get(reverse("password_reset_complete")).content.decode()
    assert "Your password is changed" in done
    # Used once: the same link no longer works.
    again = Client().get(link)
    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()


def test_an_old_link_stops_working_once_the_password_changed(client, ada):
    link = _link(ada)
    ada.set_password("something else entirely")
    ada.save()
    response = client.get(link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This link no longer works" in page
    assert f'href="{RESET}"' in page


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"new_password1": "a lighthouse", "new_password2": "a lamppost"}, "are not the same"),
        ({"new_password1": "password", "new_password2": "password"}, "too common"),
        ({"new_password1": "", "new_password2": ""}, "Type the new password a second time."),
        ({"new_password1": "x\x00" * 10, "new_password2": "x\x00" * 10}, "Null characters"),
        ({"new_password1": "y" * 100_000, "new_password2": "y" * 100_000}, "at most 4096"),
    ],
)
def test_new_password_errors_are_clear(client, ada, data, says):
    set_password = client.get(_link(ada))["Location"]
    response = client.post(set_password, data)
    assert response.status_code == 400
    assert says in response.content.decode()
    ada.refresh_from_db()
    assert ada.check_password("pw")


def test_reset_rows_are_hidden_from_program_admins_in_django_admin(client, ada):
    from mentoring.services import program_administrator_add

    ask(client, "ada@example.org")
    row = reset_rows().get()
    program_admin = UserFactory(username="padmin")
    program_administrator_add(program=ProgramFactory(), user=program_admin)
    admin = Client()
    admin.force_login(program_admin)
    listing = admin.get(reverse("admin:notifications_notification_changelist"))
    assert listing.status_code == 200
    assert row.context["reset_path"] not in listing.content.decode()
    detail = admin.get(reverse("admin:notifications_notification_change", args=[row.pk]))
    assert detail.status_code in (302, 404)
