"""Autocompletes, the survey summary and CSV export, the flash-to-ongoing report and the
admin actions answer a program admin for their programs only."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from matching.models import Connection
from mentoring import services
from mentoring.models import ProgramAdministrator
from notifications.models import Notification
from tests.exports.helpers import csv_rows, export
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _first(side, label):
    return side.objects[label][0]


def _autocomplete(client, app_label: str, model_name: str, field_name: str, term: str = ""):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return {int(item["id"]) for item in response.json()["results"]}


def test_autocompletes_return_only_their_programs_rows(alpha_client, client, world):
    alpha, bravo = world.alpha, world.bravo
    users = _autocomplete(alpha_client, "mentoring", "membership", "user")
    assert {alpha.mentor.pk, alpha.mentee.pk} <= users
    assert not users & {bravo.mentor.pk, bravo.mentee.pk, world.superuser.pk}
    assert not _autocomplete(alpha_client, "mentoring", "membership", "user", term="Bravo")
    programs = _autocomplete(alpha_client, "mentoring", "membership", "program")
    assert programs == {alpha.program.pk}
    # Through another admin's autocomplete field, the same scope.
    assert not _autocomplete(
        alpha_client, "mentoring", "programadministrator", "user", term="Bravo"
    )
    # A superuser sees both programs.
    client.force_login(world.superuser)
    assert {alpha.program.pk, bravo.program.pk} <= _autocomplete(
        client, "mentoring", "membership", "program"
    )


def _csv_rows(response) -> list[list[str]]:
    return csv_rows(response)[1:]


def test_survey_export_and_its_action_show_only_their_responses(alpha_client, world):
    name = "surveys_surveyresponse"
    rows = _csv_rows(export(alpha_client, name))
    assert {row[1] for row in rows} == {"Alpha Program"}
    bravo_response = _first(world.bravo, "surveys.surveyresponse")
    filtered = export(alpha_client, name, query={"survey__id__exact": bravo_response.survey_id})
    assert _csv_rows(filtered) == []
    action = alpha_client.post(
        reverse("admin:surveys_surveyresponse_changelist"),
        {"action": "export_admin_action", ACTION_CHECKBOX_NAME: [bravo_response.pk]},
    )
    assert action.status_code == 200  # the export page, for the chosen rows
    # Another program's row, chosen or crafted, is not among the rows one may export.
    crafted = export(alpha_client, name, export_items=[bravo_response.pk])
    assert crafted.status_code == 200 and crafted["Content-Type"].startswith("text/html")


def test_survey_summary_of_another_program_is_404(alpha_client, world):
    def summary(survey):
        return alpha_client.get(reverse("admin:surveys_survey_summary", args=[survey.pk]))

    assert summary(_first(world.alpha, "surveys.survey")).status_code == 200
    assert summary(_first(world.bravo, "surveys.survey")).status_code == 404


def test_a_programs_matching_settings_link_follows_the_admins_scope(alpha_client, world):
    def settings_of(side):
        return reverse("admin:matching_matchingsettings_program", args=[side.program.pk])

    own = alpha_client.get(settings_of(world.alpha))
    assert own.status_code == 302
    assert own["Location"] == reverse(
        "admin:matching_matchingsettings_change", args=[world.alpha.program.matching_settings.pk]
    )
    assert alpha_client.get(settings_of(world.bravo)).status_code == 404


def test_follow_up_report_lists_and_shows_only_their_programs(alpha_client, client, world):
    url = reverse("admin:flash_meetings_follow_up_report")
    response = alpha_client.get(url)
    assert response.status_code == 200
    assert list(response.context["programs"]) == [world.alpha.program]
    assert response.context["program"] == world.alpha.program
    assert "Bravo Program" not in response.content.decode()
    assert alpha_client.get(url, {"program": world.bravo.program.pk}).status_code == 404
    assert alpha_client.get(url, {"program": world.alpha.program.pk}).status_code == 200
    client.force_login(world.superuser)
    response = client.get(url, {"program": world.bravo.program.pk})
    assert response.status_code == 200
    assert {world.alpha.program, world.bravo.program} <= set(response.context["programs"])
    # Staff without any program (and no permission) gets nothing.
    client.force_login(UserFactory(username="bare-staff", is_staff=True))
    assert client.get(url).status_code == 403


def _act(client, label: str, action: str, pks: list[int], **extra):
    app_label, model_name = label.split(".")
    return client.post(
        reverse(f"admin:{app_label}_{model_name}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: pks, **extra},
    )


def test_actions_on_another_programs_ids_change_nothing(alpha_client, world):
    alpha, bravo = world.alpha, world.bravo
    connection = _first(bravo, "matching.connection")
    _act(alpha_client, "matching.connection", "end_connections", [connection.pk])
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ACTIVE

    failed = _first(bravo, "notifications.notification")
    _act(alpha_client, "notifications.notification", "send_again", [failed.pk])
    assert Notification.objects.get(pk=failed.pk).status == Notification.Status.FAILED

    entry = _first(bravo, "matching.preferredmentor")
    count = Connection.objects.count()
    _act(alpha_client, "matching.preferredmentor", "create_connections", [entry.pk])
    assert Connection.objects.count() == count

    slot = _first(bravo, "flash_meetings.availabilityslot")
    _act(alpha_client, "flash_meetings.availabilityslot", "delete_selected", [slot.pk], post="yes")
    assert type(slot).objects.filter(pk=slot.pk).exists()

    # The same actions on their own program's rows do act.
    own = _first(alpha, "matching.connection")
    _act(alpha_client, "matching.connection", "end_connections", [own.pk])
    assert Connection.objects.get(pk=own.pk).status == Connection.Status.ENDED
    own_failed = _first(alpha, "notifications.notification")
    _act(alpha_client, "notifications.notification", "send_again", [own_failed.pk])
    assert Notification.objects.get(pk=own_failed.pk).status != Notification.Status.FAILED


def test_program_administrators_are_managed_by_superusers_only(alpha_client, client, world):
    changelist = reverse("admin:mentoring_programadministrator_changelist")
    assert alpha_client.get(changelist).status_code == 403
    assert "programadministrator" not in alpha_client.get(reverse("admin:index")).content.decode()

    newcomer = UserFactory(username="newcomer")
    client.force_login(world.superuser)
    response = client.post(
        reverse("admin:mentoring_programadministrator_add"),
        {"program": world.bravo.program.pk, "user": newcomer.pk},
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff and not newcomer.is_superuser
    assert newcomer.groups.filter(name=services.PROGRAM_ADMINS_GROUP).exists()
    administrator = ProgramAdministrator.objects.get(user=newcomer)
    client.post(
        reverse("admin:mentoring_programadministrator_delete", args=[administrator.pk]),
        {"post": "yes"},
    )
    assert not ProgramAdministrator.objects.filter(user=newcomer).exists()
    assert not newcomer.groups.exists()


def test_setup_command_creates_the_group_and_enrols_every_program_admin(world):
    Group.objects.filter(name=services.PROGRAM_ADMINS_GROUP).delete()
    later = UserFactory(username="added-by-hand")
    ProgramAdministrator.objects.create(program=world.bravo.program, user=later)
    call_command("setup_program_admins", stdout=io.StringIO())
    group = Group.objects.get(name=services.PROGRAM_ADMINS_GROUP)
    granted = {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == set(services.PROGRAM_ADMIN_PERMISSIONS)
    later.refresh_from_db()
    assert later.is_staff and set(group.user_set.all()) >= {later, world.alpha_admin}


def test_a_program_admin_sees_every_table_of_the_pages_they_open(alpha_client, world):
    """Each inline table of a page a program admin may open is shown to them: their group
    may view each inline's model. A connection's extensions and a membership's change
    history were left off their pages without a word (the group lacked both)."""
    request = alpha_client.get(reverse("admin:index")).wsgi_request
    hidden = [
        f"{model._meta.label} → {inline_class.model._meta.label}"
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_view_permission(request)
        for inline_class in model_admin.inlines
        if not inline_class(model, admin.site).has_view_permission(request)
    ]
    assert not hidden, hidden
    connection = _first(world.alpha, "matching.connection")
    page = alpha_client.get(reverse("admin:matching_connection_change", args=[connection.pk]))
    assert 'id="extensions-heading"' in page.content.decode()
    membership = _first(world.alpha, "mentoring.membership")
    page = alpha_client.get(reverse("admin:mentoring_membership_change", args=[membership.pk]))
    assert "Change history" in page.content.decode()
