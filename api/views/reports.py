"""The flash-to-ongoing report of one program (program admins and the program's keys;
anyone else: 404): the admin report's figures, computed by the same function
(``flash_meetings.follow_up_report.follow_up_report``)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.access import caller_of
from api.base import ConditionalReadMixin, ProgramRefSerializer
from flash_meetings.follow_up_report import follow_up_report
from mentoring.models import Program


class NotShownSerializer(serializers.Serializer):
    code = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The eligibility reason code.")
    )
    label = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True)


class FollowUpReportSerializer(serializers.Serializer):
    program = ProgramRefSerializer(read_only=True)
    meetings_over = serializers.IntegerField(read_only=True)
    follow_ups_answered = serializers.IntegerField(read_only=True)
    offers_shown = serializers.IntegerField(read_only=True)
    offers_not_shown = serializers.SerializerMethodField(
        help_text=gettext_lazy("Follow-ups answered without the offer, by reason.")
    )
    forced_connections = serializers.IntegerField(read_only=True)
    requests_sent = serializers.IntegerField(read_only=True)
    requests_accepted = serializers.IntegerField(read_only=True)
    connections_made = serializers.IntegerField(read_only=True)
    conversion_rate = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "Connections made per meeting over (0 to 1); null when no meeting is over."
        ),
    )

    @extend_schema_field(NotShownSerializer(many=True))
    def get_offers_not_shown(self, report) -> list[dict]:
        return [
            {"code": code, "label": label, "count": count}
            for code, label, count in report.offers_not_shown
        ]


class FollowUpReportView(ConditionalReadMixin, APIView):
    @extend_schema(
        summary="The flash-to-ongoing report of a program (program admins, keys)",
        responses={200: FollowUpReportSerializer},
        parameters=[OpenApiParameter("program_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    def get(self, request: Request, program_id: int) -> Response:
        caller = caller_of(request)
        program = get_object_or_404(Program, pk=program_id)
        if not caller.administers(program.pk):
            raise NotFound  # another program's report looks like a missing one
        return Response(FollowUpReportSerializer(follow_up_report(program=program)).data)
