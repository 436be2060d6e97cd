"""Connection requests: the Connect button (create), the mentor's answer (accept,
decline) and the mentee's withdrawal, each through the same ``matching.services`` call
as the site's pages (portal/views/mentors.py ``connect``, portal/views/ongoing.py). A
person sees the requests they sent and received; program admins and keys their
programs'. Sending, answering and withdrawing are a participant's own acts: they need
the person's session (an API key acts for the program's admins)."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.access import participant_of
from api.base import ApiViewSet, IdField, PersonSerializer, ProgramRefSerializer, filtered
from api.views.connections import ConnectionSerializer
from matching import selectors, services
from matching.models import ConnectionRequest
from mentoring.models import Membership
from mentoring.validators import validate_plain_text

REQUEST_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The request's id."
)


class ConnectionRequestSerializer(serializers.ModelSerializer):
    program = ProgramRefSerializer(read_only=True)
    mentor = PersonSerializer(read_only=True)
    mentee = PersonSerializer(read_only=True)
    flash_meeting = serializers.PrimaryKeyRelatedField(read_only=True)
    mentee_goals = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="What the mentee hopes to get from the program (shown to the mentor).",
    )

    class Meta:
        model = ConnectionRequest
        fields = [
            "id",
            "program",
            "mentor",
            "mentee",
            "message",
            "mentee_goals",
            "status",
            "origin",
            "flash_meeting",
            "decline_reason",
            "decline_note",
            "close_reason",
            "created_at",
            "responded_at",
        ]
        read_only_fields = fields


class RequestFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ConnectionRequest.Status.choices, required=False)
    program = IdField(required=False, help_text="A program's id.")
    role = serializers.ChoiceField(
        choices=[("sent", "sent"), ("received", "received")],
        required=False,
        help_text="Only the requests you sent (as a mentee) or received (as a mentor).",
    )
    created_after = serializers.DateField(
        required=False, help_text="Sent on or after this day (ISO date, UTC)."
    )
    created_before = serializers.DateField(
        required=False, help_text="Sent on or before this day (ISO date, UTC)."
    )


class ConnectSerializer(serializers.Serializer):
    """The Connect button: a mentor of the directory (by membership id, or by person and
    program) and the message (the site's form)."""

    mentor_membership = IdField(
        required=False, help_text="The mentor's membership id (the directory's id)."
    )
    mentor = IdField(required=False, help_text="The mentor's person id.")
    program = IdField(required=False, help_text="The program's id (with `mentor`).")
    message = serializers.CharField(
        max_length=ConnectionRequest.MESSAGE_MAX_LENGTH,
        validators=[validate_plain_text],
        error_messages={"required": _("Write a short message to the mentor.")},
    )

    def validate(self, attrs: dict) -> dict:
        if "mentor_membership" not in attrs and not ("mentor" in attrs and "program" in attrs):
            raise serializers.ValidationError(
                _("Name the mentor: their membership id, or their id and the program's.")
            )
        return attrs


class DeclineSerializer(serializers.Serializer):
    """The site's decline form: a reason and an optional note to the mentee."""

    reason = serializers.ChoiceField(
        choices=ConnectionRequest.DeclineReason.choices,
        error_messages={"required": _("Choose a reason for declining.")},
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, validators=[validate_plain_text]
    )


class AcceptedSerializer(serializers.Serializer):
    request = ConnectionRequestSerializer(read_only=True)
    connection = ConnectionSerializer(read_only=True)


def _mentor_membership_id(data: dict) -> int:
    if "mentor_membership" in data:
        return data["mentor_membership"]
    membership = (
        Membership.objects.filter(
            program_id=data["program"], user_id=data["mentor"], role=Membership.Role.MENTOR
        )
        .values_list("pk", flat=True)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


@extend_schema_view(
    list=extend_schema(
        summary="Connection requests you sent or received, or your programs'",
        parameters=[RequestFilterSerializer],
    ),
    retrieve=extend_schema(summary="One connection request", parameters=[REQUEST_ID]),
    create=extend_schema(
        summary="Connect: ask a mentor for ongoing mentoring (the mentee's session)",
        request=ConnectSerializer,
        responses={201: ConnectionRequestSerializer},
    ),
    accept=extend_schema(
        summary="Accept a request (its mentor's session)",
        parameters=[REQUEST_ID],
        request=None,
        responses=AcceptedSerializer,
    ),
    decline=extend_schema(
        summary="Decline a request with a reason (its mentor's session)",
        parameters=[REQUEST_ID],
        request=DeclineSerializer,
        responses=ConnectionRequestSerializer,
    ),
    withdraw=extend_schema(
        summary="Withdraw a request (its mentee's session)",
        parameters=[REQUEST_ID],
        request=None,
        responses=ConnectionRequestSerializer,
    ),
)
class ConnectionRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ConnectionRequestSerializer

    def get_queryset(self) -> QuerySet[ConnectionRequest]:
        goals = Membership.objects.filter(
            program=OuterRef("program_id"), user=OuterRef("mentee_id"), role=Membership.Role.MENTEE
        ).values("goals")[:1]
        rows = self.caller.visible_rows(
            ConnectionRequest.objects.select_related("program", "mentor", "mentee").annotate(
                mentee_goals=Subquery(goals)
            ),
            ("mentor", "mentee"),
        )
        if self.action != "list":
            return rows
        rows, wanted = filtered(
            rows,
            self.request,
            RequestFilterSerializer,
            {
                "status": "status",
                "program": "program_id",
                "created_after": "created_at__date__gte",
                "created_before": "created_at__date__lte",
            },
        )
        if "role" in wanted:
            person = self.caller.participant
            party = "mentee" if wanted["role"] == "sent" else "mentor"
            rows = rows.filter(**{party: person}) if person else rows.none()
        return rows

    def create(self, request) -> Response:
        mentee = participant_of(request)
        form = ConnectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # As the Connect button: a mentor the directory lists, in a program the mentee
        # takes part in (404 otherwise), then the one service.
        mentor_membership = (
            Membership.objects.select_related("program")
            .filter(pk=_mentor_membership_id(form.validated_data), role=Membership.Role.MENTOR)
            .first()
        )
        if mentor_membership is None:
            raise Http404
        access = selectors.program_access(slug=mentor_membership.program.slug, user=mentee)
        mentor = selectors.mentor_profile(
            program=access.program,
            settings=access.settings,
            membership_id=mentor_membership.pk,
            with_slots=False,
        )
        created = services.connection_request_create(
            program=access.program,
            mentor=mentor.user,
            mentee=mentee,
            message=form.validated_data["message"],
        )
        created = self.get_queryset().get(pk=created.pk)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk: str) -> Response:
        mentor = participant_of(request)
        connection_request = self.get_object()
        connection = services.connection_request_accept(request=connection_request, actor=mentor)
        return Response(
            AcceptedSerializer({"request": connection_request, "connection": connection}).data
        )

    @action(detail=True, methods=["post"])
    def decline(self, request, pk: str) -> Response:
        mentor = participant_of(request)
        connection_request = self.get_object()
        form = DeclineSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.connection_request_decline(
            request=connection_request,
            actor=mentor,
            reason=form.validated_data["reason"],
            note=form.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(connection_request).data)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk: str) -> Response:
        mentee = participant_of(request)
        connection_request = self.get_object()
        services.connection_request_withdraw(request=connection_request, actor=mentee)
        return Response(self.get_serializer(connection_request).data)
