"""Every registered admin: a program admin sees only their program's rows and gets a
404 for another program's change page; a superuser sees both programs."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.urls import reverse

from mentoring.admin import ProgramAdministratorAdmin
from mentoring.admin_scoping import ProgramScopedAdminMixin, ProgramScopedInlineMixin

pytestmark = pytest.mark.django_db

PROJECT_APPS = {
    "mentoring",
    "matching",
    "flash_meetings",
    "surveys",
    "notifications",
    "ongoing",
    "webhooks",
    "api",
}
# Admins a program admin may not open at all (no permission: 403): who administers
# what, and every admin outside the project's apps (groups, login attempts, ...).
SUPERUSER_ONLY = {"mentoring.programadministrator"}


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)


MODEL_LABELS = [model._meta.label_lower for model, _ in _registered()]
SCOPED_LABELS = [
    label
    for label in MODEL_LABELS
    if label.split(".")[0] in PROJECT_APPS and label not in SUPERUSER_ONLY
]


def _changelist(label: str) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_changelist")


def _change(label: str, pk: int) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_change", args=[pk])


def test_every_project_admin_and_inline_is_program_scoped():
    for model, model_admin in _registered():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        if isinstance(model_admin, ProgramAdministratorAdmin):
            continue  # superusers only
        assert isinstance(model_admin, ProgramScopedAdminMixin), model._meta.label
        for inline in model_admin.inlines:
            assert issubclass(inline, InlineModelAdmin)
            assert issubclass(inline, ProgramScopedInlineMixin), inline.__name__


@pytest.mark.parametrize("label", MODEL_LABELS)
def test_changelist_shows_only_their_programs_rows(alpha_client, world, label):
    response = alpha_client.get(_changelist(label))
    if label not in SCOPED_LABELS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    alpha, bravo = world.alpha.pks(label), world.bravo.pks(label)
    assert alpha, f"the world has no {label} of Alpha"
    assert alpha <= shown
    assert not (shown & (bravo - alpha))
    # No filter, link or label names the other program or its people.
    html = response.content.decode()
    assert "Bravo Program" not in html and "Bravo Mentor" not in html


@pytest.mark.parametrize("label", MODEL_LABELS)
def test_superuser_sees_every_programs_rows(client, world, label):
    client.force_login(world.superuser)
    response = client.get(_changelist(label))
    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    assert world.alpha.pks(label) | world.bravo.pks(label) <= shown
    if label in SCOPED_LABELS:
        assert world.bravo.pks(label), f"the world has no {label} of Bravo"


@pytest.mark.parametrize("label", SCOPED_LABELS)
def test_other_programs_pages_are_404_their_own_open(alpha_client, world, label):
    alpha_only = sorted(world.alpha.pks(label) - world.bravo.pks(label))
    bravo_only = sorted(world.bravo.pks(label) - world.alpha.pks(label))
    app_label, model_name = label.split(".")
    for suffix in ("change", "delete", "history"):
        url = reverse(f"admin:{app_label}_{model_name}_{suffix}", args=[bravo_only[0]])
        assert alpha_client.get(url).status_code == 404, url
        assert alpha_client.post(url, {"post": "yes"}).status_code == 404, url
    # A made-up id looks the same as another program's.
    assert alpha_client.get(_change(label, 987654321)).status_code == 404
    assert alpha_client.get(_change(label, alpha_only[0])).status_code == 200
