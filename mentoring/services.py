"""Writes for people and programs: who administers which program in Django admin, and a
person's own account (name, time zone, language, email address)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mentoring import languages, zones
from mentoring.errors import AccountRefusal, EmailTaken, WrongPassword
from mentoring.models import Membership, Program, ProgramAdministrator, User

PROGRAM_ADMINS_GROUP = "Program admins"
# What a program admin may do in Django admin, as "app_label.codename". The rows they may
# do it to are limited to their programs by mentoring/admin_scoping.py.
PROGRAM_ADMIN_PERMISSIONS = (
    "mentoring.view_program",
    "mentoring.change_program",
    "mentoring.view_membership",
    "mentoring.add_membership",
    "mentoring.change_membership",
    "matching.view_membershipchange",  # a membership's change history
    "mentoring.view_user",  # read-only: people may belong to other programs too
    "matching.view_connection",
    "matching.add_connection",
    "matching.change_connection",
    "matching.view_connectionextension",  # a connection's extensions, asked and answered
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
    "ongoing.view_goal",
    "ongoing.view_goalchange",
    "ongoing.view_note",  # shared notes only (ongoing/admin.py)
    "ongoing.view_connectionhealth",
    "ongoing.nudge_connection",
    "ongoing.view_connectionnudge",
    "notifications.view_notification",
    "notifications.change_notification",  # "Send again"
    "webhooks.view_endpoint",
    "webhooks.add_endpoint",
    "webhooks.change_endpoint",  # and "Rotate signing secret"
    "webhooks.delete_endpoint",
    "webhooks.view_delivery",
    "webhooks.change_delivery",  # "Send again"
    "api.view_apikey",
    "api.add_apikey",
    "api.change_apikey",  # revoke
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


# --- A person's own account ("My account") ------------------------------------------------


@transaction.atomic
def user_profile_update(*, user: User, display_name: str, time_zone: str) -> User:
    """Change the name others see and the zone times are shown in. The zone is one of the
    list's (``zones.selectable_zones``) or the one the person has now (which may be a
    legacy alias set in admin: saving the form keeps it)."""
    display_name = display_name.strip()
    max_length = User._meta.get_field("display_name").max_length
    if len(display_name) > max_length or "\x00" in display_name:
        raise AccountRefusal(
            _("Use at most %(max)d characters for your name.") % {"max": max_length},
            field="display_name",
        )
    if time_zone != user.time_zone and time_zone not in zones.selectable_zones():
        raise AccountRefusal(
            _("Choose your time zone from the list."), code="invalid_time_zone", field="time_zone"
        )
    user.display_name = display_name
    user.time_zone = time_zone
    user.save(update_fields=["display_name", "time_zone"])
    return user


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """Choose the language of one's pages and emails: one of ``settings.LANGUAGES``."""
    if not languages.is_supported(language):
        raise AccountRefusal(
            _("Choose a language from the list."), code="invalid_language", field="language"
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def user_language_remember(*, user: User, browser_language: str | None) -> None:
    """On sign-in, store the default language of a person who has not chosen one: the
    browser's, else their first active program's (by name), else ``LANGUAGE_CODE``; so
    that their emails follow it too. One conditional UPDATE, only the first time."""
    if languages.is_supported(user.language):
        return
    if languages.is_supported(browser_language):
        user.language = browser_language
    else:
        program_language = (
            Membership.objects.filter(user=user, active=True)
            .order_by("program__name", "program_id")
            .values_list("program__language", flat=True)
            .first()
        )
        supported = languages.is_supported(program_language)
        user.language = program_language if supported else settings.LANGUAGE_CODE
    User.objects.filter(pk=user.pk, language="").update(language=user.language)


@transaction.atomic
def user_email_change(*, user: User, email: str, password: str) -> User:
    """Change the account's email address (where emails and password reset links go),
    confirmed with the current password. Addresses are unique whatever their case."""
    if not user.check_password(password):
        raise WrongPassword(
            _("That is not your current password, so your email address has not changed.")
        )
    email = User.objects.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError:
        raise AccountRefusal(
            _("Enter an email address such as name@example.org."), field="email"
        ) from None
    if email == user.email:
        raise AccountRefusal(_("That is already your email address."), field="email")
    taken = _("Another account uses that email address; enter another one.")
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise EmailTaken(taken)
    user.email = email
    try:
        with transaction.atomic():  # a savepoint: a concurrent taker loses cleanly
            user.save(update_fields=["email"])
    except IntegrityError:
        raise EmailTaken(taken) from None
    return user
