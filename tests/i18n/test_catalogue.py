"""The translations are complete and current (issue 20).

The code's messages are extracted afresh with Django's ``makemessages`` (GNU xgettext),
the way ``make translations`` does, into a copy of the sources in a temporary directory
(the working tree's ``locale/`` is never written), and compared with the committed
catalogue of every language in ``settings.LANGUAGES`` but ``LANGUAGE_CODE``:

- every message of the code is in each catalogue, translated (every plural form of the
  header's ``nplurals``) and not fuzzy;
- a catalogue holds nothing else: no obsolete (``#~``) entry, no entry the code no
  longer has;
- ``msgfmt --check`` accepts it, and a translation keeps its English placeholders
  (``%(name)s``, ``%s``, ``%d``, ``{name}``).

Each failure names the entries and says what to run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.i18n import po

ROOT = Path(settings.BASE_DIR)
EXTENSIONS = (".py", ".html", ".txt")  # makemessages' defaults for the django domain
REFRESH = (
    "Run `make translations` (makemessages: it brings new messages in and drops the ones "
    "the code no longer has), then translate every empty or fuzzy entry of "
    "locale/<language>/LC_MESSAGES/django.po and remove its fuzzy flag."
)


def makefile_ignores() -> list[str]:
    """The --ignore patterns of `make translations`: the test extracts what it extracts."""
    text = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^translations:.*?\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert recipe, "Makefile: the translations target is gone"
    return re.findall(r"--ignore\s+'?([^'\s]+)'?", recipe.group(1))


def target_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalogue_path(code: str) -> Path:
    return ROOT / "locale" / code / "LC_MESSAGES" / "django.po"


def copy_sources(destination: Path, ignores: list[str]) -> None:
    """The files makemessages reads (.py, .html, .txt), outside ignored and hidden
    directories and outside locale/."""
    skipped = [*ignores, ".*", "locale", "__pycache__", "node_modules"]
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [
            name for name in subdirectories if not any(fnmatch(name, p) for p in skipped)
        ]
        relative = Path(directory).relative_to(ROOT)
        for name in files:
            if name.endswith(EXTENSIONS):
                target = destination / relative / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(directory) / name, target)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> po.Catalogue:
    """The code's messages today, as `make translations` would write them for a language
    with no catalogue yet."""
    languages = target_languages()
    assert languages, "settings.LANGUAGES has no language besides LANGUAGE_CODE"
    copy = tmp_path_factory.mktemp("sources")
    ignores = makefile_ignores()
    copy_sources(copy, ignores)
    (copy / "locale").mkdir()
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command(
                "makemessages",
                locale=[languages[0]],
                ignore_patterns=ignores,
                no_obsolete=True,
                verbosity=0,
            )
    finally:
        monkeypatch.undo()
    return po.read(copy / "locale" / languages[0] / "LC_MESSAGES" / "django.po")


@pytest.fixture(scope="module")
def catalogues() -> dict[str, po.Catalogue]:
    missing = [code for code in target_languages() if not catalogue_path(code).exists()]
    assert not missing, (
        f"No catalogue for {missing}: run `python manage.py makemessages --locale <code>` "
        "with the ignores of `make translations`, then translate it."
    )
    return {code: po.read(catalogue_path(code)) for code in target_languages()}


def report(problems: list[str], what: str) -> str:
    shown = "\n  ".join(problems[:60])
    more = f"\n  … and {len(problems) - 60} more" if len(problems) > 60 else ""
    return f"{len(problems)} {what}:\n  {shown}{more}\n{REFRESH}"


def test_the_extraction_finds_the_code_messages(extracted):
    # A guard for the test itself: an extraction that read nothing would pass the rest.
    assert len(extracted.live) > 100
    assert (None, "Page not found") in extracted.live  # templates/404.html


def each(catalogues: dict[str, po.Catalogue], check) -> list[str]:
    return [
        f"[{code}] {line}" for code, catalogue in catalogues.items() for line in check(catalogue)
    ]


def test_every_message_of_the_code_is_translated(extracted, catalogues):
    problems = each(catalogues, lambda catalogue: po.untranslated(extracted, catalogue))
    assert not problems, report(problems, "messages of the code lack a translation")


def test_catalogues_hold_only_what_the_code_has(extracted, catalogues):
    problems = each(catalogues, lambda catalogue: po.stale(extracted, catalogue))
    assert not problems, report(problems, "catalogue entries are obsolete or stale")


def test_plural_entries_fill_every_form(catalogues):
    problems = each(catalogues, po.plural_gaps)
    assert not problems, report(problems, "plural entries miss a form")


def test_translations_keep_the_placeholders(catalogues):
    problems = each(catalogues, po.placeholder_changes)
    assert not problems, report(problems, "translations change their placeholders")


def test_msgfmt_check_accepts_every_catalogue(tmp_path):
    for code in target_languages():
        result = subprocess.run(  # noqa: S603 - a fixed program on a committed file
            ["msgfmt", "--check", "-o", str(tmp_path / f"{code}.mo"), str(catalogue_path(code))],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (
            f"msgfmt --check refuses {catalogue_path(code).relative_to(ROOT)}:\n"
            f"{result.stderr}\nFix the entries it names (their placeholders, the header)."
        )


# --- The checks, proven on a made-up catalogue ------------------------------------------

CODE = r"""
msgid ""
msgstr ""
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: a.py:1
msgid "Saved"
msgstr ""

