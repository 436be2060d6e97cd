"""Each person's language: English or Spanish (settings.LANGUAGES), chosen in My account or
the footer of any page, else the browser's, then the program's, then English; stored on
the account and used for every page (and every email: tests/notifications)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from mentoring import languages, services, when
from mentoring.errors import AccountRefusal
from mentoring.models import User
from tests.factories import MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGUAGE = "/language/"
DASHBOARD = "/"


def _lang_of(response) -> str:
    """The ``lang`` of the page's <html> element."""
    page = response.content.decode()
    start = page.index("<html lang=") + len('<html lang="')
    return page[start : page.index('"', start)]


def test_english_and_spanish_each_named_in_its_own_words():
    assert settings.LANGUAGES == [("en", "English"), ("es", "Español")]
    assert reverse("portal:language") == LANGUAGE


# --- the footer of every page and My account ---------------------------------------------------


def test_every_page_offers_the_languages_in_its_footer(client):
    page = client.get(reverse("login")).content.decode()
    assert f'<form method="post" action="{LANGUAGE}" class="language-form">' in page
    assert '<option value="en" lang="en" selected>English</option>' in page
    assert '<option value="es" lang="es">Español</option>' in page
    assert '<label for="footer-language">Language</label>' in page


def test_signed_out_the_footer_choice_is_a_cookie_and_the_pages_follow_it(client):
    response = client.post(LANGUAGE, {"language": "es", "next": "/accounts/login/"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/accounts/login/")
    assert _lang_of(page) == "es" and page["Content-Language"] == "es"
    assert "Iniciar sesión" in page.content.decode()
    assert "Las páginas están ahora en Español." in page.content.decode()


def test_signed_in_the_choice_is_stored_and_rules_every_page(client):
    mentee = MembershipFactory().user
    client.force_login(mentee)
    response = client.post(LANGUAGE, {"language": "es", "next": "/account/"})
    assert response.status_code == 302 and response.url == "/account/"
    mentee.refresh_from_db()
    assert mentee.language == "es"
    page = client.get("/account/")
    assert _lang_of(page) == "es"
    assert "Tus páginas y correos están ahora en Español." in page.content.decode()
    # Stored, not a cookie: a browser asking for English changes nothing.
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    assert _lang_of(client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en-GB,en")) == "es"


def test_my_account_has_a_language_section_with_the_current_choice(client):
    user = UserFactory(language="es")
    client.force_login(user)
    page = client.get("/account/").content.decode()
    assert '<h2 id="language-heading">Idioma</h2>' in page
    assert '<option value="es" selected>Español</option>' in page
    assert 'name="next" value="/account/"' in page


def test_a_language_we_do_not_offer_is_refused_with_a_message(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(LANGUAGE, {"language": "fr", "next": "/account/"})
    assert response.status_code == 400
    assert "Choose a language from the list." in response.content.decode()
    user.refresh_from_db()
    assert user.language == "en"
    client.logout()
    response = client.post(LANGUAGE, {"language": "xx"}, follow=True)
    assert response.status_code == 200
    assert "Choose a language from the list." in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_next_elsewhere_goes_home_instead(client):
    response = client.post(LANGUAGE, {"language": "es", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"
    client.force_login(UserFactory())
    response = client.post(LANGUAGE, {"language": "en", "next": "//evil.example/x"})
    assert response.url == "/account/"


def test_the_service_refuses_an_unknown_language():
    user = UserFactory()
    with pytest.raises(AccountRefusal) as refused:
        services.user_language_set(user=user, language="de")
    assert refused.value.code == "invalid_language"
    assert services.user_language_set(user=user, language="es").language == "es"
    user.refresh_from_db()
    assert user.language == "es"


# --- the default for a person who has not chosen -------------------------------------------------


def _sign_in(client, user, accept_language: str | None = None) -> None:
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = client.post(
        reverse("login"), {"username": user.username, "password": "pw"}, **headers
    )
    assert response.status_code == 302, response.content.decode()[:500]


def test_first_sign_in_keeps_the_browser_language(client):
    user = UserFactory(language="")
    _sign_in(client, user, "es-AR,es;q=0.9,en;q=0.5")
    user.refresh_from_db()
    assert user.language == "es"


def test_a_language_chosen_in_the_footer_before_signing_in_is_kept_over_the_browser(client):
    user = UserFactory(language="")
    client.post(LANGUAGE, {"language": "es", "next": "/accounts/login/"})
    _sign_in(client, user, "en-US,en")
    user.refresh_from_db()
    assert user.language == "es"


def test_without_a_browser_language_we_offer_the_program_language_is_kept(client):
    user = MembershipFactory(program=ProgramFactory(language="es"), user__language="").user
    _sign_in(client, user, "de-DE,de;q=0.9")
    user.refresh_from_db()
    assert user.language == "es"


def test_without_either_it_is_english(client):
    user = UserFactory(language="")
    _sign_in(client, user)
    user.refresh_from_db()
    assert user.language == "en"


def test_a_chosen_language_is_never_replaced_at_sign_in(client):
    user = UserFactory(language="en")
    _sign_in(client, user, "es")
    user.refresh_from_db()
    assert user.language == "en"


def test_signed_out_the_browser_language_decides(client):
    assert _lang_of(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es-MX,es")) == "es"
    assert _lang_of(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de,fr")) == "en"


def test_language_of_a_person_without_a_browser_choice_program_then_english():
    spanish_program = ProgramFactory(language="es")
    assert languages.language_of(UserFactory(language="es")) == "es"
    assert languages.language_of(UserFactory(language=""), spanish_program) == "es"
    assert languages.language_of(UserFactory(language="en"), spanish_program) == "en"
    assert languages.language_of(UserFactory(language=""), None) == "en"
    assert languages.language_of(User(language="zz")) == "en"


def test_the_pinned_pages_cost_no_query_for_the_language(client, django_assert_num_queries):
    # The user row is loaded anyway (time zone, navigation): the language rides along.
    user = UserFactory(language="es")
    client.force_login(user)
    with django_assert_num_queries(2):  # the session and the user, as before languages
        response = client.get("/account/")
    assert _lang_of(response) == "es"


# --- dates, times and numbers in the person's language and zone ---------------------------------


def test_dates_times_and_numbers_read_as_each_language_writes_them():
    start = datetime(2026, 3, 30, 13, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    new_york = zoneinfo.ZoneInfo("America/New_York")
    with translation.override("en"):
        assert when.span(start, start + timedelta(minutes=30), new_york) == (
            "Monday 30 March 2026, 09:00–09:30 (New York time)"
        )
        assert when.day(start) == "30 March 2026"
        assert when.number(1234567.5, 1) == "1,234,567.5"
        assert when.percent(0.425) == "42%"
    with translation.override("es"):
        assert when.span(start, start + timedelta(minutes=30), new_york) == (
            "lunes, 30 de marzo de 2026, 09:00–09:30 (hora de Nueva York)"
        )
        assert when.day(start) == "30 de marzo de 2026"
        assert when.number(1234567.5, 1) == "1\xa0234\xa0567,5"
        assert when.percent(0.425) == "42 %"


def test_as_seen_by_uses_the_person_language_and_zone():
    ana = UserFactory(language="es", time_zone="America/Argentina/Buenos_Aires")
    start = datetime(2026, 3, 30, 13, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    with when.as_seen_by(ana):
        assert translation.get_language() == "es"
        assert when.moment(start) == ("lunes, 30 de marzo de 2026, 10:00 (hora de Buenos Aires)")
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_time_zones_read_in_the_person_language(client):
    # Cities from the Unicode CLDR (Babel) in Spanish; the IANA names in English.
    start = datetime(2026, 3, 30, 13, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    with translation.override("es"):
        assert when.moment(start, zoneinfo.ZoneInfo("Europe/London")) == (
            "lunes, 30 de marzo de 2026, 14:00 (hora de Londres)"
        )
    with translation.override("en"):
        assert when.moment(start, zoneinfo.ZoneInfo("Europe/London")) == (
            "Monday 30 March 2026, 14:00 (London time)"
        )
    client.force_login(UserFactory(language="es", time_zone="Europe/London"))
    page = client.get("/account/").content.decode()
    assert '<option value="Europe/London" selected>Londres</option>' in page
    assert '<option value="America/New_York">Nueva York</option>' in page
