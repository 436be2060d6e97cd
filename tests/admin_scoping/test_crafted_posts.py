"""A program admin cannot move, create or change anything into another program by a
crafted POST: the form refuses the other program's choices and nothing changes."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.forms import modelform_factory
from django.test import RequestFactory
from django.urls import reverse

from flash_meetings.models import AvailabilitySlot
from matching.models import Connection
from mentoring.models import Membership, User
from surveys.admin import SurveyAdmin
from surveys.models import Survey
from tests.admin_scoping.forms import admin_form_data

pytestmark = pytest.mark.django_db


def _change_data(client, obj) -> tuple[str, dict]:
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200
    return url, admin_form_data(response.content.decode(), meta.model_name)


def _first(side, label):
    return side.objects[label][0]


def _bravo_slot(world):
    return _first(world.bravo, "flash_meetings.availabilityslot").pk


@pytest.mark.parametrize(
    ("label", "crafted"),
    [
        (
            "flash_meetings.flashmeeting",
            {
                "program": lambda w: w.bravo.program.pk,
                "mentor": lambda w: w.bravo.mentor.pk,
                "slot": _bravo_slot,
            },
        ),
        (
            "flash_meetings.availabilityslot",
            {"program": lambda w: w.bravo.program.pk, "mentor": lambda w: w.bravo.mentor.pk},
        ),
        (
            "mentoring.membership",
            {"program": lambda w: w.bravo.program.pk, "user": lambda w: w.bravo.mentor.pk},
        ),
    ],
)
def test_changing_a_field_to_another_programs_value_is_refused(alpha_client, world, label, crafted):
    obj = _first(world.alpha, label)
    url, data = _change_data(alpha_client, obj)
    # The page as it is saves fine (so the refusals below are about the crafted value).
    assert alpha_client.post(url, data).status_code == 302
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    for field, bravo_value in crafted.items():
        response = alpha_client.post(url, {**data, field: [str(bravo_value(world))]})
        assert response.status_code == 200, field
        assert field in response.context["adminform"].form.errors, field
        assert type(obj).objects.filter(pk=obj.pk).values().get() == before


def test_adding_objects_to_another_program_is_refused(alpha_client, world):
    bravo = world.bravo.program
    add = reverse("admin:mentoring_membership_add")
    data = {"user": world.alpha.mentee.pk, "role": "mentor", "active": "on"}
    data |= {"max_ongoing_mentees": "", "offers_ongoing": "on", "offers_one_time": "on"}
    data |= {"max_flash_meetings_per_month": "4"}
    count = Membership.objects.count()
    response = alpha_client.post(add, {**data, "program": bravo.pk})
    assert response.status_code == 200 and "program" in response.context["adminform"].form.errors
    assert Membership.objects.count() == count
    # Their own program: accepted.
    assert alpha_client.post(add, {**data, "program": world.alpha.program.pk}).status_code == 302
    assert Membership.objects.count() == count + 1

    slots = AvailabilitySlot.objects.count()
    slot = _first(world.alpha, "flash_meetings.availabilityslot")
    response = alpha_client.post(
        reverse("admin:flash_meetings_availabilityslot_add"),
        {
            "program": bravo.pk,
            "mentor": world.bravo.mentor.pk,
            "starts_at_0": slot.starts_at.date().isoformat(),
            "starts_at_1": "09:00",
            "ends_at_0": slot.starts_at.date().isoformat(),
            "ends_at_1": "09:30",
        },
    )
    assert response.status_code == 200 and AvailabilitySlot.objects.count() == slots

    surveys = Survey.objects.count()
    response = alpha_client.post(
        reverse("admin:surveys_survey_add"),
        {
            "program": bravo.pk,
            "kind": "flash_meeting_feedback",
            "role": "mentee",
            "title": "Crafted",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and Survey.objects.count() == surveys


def test_program_page_inline_cannot_add_another_programs_person(alpha_client, world):
    url, data = _change_data(alpha_client, world.alpha.program)
    prefix = "memberships"
    total = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data |= {
        f"{prefix}-TOTAL_FORMS": [str(total + 1)],
        f"{prefix}-{total}-user": [str(world.bravo.mentor.pk)],
        f"{prefix}-{total}-role": ["mentor"],
        f"{prefix}-{total}-active": ["on"],
        f"{prefix}-{total}-offers_ongoing": ["on"],
        f"{prefix}-{total}-offers_one_time": ["on"],
    }
    count = Membership.objects.count()
    response = alpha_client.post(url, data)
    assert response.status_code == 200
    assert Membership.objects.count() == count


def test_create_connection_with_another_programs_people_is_refused(alpha_client, world):
    bravo_mentor, bravo_mentee = (
        Membership.objects.get(program=world.bravo.program, user=world.bravo.mentor),
        Membership.objects.get(program=world.bravo.program, user=world.bravo.mentee),
    )
    url = reverse("admin:matching_connection_add")
    count = Connection.objects.count()
    response = alpha_client.post(url, {"mentor": bravo_mentor.pk, "mentee": bravo_mentee.pk})
    assert response.status_code == 400
    assert Connection.objects.count() == count
    page = alpha_client.get(url).content.decode()
    assert "Alpha Mentor" in page and "Bravo Mentor" not in page


def test_saving_an_object_of_another_program_is_refused_even_past_the_form(world):
    """The last line of defence (save_form) for a form field the scoping would miss."""
    request = RequestFactory().post("/")
    request.user = world.alpha_admin
    survey_admin = SurveyAdmin(Survey, admin.site)
    form_class = modelform_factory(Survey, fields=("program", "kind", "role", "title"))
    data = {"program": world.bravo.program.pk, "kind": "flash_meeting_feedback"}
    form = form_class({**data, "role": "mentor", "title": "Crafted"})
    Survey.objects.filter(program=world.bravo.program, role="mentor").delete()
    assert form.is_valid(), form.errors
    with pytest.raises(PermissionDenied):
        survey_admin.save_form(request, form, change=False)
    assert not Survey.objects.filter(title="Crafted").exists()


def test_program_admin_never_makes_anyone_staff_or_superuser(alpha_client, world):
    person = world.alpha.mentee
    url = reverse("admin:mentoring_user_change", args=[person.pk])
    # Users are read-only for program admins ...
    response = alpha_client.post(url, {"username": person.username, "is_staff": "on"})
    assert response.status_code == 403
    # ... and even with the change permission, staff/superuser/groups stay read-only.
    world.alpha_admin.user_permissions.add(Permission.objects.get(codename="change_user"))
    url, data = _change_data(alpha_client, person)
    assert "is_staff" not in data and "is_superuser" not in data and "groups" not in data
    response = alpha_client.post(url, {**data, "is_staff": "on", "is_superuser": "on"})
    assert response.status_code == 302
    person = User.objects.get(pk=person.pk)
    assert not person.is_staff and not person.is_superuser
