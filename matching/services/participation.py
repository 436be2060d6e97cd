"""A person's own terms in one program (the participation page, and the admin's
membership page): a mentor's modes, ongoing capacity, monthly flash-meeting limit,
pause and profile; a mentee's goals. Every change locks the membership row first — the
row every Connect, acceptance and post-meeting connection locks before it counts — so a
change cannot interleave with them, and is recorded (``MembershipChange``: who, when,
old → new).

Rules (checked again here, whatever the form said):

* the modes (``offers_ongoing``, ``offers_one_time``) change only when the program lets
  mentors choose them (``MatchingSettings.mentors_choose_modes``), and at least one stays
  on; a program admin may set them any time (they take effect when the program lets
  mentors choose);
* ``max_ongoing_mentees``: blank (the program's default) or 0 up to
  ``MatchingSettings.mentor_max_ongoing_mentees`` (blank: no cap);
* ``max_flash_meetings_per_month``: 0 up to
  ``MatchingSettings.mentor_max_flash_meetings_per_month`` (blank: no cap);
* ``paused_until``: blank, or a date after today (UTC) and at most two years ahead
  (``mentoring.dates``): "not taking new mentees until"
  that date, taking them again from it (``capacity.mentor_paused``);
* lowering a limit, pausing or no longer offering ongoing mentoring keeps every existing
  connection and pending request: those go on with their normal life.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import capacity, history
from matching.errors import MembershipExists, ParticipationRefused
from matching.models import MatchingSettings, MembershipChange
from mentoring import dates, when
from mentoring.admin_scoping import users_of_programs
from mentoring.errors import NotAllowed
from mentoring.models import Membership, Program, User

MODE_FIELDS = ("offers_ongoing", "offers_one_time")
MENTOR_FIELDS = (
    *MODE_FIELDS,
    "max_ongoing_mentees",
    "max_flash_meetings_per_month",
    "paused_until",
    "headline",
    "bio",
    "expertise",
)
MENTEE_FIELDS = ("goals",)
# What only a program admin changes (Django admin's membership page).
ADMIN_FIELDS = ("user", "program", "role", "active")
BIO_MAX_LENGTH = 2000


def pause_check(value: date | None, *, today: date) -> None:
    """A new "not taking new mentees until" date: blank, or after ``today`` and at most
    two years ahead (``ParticipationRefused`` on ``paused_until`` otherwise). The
    participation form asks it too, to show it beside the other fields' errors."""
    if value is None:
        return
    if not isinstance(value, date) or value <= today:
        raise ParticipationRefused(
            _("Choose a date after today, or leave it blank to take new mentees now."),
            field="paused_until",
            code="pause_in_the_past",
        )
    if value > dates.latest_for_people(today):
        raise ParticipationRefused(
            _("Choose a date at most two years ahead (until %(latest)s).")
            % {"latest": when.day(dates.latest_for_people(today))},
            field="paused_until",
            code="pause_too_far_ahead",
        )


