"""Memberships: a person's place in a program, as mentor or mentee.

Who sees what: a participant their own memberships; program admins and their programs'
keys their programs' memberships. Everyone else: 404.

Who writes: program admins (their session) and read-write keys of the program, by the
same rules as Django admin's *Memberships* page: an Add goes through
``matching.services.membership_create`` (the program theirs, the person one of their
programs' people, no second membership in a role), a deactivation through
``matching.services.membership_update`` (as the membership page's save, by an admin).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from api.access import Caller
from api.base import ApiViewSet, IdField, PersonSerializer, ProgramRefSerializer, filtered
from matching import services
from mentoring.admin_scoping import users_of_programs
from mentoring.models import Membership, Program, User

DETAIL_FIELDS = (
    "active",
    "headline",
    "bio",
    "expertise",
    "max_ongoing_mentees",
    "offers_ongoing",
    "offers_one_time",
    "max_flash_meetings_per_month",
    "paused_until",
    "goals",
)


class MembershipSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)
    program = ProgramRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "program", "role", "joined_at", *DETAIL_FIELDS]
        read_only_fields = fields


class MembershipCreateSerializer(serializers.ModelSerializer):
    """The admin's Add form: the person, the program and the role; the rest optional
    (defaults as in admin)."""

    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        help_text=gettext_lazy("A person's id: a member or an admin of one of your programs."),
    )
    program = serializers.PrimaryKeyRelatedField(
        queryset=Program.objects.none(), help_text=gettext_lazy("One of your programs.")
    )

    class Meta:
        model = Membership
        fields = ["user", "program", "role", *DETAIL_FIELDS]
        # The service refuses a second membership with a readable message (409).
        validators: list = []
        # The largest small integer PostgreSQL stores, on every database: Django's own
        # bound follows the database in use, and the schema must not.
        extra_kwargs = {
            "max_ongoing_mentees": {"max_value": 32767},
            "max_flash_meetings_per_month": {"max_value": 32767},
        }

    def __init__(self, *args, caller: Caller | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The choices of the admin's form: their programs and their programs' people.
        if caller is None:  # the schema's generator
            return
        if caller.sees_every_program:
            self.fields["user"].queryset = User.objects.all()
            self.fields["program"].queryset = Program.objects.all()
        else:
            self.fields["user"].queryset = User.objects.filter(
                users_of_programs(caller.administered)
            )
            self.fields["program"].queryset = Program.objects.filter(pk__in=caller.administered)


class MembershipFilterSerializer(serializers.Serializer):
    program = IdField(required=False)
    role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)
    # Absent is "either" (DRF would read a missing checkbox as false).
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


MEMBERSHIP_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary="Memberships: your own, or your programs' members",
        parameters=[
            OpenApiParameter("program", OpenApiTypes.INT, description="A program's id."),
            OpenApiParameter("role", OpenApiTypes.STR, enum=Membership.Role.values),
            OpenApiParameter("active", OpenApiTypes.BOOL),
        ],
    ),
    retrieve=extend_schema(summary="One membership", parameters=[MEMBERSHIP_ID]),
    create=extend_schema(
        summary="Add a person to a program (program admins, read-write keys)",
        description=(
            "As Django admin's Add membership. Refusals: `membership_exists` (409) when "
            "the person already has that role in the program; `invalid` for a program or "
            "person outside your programs, or a value out of the program's bounds."
        ),
        request=MembershipCreateSerializer,
        responses={201: MembershipSerializer},
    ),
)
class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet
):
    serializer_class = MembershipSerializer
    queryset = Membership.objects.none()  # the schema's model; rows: get_queryset

    def get_queryset(self) -> QuerySet[Membership]:
        memberships = (
            self.caller.visible_rows(Membership.objects.all(), ("user",))
            .select_related("user", "program")
            .order_by("-id")
        )
        if self.action != "list":
            return memberships
        memberships, _given = filtered(
            memberships,
            self.request,
            MembershipFilterSerializer,
            {"program": "program_id", "role": "role", "active": "active"},
        )
        return memberships

    def _scope(self) -> frozenset[int] | None:
        caller = self.caller
        if not caller.sees_every_program and not caller.administered:
            raise PermissionDenied(_("Only a program's admins can change its memberships."))
        return None if caller.sees_every_program else caller.administered

    def create(self, request: Request, *args, **kwargs) -> Response:
        scope = self._scope()
        form = MembershipCreateSerializer(data=request.data, caller=self.caller)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        membership = services.membership_create(
            user=data.pop("user"),
            program=data.pop("program"),
            role=data.pop("role"),
            actor=request.user,
            scope=scope,
            details=data,
        )
        return Response(
            MembershipSerializer(self.get_queryset().get(pk=membership.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Deactivate a membership (program admins, read-write keys)",
        description=(
            "As switching *active* off on the membership's admin page: connections and "
            "pending requests are kept; a second call changes nothing."
        ),
        request=None,
        responses={200: MembershipSerializer},
        parameters=[MEMBERSHIP_ID],
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        membership = self.get_object()
        if not self.caller.administers(membership.program_id):
            raise PermissionDenied(_("Only a program's admins can change its memberships."))
        services.membership_update(
            membership=membership,
            actor=request.user,
            changes={"active": False},
            by_admin=True,
        )
        return Response(MembershipSerializer(self.get_queryset().get(pk=membership.pk)).data)