#: a.py:2
msgctxt "a free slot"
msgid "Open"
msgstr ""

#: a.py:3
msgid "Hello %(name)s, "
"welcome"
msgstr ""

#: a.py:4
msgid "%(count)d session"
msgid_plural "%(count)d sessions"
msgstr[0] ""
msgstr[1] ""

#: a.py:5
msgid "Not yet translated"
msgstr ""

#: a.py:6
msgid "Fuzzy"
msgstr ""

#: a.py:7
msgid "One day"
msgid_plural "%(count)d days"
msgstr[0] ""
msgstr[1] ""
"""

CATALOGUE = r"""
msgid ""
msgstr ""
"Language: xx\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 ? 1 : 2);\n"

msgid "Saved"
msgstr "Guardado"

msgctxt "a free slot"
msgid "Open"
msgstr "Libre"

msgid "Hello %(name)s, welcome"
msgstr "Hola %(nombre)s, "
"bienvenida"

msgid "%(count)d session"
msgid_plural "%(count)d sessions"
msgstr[0] "%(count)d sesión"
msgstr[1] "%(count)d sesiones"

msgid "Not yet translated"
msgstr ""

#, fuzzy, python-format
msgid "Fuzzy"
msgstr "Difuso"

msgid "One day"
msgid_plural "%(count)d days"
msgstr[0] "Un día"
msgstr[1] "%(count)d días"
msgstr[2] "%(count)d días y %(more)s"

msgid "Gone from the code"
msgstr "Ya no está"

#~ msgid "Long gone"
#~ msgstr "Hace tiempo"
"""


def test_the_checks_find_exactly_what_is_wrong():
    code = po.parse(CODE, Path("code.po"))
    catalogue = po.parse(CATALOGUE, Path("xx.po"))
    assert catalogue.nplurals == 3
    assert catalogue.live[(None, "Hello %(name)s, welcome")].msgstr == {
        0: "Hola %(nombre)s, bienvenida"
    }
    assert catalogue.live[("a free slot", "Open")].msgstr == {0: "Libre"}
    assert po.untranslated(code, catalogue) == [
        "not translated: msgid 'Not yet translated'",
        "fuzzy: msgid 'Fuzzy'",
    ]
    assert po.stale(code, catalogue) == [
        "no longer in the code: msgid 'Gone from the code'",
        "obsolete (#~): msgid 'Long gone'",
    ]
    assert po.plural_gaps(catalogue) == [
        "plural forms [0, 1] of [0, 1, 2] (nplurals=3): "
        "msgid '%(count)d session' / msgid_plural '%(count)d sessions'"
    ]
    assert po.placeholder_changes(catalogue) == [
        "['%(nombre)s'] instead of ['%(name)s']: msgid 'Hello %(name)s, welcome'",
        "msgstr[2] has ['%(count)d', '%(more)s'], English ['%(count)d']: "
        "msgid 'One day' / msgid_plural '%(count)d days'",
    ]
    assert po.placeholders("50% of {name}, %s and %(n)d, not %% nor {{x}}") == {
        "{name}": 1,
        "%s": 1,
        "%(n)d": 1,
    }
