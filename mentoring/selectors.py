"""Reads for mentoring pages."""

from django.db.models import QuerySet

from mentoring.models import Membership, User


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("program")
        .order_by("program__name", "role")
    )
