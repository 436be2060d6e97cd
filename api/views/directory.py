"""The mentor directory of a program, with each mentor's availability: the site's
directory page (portal/views/mentors.py) as JSON. The same people may look (the
program's active members, its admins and its keys; anyone else 404), in the same order
(``matching.selectors.mentor_directory``, cached by ``portal.directory_cache``), with the
same cards (``matching.selectors.directory_cards``: live availability and its sentence).
Pages of 20 by number, as on the site: the order is by name, not by id."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from api.access import Caller
from api.base import ApiViewSet
from matching import selectors
from matching.models import MatchingSettings
from mentoring.models import Program
from portal import directory_cache

PROGRAM_ID = OpenApiParameter(
    "program_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The program's id."
)
MEMBERSHIP_ID = OpenApiParameter(
    "membership_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The mentor's membership id (as in the profile's address on the site).",
)


class DirectoryPagination(PageNumberPagination):
    page_size = 20  # the site's page (portal.views.mentors.DIRECTORY_PAGE_SIZE)


class DirectoryQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Search by name, headline or expertise (as on the site).",
    )


class ModesSerializer(serializers.Serializer):
    ongoing = serializers.BooleanField(source="offers_ongoing", read_only=True)
    one_time = serializers.BooleanField(source="offers_one_time", read_only=True)


class DirectoryMentorSerializer(serializers.Serializer):
    """One directory card: the mentor's profile and whether they take new mentees (never
    who their mentees are)."""

    id = serializers.IntegerField(
        source="membership_id", read_only=True, help_text="The mentor's membership id."
    )
    name = serializers.CharField(read_only=True)
    headline = serializers.CharField(read_only=True)
    expertise = serializers.CharField(read_only=True)
    modes_offered = ModesSerializer(source="*", read_only=True)
    availability = serializers.ChoiceField(choices=selectors.Availability.choices, read_only=True)
    availability_label = serializers.CharField(
        read_only=True, help_text="The sentence the site shows, in the request's language."
    )
    taking_new = serializers.BooleanField(read_only=True)


def directory_program(caller: Caller, program_id: int) -> tuple[Program, MatchingSettings]:
    """The program and its settings if the caller may see its directory, else 404: its
    admins and keys; its active members, as the site's ``program_access`` decides."""
    program = Program.objects.select_related("matching_settings").filter(pk=program_id).first()
    settings = getattr(program, "matching_settings", None) if program else None
    if settings is None:
        raise Http404
    if caller.administers(program.pk):
        return program, settings
    if caller.participant is None:
        raise Http404
    access = selectors.program_access(slug=program.slug, user=caller.participant)  # or 404
    return access.program, access.settings


@extend_schema_view(
    list=extend_schema(
        summary="The mentor directory of a program",
        parameters=[PROGRAM_ID, DirectoryQuerySerializer],
        responses=DirectoryMentorSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="One mentor of a program's directory",
        parameters=[PROGRAM_ID, MEMBERSHIP_ID],
        responses=DirectoryMentorSerializer,
    ),
)
class MentorDirectoryViewSet(ApiViewSet):
    serializer_class = DirectoryMentorSerializer
    pagination_class = DirectoryPagination
    lookup_url_kwarg = "membership_id"

    def list(self, request, program_id: str) -> Response:
        program, settings = directory_program(self.caller, int(program_id))
        query_form = DirectoryQuerySerializer(data=request.query_params)
        query_form.is_valid(raise_exception=True)
        query = query_form.validated_data.get("q", "")
        mentor_ids = directory_cache.ordered_ids(
            key_parts=(program.pk, settings.updated_at, query),
            build=lambda: selectors.mentor_directory(
                program=program, settings=settings, query=query
            ),
        )
        page = self.paginate_queryset(mentor_ids)
        cards = selectors.directory_cards(ids=list(page), settings=settings)
        return self.get_paginated_response(self.get_serializer(cards, many=True).data)

    def retrieve(self, request, program_id: str, membership_id: str) -> Response:
        _program, settings = directory_program(self.caller, int(program_id))
        cards = selectors.directory_cards(ids=[int(membership_id)], settings=settings)
        if not cards:
            raise Http404
        return Response(self.get_serializer(cards[0]).data)
