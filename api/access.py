"""What the caller may see: a participant their own objects, a program admin (or a
program's key) their programs' objects. Everything else is 404, as on the site."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from api.models import ApiKey
from mentoring.models import ProgramAdministrator, User

_ATTRIBUTE = "_api_caller"


@dataclass(frozen=True)
class Caller:
    user: User
    key: ApiKey | None
    sees_every_program: bool
    administered: frozenset[int]

    @property
    def participant(self) -> User | None:
        """The person acting for themselves; None for an integration's key."""
        return None if self.key else self.user

    def administers(self, program_id: int) -> bool:
        return self.sees_every_program or program_id in self.administered

    def program_filter(self, path: str = "program") -> Q:
        """Rows of the programs this caller administers (``path``: the program's field)."""
        if self.sees_every_program:
            return Q()
        return Q(**{f"{path}_id__in": self.administered})

    def visible_rows(self, queryset: QuerySet, parties: tuple[str, ...]) -> QuerySet:
        """Rows the caller may see: their own as one of ``parties`` (a person), and every
        row of the programs they administer (a program admin or a key). Anything else is
        absent, so asking for it is a 404."""
        if self.sees_every_program:
            return queryset
        visible = Q(pk__in=[])
        if self.administered:
            visible |= self.program_filter()
        if self.participant is not None:
            for party in parties:
                visible |= Q(**{party: self.participant})
        return queryset.filter(visible)

    def administered_rows(self, queryset: QuerySet, path: str = "program") -> QuerySet:
        if not self.sees_every_program and not self.administered:
            return queryset.none()
        return queryset.filter(self.program_filter(path))


def caller_of(request: Request) -> Caller:
    caller = getattr(request, _ATTRIBUTE, None)
    if caller is None:
        key = request.auth if isinstance(request.auth, ApiKey) else None
        user = request.user
        if key is not None:
            caller = Caller(user, key, False, frozenset({key.program_id}))
        elif user.is_active and user.is_superuser:
            caller = Caller(user, None, True, frozenset())  # sees every program: no query
        else:
            administered = ProgramAdministrator.objects.filter(user_id=user.pk).values_list(
                "program_id", flat=True
            )
            caller = Caller(user, None, False, frozenset(administered))
        setattr(request, _ATTRIBUTE, caller)
    return caller


def participant_of(request: Request) -> User:
    """The person acting for themselves; a key cannot act as a participant (403)."""
    user = caller_of(request).participant
    if user is None:
        raise PermissionDenied(
            _("An API key acts for its program's admins: this needs the participant's session.")
        )
    return user
