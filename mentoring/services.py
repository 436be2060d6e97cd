"""Writes for people and programs: who administers which program in Django admin."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from mentoring.models import Program, ProgramAdministrator, User

PROGRAM_ADMINS_GROUP = "Program admins"
# What a program admin may do in Django admin, as "app_label.codename". The rows they may
# do it to are limited to their programs by mentoring/admin_scoping.py.
PROGRAM_ADMIN_PERMISSIONS = (
    "mentoring.view_program",
    "mentoring.change_program",
    "mentoring.view_membership",
    "mentoring.add_membership",
    "mentoring.change_membership",
    "mentoring.view_user",  # read-only: people may belong to other programs too
    "matching.view_connection",
    "matching.add_connection",
    "matching.change_connection",
    "matching.view_connectionrequest",
    "matching.view_preferredmentor",
    "matching.view_matchingsettings",
    "matching.change_matchingsettings",
    "matching.view_matchingsettingschange",
    "flash_meetings.view_flashmeeting",
    "flash_meetings.add_flashmeeting",
    "flash_meetings.change_flashmeeting",
    "flash_meetings.view_proposedtime",
    "flash_meetings.add_proposedtime",
    "flash_meetings.change_proposedtime",
    "flash_meetings.delete_proposedtime",
    "flash_meetings.view_availabilityslot",
    "flash_meetings.add_availabilityslot",
    "flash_meetings.change_availabilityslot",
    "flash_meetings.delete_availabilityslot",
    "surveys.view_survey",
    "surveys.add_survey",
    "surveys.change_survey",
    "surveys.view_question",
    "surveys.add_question",
    "surveys.change_question",
    "surveys.delete_question",
    "surveys.view_surveyresponse",
    "surveys.view_answer",
    "notifications.view_notification",
    "notifications.change_notification",  # "Send again"
)


def program_admins_group() -> Group:
    """The "Program admins" group with exactly ``PROGRAM_ADMIN_PERMISSIONS`` (idempotent)."""
    group, _created = Group.objects.get_or_create(name=PROGRAM_ADMINS_GROUP)
    wanted = Q()
    for name in PROGRAM_ADMIN_PERMISSIONS:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


@transaction.atomic
def program_administrator_add(*, program: Program, user: User) -> ProgramAdministrator:
    """Make ``user`` an admin of ``program``: staff, in the "Program admins" group, and
    able to see and change that program (and their other ones) in Django admin."""
    administrator, _created = ProgramAdministrator.objects.get_or_create(program=program, user=user)
    user.groups.add(program_admins_group())
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return administrator


@transaction.atomic
def program_administrator_remove(*, administrator: ProgramAdministrator) -> None:
    """Remove one program from a program admin; the last one also takes them out of the
    group (they stay staff, seeing nothing, until a superuser changes that)."""
    user = administrator.user
    administrator.delete()
    if not ProgramAdministrator.objects.filter(user=user).exists():
        user.groups.remove(*Group.objects.filter(name=PROGRAM_ADMINS_GROUP))
