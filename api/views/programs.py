"""Programs (read): a participant's own programs, an admin's or a key's programs."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from api.base import ApiViewSet
from mentoring.models import Membership, Program


class ProgramSerializer(serializers.ModelSerializer):
    ongoing_enabled = serializers.BooleanField(source="matching_settings.ongoing_enabled")
    one_time_enabled = serializers.BooleanField(source="matching_settings.one_time_enabled")
    flash_to_ongoing_enabled = serializers.BooleanField(
        source="matching_settings.flash_to_ongoing_enabled"
    )
    flash_to_ongoing_policy = serializers.CharField(
        source="matching_settings.flash_to_ongoing_policy"
    )

    class Meta:
        model = Program
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "active",
            "created_at",
            "ongoing_enabled",
            "one_time_enabled",
            "flash_to_ongoing_enabled",
            "flash_to_ongoing_policy",
        ]
        read_only_fields = fields


def programs_visible_to(caller) -> QuerySet[Program]:
    """Programs the caller administers, and (a person) the ones they take part in."""
    programs = Program.objects.select_related("matching_settings")
    if caller.sees_every_program:
        return programs
    visible = Q(pk__in=caller.administered)
    if caller.participant is not None:
        visible |= Q(
            pk__in=Membership.objects.filter(user=caller.participant, active=True).values(
                "program_id"
            )
        )
    return programs.filter(visible)


@extend_schema_view(
    list=extend_schema(summary="Programs you take part in or administer"),
    retrieve=extend_schema(summary="One program"),
)
class ProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ProgramSerializer

    def get_queryset(self) -> QuerySet[Program]:
        return programs_visible_to(self.caller)
