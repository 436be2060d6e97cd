"""Every registered kind renders subject, text and HTML from its sample context.

A kind without all three templates, or whose templates use a name its context does not
provide, fails here rather than in somebody's inbox. Templates are rendered with
``string_if_invalid`` set, so an unknown variable shows up as a marker.
"""

import copy
import html
import re

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from notifications.registry import (
    NotificationKind,
    NotificationKindError,
    all_kinds,
    get_kind,
    register,
    unregister,
)
from notifications.rendering import render_kind
from tests.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

INVALID = "@@INVALID:%s@@"
SITE_URL = "http://testserver"


@pytest.fixture
def strict_templates(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = INVALID
    settings.TEMPLATES = templates
    return settings


def kind_problems(kind: NotificationKind, *, recipient, program) -> list[str]:
    """What is wrong with a kind's templates, in words; empty when all is well."""
    problems = []
    for part, name in kind.template_names.items():
        try:
            get_template(name)
        except TemplateDoesNotExist:
            problems.append(f"{part}: template {name} is missing")
    if problems:
        return problems
    required_only = {key: kind.sample_context[key] for key in kind.required_context}
    for label, context in (("sample", kind.sample_context), ("required", required_only)):
        try:
            email = render_kind(kind=kind, context=context, recipient=recipient, program=program)
        except Exception as error:  # noqa: BLE001 - reported as a problem
            problems.append(f"{label} context: rendering raised {error!r}")
            continue
        parts = {"subject": email.subject, "text": email.text, "html": email.html}
        for part, content in parts.items():
            if not content.strip():
                problems.append(f"{label} context: {part} is empty")
            for missing in re.findall(r"@@INVALID:(.*?)@@", content):
                problems.append(f"{label} context: {part} uses undefined {missing!r}")
            if "{{" in content or "{%" in content:
                problems.append(f"{label} context: {part} has unrendered template syntax")
        if "\n" in email.subject or len(email.subject) > 200:
            problems.append("subject must be one line of at most 200 characters")
        if program.name not in email.text:
            problems.append("text part does not name the program")
        if html.escape(program.name) not in email.html:
            problems.append("HTML part does not name the program")
        if "<html" not in email.html or 'class="reason"' not in email.html:
            problems.append("HTML part does not extend notifications/base_email.html")
        reason = re.search(r'class="reason"[^>]*>(.*?)</p>', email.html, re.S)
        reason_text = " ".join(html.unescape(reason.group(1)).split()) if reason else ""
        if not reason_text:
            problems.append("HTML part has no line saying why the person got the email")
        elif reason_text not in " ".join(email.text.split()):
            problems.append("text part lacks the reason line the HTML part has")
        # Our own pages are {{ site_url }}{{ path }}; outside links (a video call) are
        # absolute already. A relative link would be dead in a mail client.
        for href in re.findall(r'href="([^"]*)"', email.html):
            if not href.startswith((SITE_URL + "/", "https://", "http://", "mailto:")):
                problems.append(f"link {href!r} is not absolute (use site_url)")
    return problems


@pytest.fixture
def sample_people(db):
    recipient = UserFactory(username="sample", display_name="Sam Sample")
    program = ProgramFactory(name="Sample Program", slug="sample-program")
    return recipient, program


def test_the_registry_is_discovered_from_installed_apps():
    names = [kind.name for kind in all_kinds()]
    assert "test_message" in names
    assert names == sorted(names)


@pytest.mark.parametrize("kind", all_kinds(), ids=lambda kind: kind.name)
def test_every_registered_kind_renders_from_its_sample_context(
    kind, strict_templates, sample_people
):
    recipient, program = sample_people
    assert kind.description, f"{kind.name} has no description"
    assert kind_problems(kind, recipient=recipient, program=program) == []


def test_a_kind_without_templates_fails_the_check(strict_templates, sample_people):
    kind = NotificationKind(name="kind_without_templates", sample_context={})
    problems = kind_problems(kind, recipient=sample_people[0], program=sample_people[1])
    assert problems == [
        "subject: template notifications/kind_without_templates/subject.txt is missing",
        "text: template notifications/kind_without_templates/body.txt is missing",
        "html: template notifications/kind_without_templates/body.html is missing",
    ]


def test_a_kind_using_context_it_does_not_declare_fails_the_check(
    strict_templates, sample_people, tmp_path
):
    folder = tmp_path / "notifications" / "kind_with_gaps"
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text("About {{ topic }}")
    (folder / "body.txt").write_text(
        '{% extends "notifications/base_email.txt" %}{% block content %}'
        "{{ topic }} in {{ program.name }}: {{ undeclared_path }}{% endblock %}"
    )
    (folder / "body.html").write_text(
        '{% extends "notifications/base_email.html" %}{% block content %}'
        '<a href="/relative/">{{ topic }}</a>{% endblock %}'
    )
    templates = copy.deepcopy(strict_templates.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    strict_templates.TEMPLATES = templates
    kind = NotificationKind(
        name="kind_with_gaps",
        required_context=("topic",),
        sample_context={"topic": "Careers"},
        description="Broken on purpose.",
    )
    problems = kind_problems(kind, recipient=sample_people[0], program=sample_people[1])
    assert "sample context: text uses undefined 'undeclared_path'" in problems
    assert "link '/relative/' is not absolute (use site_url)" in problems


def test_sample_context_must_hold_every_required_key():
    with pytest.raises(NotificationKindError, match="sample_context lacks required keys b"):
        NotificationKind(name="x_kind", required_context=("a", "b"), sample_context={"a": 1})


def test_registering_a_different_kind_under_a_taken_name_is_refused():
    with pytest.raises(NotificationKindError, match="already registered"):
        register(NotificationKind(name="test_message", description="another"))
    register(get_kind("test_message"))  # the same definition again is harmless


def test_registered_kinds_can_be_removed_again():
    register(NotificationKind(name="throwaway_kind"))
    unregister("throwaway_kind")
    with pytest.raises(NotificationKindError):
        get_kind("throwaway_kind")
