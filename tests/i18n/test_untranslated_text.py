"""No text a person reads escapes gettext (issue 20): tests/i18n/scanner.py reads the
templates and the apps' Python and names each piece of text left untranslated; its
docstring says what it reads and what it leaves out, on purpose."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from tests.i18n import scanner

ROOT = Path(settings.BASE_DIR)
FIX = (
    "Wrap each in gettext: {% translate %} / {% blocktranslate %} in templates; in Python "
    "gettext at request time, gettext_lazy at import time (fields, class attributes), "
    "ngettext for counts, pgettext for an ambiguous word. Then run `make translations` "
    "and translate the new entries. Text that is no word (a symbol) goes in "
    "scanner.ALLOWED_TEXT, with its reason."
)


def report(findings: list[scanner.Finding]) -> str:
    return f"{len(findings)} untranslated:\n  " + "\n  ".join(map(str, findings)) + f"\n{FIX}"


# --- The scanner, proven on made-up code ------------------------------------------------

FAKE_TEMPLATE = """{% load i18n %}
<h1>{% translate "Your meetings" %}</h1>
<p>Hello {{ user.name }}, welcome</p>
{# a comment people never see #}
{% comment %}Nor this one{% endcomment %}
<!-- nor an HTML comment -->
<p>{% blocktranslate with name=user.name %}Hi {{ name }}{% endblocktranslate %}</p>
<span>{{ when }} · {{ where }} — 3&nbsp;%</span>
<img src="{% static 'x.png' %}" alt="Logo">
<img src="x.png" alt="{% translate 'A photo' %}">
<button type="button" aria-label="Close">&times;</button>
<input type="submit" value="Save">
<input type="hidden" name="next" value="dashboard"><div data-copied-label="Copied" data-x="y"></div>
<a class="button wide" href="{% url 'portal:dashboard' %}" title="{{ title }}">{{ label }}</a>
<script>const label = "Not text people read here";</script>
<style>.x::after { content: "nor here"; }</style>
{{ note|default:"Nothing yet" }} {{ note|default:"—" }} {{ flag|yesno:_("yes,no") }}
Dear {{ name }},
{% translate "Your meeting:" %} {{ when }}
See you there.
"""

FAKE_PYTHON = """\
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _, gettext_lazy
from rest_framework import serializers

from mentoring.errors import DomainError


class MentorFull(DomainError):
    pass


class Kind(models.TextChoices):
    ONE = "one", "One"
    TWO = "two", gettext_lazy("Two")
    THREE = "three"


class Thing(models.Model):
    name = models.CharField("name", max_length=10, help_text=gettext_lazy("Shown"))
    owner = models.ForeignKey("mentoring.User", on_delete=models.CASCADE)

    class Meta:
        labels = {"name": "Name", "owner": gettext_lazy("Owner")}
        verbose_name = "thing"
        verbose_name_plural = gettext_lazy("things")


class ThingForm(forms.Form):
    when = forms.DateField(label="When", widget=forms.DateInput(attrs={"placeholder": "Date"}))
    note = serializers.CharField(help_text="For the API schema only")
    kind = NotificationKind(name="x", label="A mentor writes", description="for developers")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["when"].help_text = "Any day"
        self.fields["when"].label = _("Day")

    def clean(self):
        self.add_error("when", f"Too late for {self.x}")
        raise ValidationError({"when": "Pick another day", "note": _("Too long")})


@admin.display(description="Mentor")
def mentor(obj):
    return obj.mentor or "nobody"


def view(request, n):
    messages.success(request, "Saved %s" % n)
    messages.error(request, _("Not saved"))
    logger.warning("not user-visible: %s", n)
    if n > 3:
        raise MentorFull("This mentor is full")
    raise ValueError("a developer's message")


def _act(request, done, *, failed=""):
    messages.success(request, done)
    messages.error(request, failed)


def accept(request):
    _act(request, "Accepted", failed=_("Not accepted"))
    return _act(request, _("Accepted"), failed="Not accepted")
"""


def test_the_template_scanner_finds_exactly_the_untranslated_text():
    found = [(f.line, f.kind, f.text) for f in scanner.template_findings(FAKE_TEMPLATE, "x")]
    assert found == [
        (3, "text", "Hello , welcome"),
        (9, "<img alt>", "Logo"),
        (11, "<button aria-label>", "Close"),
        (12, "<input value>", "Save"),
        (13, "<div data-copied-label>", "Copied"),
        (17, "|default argument", '"Nothing yet"'),
        (18, "text", "Dear ,"),
        (20, "text", "See you there."),
    ]


def test_the_python_scanner_finds_exactly_the_untranslated_text():
    found = [(f.line, f.kind, f.text) for f in scanner.python_findings(FAKE_PYTHON, "x.py")]
    assert found == [
        (16, "Kind.ONE label", "One"),
        (18, "Kind.THREE", "no label"),
        (22, "CharField verbose_name", "name"),
        (26, "labels", "Name"),
        (27, "verbose_name", "thing"),
        (32, "DateField label", "When"),
        (32, "widget attrs placeholder", "Date"),
        (34, "NotificationKind label", "A mentor writes"),
        (38, "help_text", "Any day"),
        (42, "add_error", "Too late for {…}"),
        (43, "ValidationError", "Pick another day"),
        (46, "admin.display description", "Mentor"),
        (48, "admin.display result", "nobody"),
        (52, "messages.success", "Saved %s"),
        (56, "MentorFull(...)", "This mentor is full"),
        (66, "messages.success (through _act)", "Accepted"),
        (67, "messages.error (through _act)", "Not accepted"),
    ]


def test_the_scanner_knows_the_project_refusals():
    trees = {
        str(path): ast.parse(path.read_text(encoding="utf-8"))
        for path in scanner.project_modules(ROOT)
    }
    refusals = scanner.domain_errors(trees)
    assert {"DomainError", "NotAllowed", "InvalidInput", "WrongPassword"} <= refusals
    assert len(refusals) > 20


# --- The project ---------------------------------------------------------------------------


def test_templates_have_no_untranslated_text():
    templates = scanner.project_templates(ROOT)
    assert ROOT / "templates" / "drf_spectacular" / "swagger_ui.html" in templates
    assert ROOT / "templates" / "admin" / "base_site.html" in templates
    findings = [
        finding
        for path in templates
        for finding in scanner.template_findings(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        )
    ]
    assert not findings, report(findings)


def test_python_has_no_untranslated_text():
    modules = scanner.project_modules(ROOT)
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in modules}
    refusals = scanner.domain_errors({str(path): tree for path, tree in trees.items()})
    findings = [
        finding
        for path in modules
        for finding in scanner.python_findings(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), refusals
        )
    ]
    assert not findings, report(findings)