def membership_check(
    *,
    membership: Membership,
    settings: MatchingSettings,
    changes: dict[str, Any],
    by_admin: bool = False,
    today: date | None = None,
) -> None:
    """Refuse (``ParticipationRefused``, naming the field; ``NotAllowed`` for a change
    this person may not make at all) a change the program's rules do not allow. Only
    values that differ from ``membership``'s are checked: a cap lowered since a value was
    set does not stop a mentor from editing their bio."""
    today = today or timezone.now().astimezone(UTC).date()
    changed = {k: v for k, v in changes.items() if getattr(membership, k) != v}
    allowed = {
        Membership.Role.MENTOR: MENTOR_FIELDS,
        Membership.Role.MENTEE: MENTEE_FIELDS,
    }[membership.role]
    if by_admin:
        allowed = (*MENTOR_FIELDS, *MENTEE_FIELDS, *ADMIN_FIELDS)
    unknown = sorted(set(changed) - set(allowed))
    if unknown:
        raise NotAllowed(_("These details can't be changed here."), code="not_changeable")
    if not by_admin and set(MODE_FIELDS) & set(changed) and not settings.mentors_choose_modes:
        raise NotAllowed(
            _("In this program the program team decides which kinds of mentoring you offer."),
            code="modes_not_chosen_by_mentors",
        )
    if set(MODE_FIELDS) & set(changed):
        ongoing = changed.get("offers_ongoing", membership.offers_ongoing)
        one_time = changed.get("offers_one_time", membership.offers_one_time)
        if not (ongoing or one_time):
            raise ParticipationRefused(
                _("Offer at least one kind of mentoring."), field="modes", code="no_mode"
            )
    ceilings = capacity.mentor_limit_ceilings(settings)
    for name in ("max_ongoing_mentees", "max_flash_meetings_per_month"):
        if name not in changed:
            continue
        value = changed[name]
        if value is None and name == "max_ongoing_mentees":
            continue  # the program's default
        high = ceilings[name]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
            raise ParticipationRefused(
                _("Choose a number from 0 to %(high)d.") % {"high": high},
                field=name,
                code="out_of_bounds",
            )
    if "paused_until" in changed:
        pause_check(changed["paused_until"], today=today)
    limits = {"headline": 200, "expertise": 500, "bio": BIO_MAX_LENGTH}
    limits["goals"] = Membership.GOALS_MAX_LENGTH
    for name, limit in limits.items():
        value = changed.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise ParticipationRefused(
                _("Keep this under %(limit)d characters.") % {"limit": limit},
                field=name,
                code="too_long",
            )


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    actor: User | None,
    changes: dict[str, Any],
    by_admin: bool = False,
) -> MembershipChange | None:
    """Apply ``changes`` ({field: new value}) to ``membership`` under its row lock and
    record who changed what. Returns the audit row, or None when nothing changed.

    Connections and pending requests are never touched: a lower limit, a pause or
    ongoing mentoring switched off apply to what comes next."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    settings = MatchingSettings.objects.get(program_id=locked.program_id)
    membership_check(membership=locked, settings=settings, changes=changes, by_admin=by_admin)
    recorded = history.apply_changes(locked, changes)
    if not recorded:
        return None
    try:
        locked.full_clean(validate_unique=by_admin, validate_constraints=by_admin)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ParticipationRefused(
            " ".join(messages), field="" if field == "__all__" else field, code="invalid"
        ) from error
    locked.save(update_fields=list(recorded))
    for field_name in recorded:
        setattr(membership, field_name, getattr(locked, field_name))
    return MembershipChange.objects.create(membership=locked, changed_by=actor, changes=recorded)


@transaction.atomic
def membership_create(
    *,
    user: User,
    program: Program,
    role: str,
    actor: User | None,
    scope: Collection[int] | None,
    details: dict[str, Any] | None = None,
) -> Membership:
    """A program admin adds ``user`` to ``program`` as ``role`` (Django admin's Add and
    the API's create), with the membership's other fields in ``details`` (``active``, a
    mentor's profile, limits, modes and pause, a mentee's goals), checked by the same
    rules as a change (``membership_check``, as an admin).

    ``scope``: the programs the acting admin administers (an API key: its program);
    None for a superuser, who reaches every program. The program must be one of them and
    the person one of their people (a member or an admin of one of them), as on the
    admin's form; a person who already has that role in the program (active or not) is
    refused with ``MembershipExists``."""
    if role not in Membership.Role.values:
        raise ParticipationRefused(_("Choose mentor or mentee."), field="role", code="invalid")
    if scope is not None:
        if program.pk not in scope:
            raise NotAllowed(
                _("You may only add people to programs you administer."),
                code="program_not_administered",
            )
        if not User.objects.filter(users_of_programs(scope), pk=user.pk).exists():
            raise ParticipationRefused(
                _("Choose one of the people of your programs."),
                field="user",
                code="user_not_reachable",
            )
    exists = MembershipExists(
        _("%(name)s is already a %(role)s in %(program)s; change that membership instead.")
        % {
            "name": user.name,
            "role": Membership.Role(role).label.lower(),
            "program": program.name,
        }
    )
    if Membership.objects.filter(user=user, program=program, role=role).exists():
        raise exists
    membership = Membership(user=user, program=program, role=role)
    changes = dict(details or {})
    membership_check(
        membership=membership,
        settings=MatchingSettings.objects.get(program=program),
        changes=changes,
        by_admin=True,
    )
    for field_name, value in changes.items():
        setattr(membership, field_name, value)
    try:
        membership.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ParticipationRefused(
            " ".join(messages), field="" if field == "__all__" else field, code="invalid"
        ) from error
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:  # the same person added at the same moment
        raise exists from error
    return membership
