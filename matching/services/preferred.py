"""A mentee's ranked list of preferred mentors, in Preferred Mentoring programs (the
program team then makes the connections)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from matching.models import MatchingSettings, PreferredMentor
from mentoring.errors import IllegalTransition, InvalidInput, NotAllowed
from mentoring.models import Membership, Program, User


def _preferred_program_check(*, program: Program, mentee: User) -> None:
    settings = MatchingSettings.objects.get(program=program)
    if not (program.active and settings.ongoing_enabled and settings.preferred_mentoring_enabled):
        raise NotAllowed(_("This program doesn't use Preferred Mentoring."))
    if not Membership.objects.filter(
        program=program, user=mentee, role=Membership.Role.MENTEE, active=True
    ).exists():
        raise NotAllowed(_("Only mentees of this program keep a list of preferred mentors."))


def _lock_list(*, program: Program, mentee: User) -> list[PreferredMentor]:
    Membership.objects.select_for_update(of=("self",)).filter(
        program=program, user=mentee, role=Membership.Role.MENTEE
    ).first()  # serialises edits of one mentee's list
    return list(
        PreferredMentor.objects.filter(program=program, mentee=mentee).order_by("rank", "pk")
    )


def _renumber(entries: list[PreferredMentor]) -> None:
    for rank, entry in enumerate(entries, start=1):
        if entry.rank != rank:
            entry.rank = rank
            entry.save(update_fields=["rank"])


@transaction.atomic
def preferred_mentor_add(*, program: Program, mentee: User, mentor: User) -> PreferredMentor:
    _preferred_program_check(program=program, mentee=mentee)
    if mentor.pk == mentee.pk:
        raise NotAllowed(_("You can't add yourself to your own list."))
    if not Membership.objects.filter(
        program=program, user=mentor, role=Membership.Role.MENTOR, active=True
    ).exists():
        raise NotAllowed(
            _("%(mentor)s isn't an active mentor in this program.") % {"mentor": mentor.name}
        )
    entries = _lock_list(program=program, mentee=mentee)
    if any(entry.mentor_id == mentor.pk for entry in entries):
        raise IllegalTransition(_("%(mentor)s is already on your list.") % {"mentor": mentor.name})
    if len(entries) >= PreferredMentor.MAX_PER_MENTEE:
        raise InvalidInput(
            _("Your list already has %(count)d mentors; remove one before adding another.")
            % {"count": PreferredMentor.MAX_PER_MENTEE}
        )
    top = max((entry.rank for entry in entries), default=0)
    return PreferredMentor.objects.create(
        program=program, mentee=mentee, mentor=mentor, rank=top + 1
    )


@transaction.atomic
def preferred_mentor_remove(*, entry: PreferredMentor, actor: User) -> None:
    if actor.pk != entry.mentee_id:
        raise NotAllowed(_("Only the mentee can change their list."))
    entries = _lock_list(program=entry.program, mentee=entry.mentee)
    PreferredMentor.objects.filter(pk=entry.pk).delete()
    _renumber([item for item in entries if item.pk != entry.pk])


@transaction.atomic
def preferred_mentor_move(*, entry: PreferredMentor, actor: User, direction: str) -> None:
    """Move one place ``up`` (towards rank 1) or ``down``."""
    if actor.pk != entry.mentee_id:
        raise NotAllowed(_("Only the mentee can change their list."))
    if direction not in ("up", "down"):
        raise InvalidInput(_("Choose whether to move the mentor up or down."))
    entries = _lock_list(program=entry.program, mentee=entry.mentee)
    index = next((i for i, item in enumerate(entries) if item.pk == entry.pk), None)
    if index is None:
        raise IllegalTransition(_("This mentor is no longer on your list."))
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(entries):
        entries[index], entries[target] = entries[target], entries[index]
    _renumber(entries)
