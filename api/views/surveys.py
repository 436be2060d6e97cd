"""Survey responses with their answers (read), for program admins and their programs'
keys: what Django admin's *Survey responses* page shows (the response, its survey and
program, the respondent, the version, what it is about, and each answer as it was given:
the question's text as asked, its kind and the answer) and nothing more.

Participants: nobody reads other people's answers on the site, and the people who
answered do not get theirs back either; a participant who administers no program gets an
empty list, and any response is a 404 (the same as a missing one).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from api.base import ApiViewSet, IdField, PersonSerializer, ProgramRefSerializer, filtered
from surveys.models import Answer, Survey, SurveyResponse


class SurveyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Survey
        fields = ["id", "kind", "role", "title"]
        read_only_fields = fields


class SurveyAnswerSerializer(serializers.ModelSerializer):
    question = serializers.CharField(
        source="question_text",
        read_only=True,
        help_text=gettext_lazy("The question's text as it was asked."),
    )
    kind = serializers.CharField(source="question_kind", read_only=True)
    answer = serializers.CharField(
        source="display_value",
        read_only=True,
        help_text=gettext_lazy(
            "As the admin shows it: the rating, the choices joined by “; ”, or the text."
        ),
    )

    class Meta:
        model = Answer
        fields = ["question", "kind", "answer"]
        read_only_fields = fields


class SurveyResponseSerializer(serializers.ModelSerializer):
    survey = SurveyRefSerializer(read_only=True)
    program = ProgramRefSerializer(source="survey.program", read_only=True)
    respondent = PersonSerializer(read_only=True)
    answers = SurveyAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "survey",
            "program",
            "respondent",
            "version",
            "language",
            "flash_meeting",
            "connection",
            "submitted_at",
            "answers",
        ]
        read_only_fields = fields


class ResponseFilterSerializer(serializers.Serializer):
    program = IdField(required=False)
    survey = serializers.ChoiceField(choices=Survey.Kind.choices, required=False)
    submitted_after = serializers.DateTimeField(required=False)
    submitted_before = serializers.DateTimeField(required=False)


RESPONSE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary="Survey responses of your programs (program admins, keys)",
        description="A participant who administers no program gets an empty list.",
        parameters=[
            OpenApiParameter("program", OpenApiTypes.INT, description="A program's id."),
            OpenApiParameter(
                "survey", OpenApiTypes.STR, enum=Survey.Kind.values, description="Survey kind."
            ),
            OpenApiParameter(
                "submitted_after", OpenApiTypes.DATETIME, description="Submitted at or after."
            ),
            OpenApiParameter(
                "submitted_before", OpenApiTypes.DATETIME, description="Submitted before."
            ),
        ],
    ),
    retrieve=extend_schema(summary="One survey response", parameters=[RESPONSE_ID]),
)
class SurveyResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = SurveyResponseSerializer
    queryset = SurveyResponse.objects.none()  # the schema's model; rows: get_queryset

    def get_queryset(self) -> QuerySet[SurveyResponse]:
        responses = self.caller.administered_rows(
            SurveyResponse.objects.select_related("survey__program", "respondent").prefetch_related(
                Prefetch("answers", queryset=Answer.objects.order_by("pk"))
            ),
            path="survey__program",
        )
        if self.action != "list":
            return responses
        responses, _given = filtered(
            responses,
            self.request,
            ResponseFilterSerializer,
            {
                "program": "survey__program_id",
                "survey": "survey__kind",
                "submitted_after": "submitted_at__gte",
                "submitted_before": "submitted_at__lt",
            },
        )
        return responses
