"""Ongoing connections: the two parties see theirs, program admins and keys their
programs'; ending one is ``matching.services.connection_end``, as on the connection page
(a party) and in admin (the program team)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ApiViewSet, IdField, PersonSerializer, ProgramRefSerializer, filtered
from matching import services
from matching.models import Connection
from mentoring.validators import validate_plain_text

CONNECTION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The connection's id."
)


class ConnectionSerializer(serializers.ModelSerializer):
    program = ProgramRefSerializer(read_only=True)
    mentor = PersonSerializer(read_only=True)
    mentee = PersonSerializer(read_only=True)
    ended_by = PersonSerializer(read_only=True, allow_null=True)
    flash_meeting = serializers.PrimaryKeyRelatedField(read_only=True)
    request = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Connection
        fields = [
            "id",
            "program",
            "mentor",
            "mentee",
            "status",
            "origin",
            "flash_meeting",
            "request",
            "started_at",
            "ends_on",
            "ended_at",
            "ended_by",
            "end_reason",
            "end_cause",
        ]
        read_only_fields = fields


class ConnectionFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Connection.Status.choices, required=False)
    program = IdField(required=False, help_text="A program's id.")
    started_after = serializers.DateField(
        required=False, help_text="Started on or after this day (ISO date, UTC)."
    )
    started_before = serializers.DateField(
        required=False, help_text="Started on or before this day (ISO date, UTC)."
    )


class EndConnectionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        validators=[validate_plain_text],
        help_text="Why the connection ends; the other person reads it in their email. "
        "Required from a party; a program admin (or key) may leave it out, as in admin.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="Connections: your own, or your programs'",
        parameters=[ConnectionFilterSerializer],
    ),
    retrieve=extend_schema(summary="One connection", parameters=[CONNECTION_ID]),
    end=extend_schema(
        summary="End a connection (a party, a program admin or a read and write key)",
        parameters=[CONNECTION_ID],
        request=EndConnectionSerializer,
        responses=ConnectionSerializer,
    ),
)
class ConnectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ConnectionSerializer

    def get_queryset(self) -> QuerySet[Connection]:
        rows = self.caller.visible_rows(
            Connection.objects.select_related("program", "mentor", "mentee", "ended_by"),
            ("mentor", "mentee"),
        )
        if self.action != "list":
            return rows
        rows, _given = filtered(
            rows,
            self.request,
            ConnectionFilterSerializer,
            {
                "status": "status",
                "program": "program_id",
                "started_after": "started_at__date__gte",
                "started_before": "started_at__date__lte",
            },
        )
        return rows

    @action(detail=True, methods=["post"])
    def end(self, request, pk: str) -> Response:
        connection = self.get_object()
        form = EndConnectionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        reason = form.validated_data.get("reason", "")
        actor = self.caller.user
        if not reason.strip() and actor.pk not in (connection.mentor_id, connection.mentee_id):
            reason = _("Ended by the program team.")  # what admin's "End connection" says
        ended = services.connection_end(connection=connection, actor=actor, reason=reason)
        return Response(ConnectionSerializer(ended).data)
