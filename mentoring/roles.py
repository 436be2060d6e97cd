"""Which roles a person holds in the programs they take part in: what the navigation and
the dashboard show follows from it (a mentee sees no mentor pages, and the other way
round).

The signed-in person is loaded with both answers in the same statement
(``backends.ParticipantBackend``), so the navigation costs no query of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from mentoring.models import Membership, User


@dataclass(frozen=True)
class Roles:
    mentor: bool
    mentee: bool

    @property
    def participant(self) -> bool:
        return self.mentor or self.mentee


def _active_membership(role: str) -> Exists:
    return Exists(
        Membership.objects.filter(
            user_id=OuterRef("pk"), role=role, active=True, program__active=True
        )
    )


def role_annotations() -> dict[str, Exists]:
    """``holds_mentor_role`` and ``holds_mentee_role``: an active membership in an
    active program (index membership_one_per_role)."""
    return {
        "holds_mentor_role": _active_membership(Membership.Role.MENTOR),
        "holds_mentee_role": _active_membership(Membership.Role.MENTEE),
    }


def roles_of(user: User) -> Roles:
    """The person's roles: from the annotations when the user was loaded with them,
    else one query (a user loaded some other way)."""
    if not getattr(user, "is_authenticated", False):
        return Roles(mentor=False, mentee=False)
    if not hasattr(user, "holds_mentor_role"):
        found = User.objects.filter(pk=user.pk).annotate(**role_annotations())
        flags = found.values_list("holds_mentor_role", "holds_mentee_role").first()
        user.holds_mentor_role, user.holds_mentee_role = flags or (False, False)
    return Roles(mentor=bool(user.holds_mentor_role), mentee=bool(user.holds_mentee_role))
