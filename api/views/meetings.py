"""Flash meetings, and meetings within an ongoing connection (``kind``: ``flash`` or
``connection``; the same machinery, see flash_meetings).

Who sees what: a meeting's mentor and mentee see it; program admins and their programs'
keys see their programs' meetings. Everyone else: 404.

Who acts: exactly as on the meeting's page (flash_meetings/views/meetings.py), through the
same services with the same actor rules. Every action needs the participant's own
session: the mentee requests, withdraws and accepts the mentor's proposed time; the
mentor accepts, declines and proposes a time; either cancels (before the start) or
records that the meeting did not happen (after the end). Django admin has no meeting
actions for program admins, so an API key (which acts for program admins) can only read
meetings (403), and a program admin who is not in the meeting gets 404, as on the site.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.access import participant_of
from api.base import ApiViewSet, filtered
from api.views.meeting_serializers import (
    MeetingAcceptProposalSerializer,
    MeetingAcceptSerializer,
    MeetingCancelSerializer,
    MeetingDeclineSerializer,
    MeetingFilterSerializer,
    MeetingProposeSerializer,
    MeetingRequestSerializer,
    MeetingSerializer,
)
from flash_meetings import selectors, services
from flash_meetings.errors import ConnectionNotOpen, NotOffered
from flash_meetings.models import FlashMeeting, ProposedTime
from matching.models import Connection, MatchingSettings
from mentoring.models import Membership, User

FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=FlashMeeting.Status.values),
    OpenApiParameter("program", OpenApiTypes.INT, description="A program's id."),
    OpenApiParameter(
        "starts_after", OpenApiTypes.DATETIME, description="Meetings starting at or after."
    ),
    OpenApiParameter(
        "starts_before", OpenApiTypes.DATETIME, description="Meetings starting before."
    ),
]
MEETING_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _action_schema(summary: str, request=None, description: str = ""):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: MeetingSerializer},
        parameters=[MEETING_ID],
    )


@extend_schema_view(
    list=extend_schema(
        summary="Flash meetings you take part in or administer",
        parameters=FILTERS,
    ),
    retrieve=extend_schema(summary="One meeting", parameters=[MEETING_ID]),
    create=extend_schema(
        summary="Request a meeting (the mentee's session)",
        description=(
            "The site's request form: with `mentor_membership` a flash meeting, with "
            "`connection` a meeting within your active connection; an open `slot` or up "
            "to three `proposed_times`. Refusals: `pending_limit_reached`, "
            "`monthly_limit_reached`, `too_soon`, `slot_taken`, `not_offered`…"
        ),
        request=MeetingRequestSerializer,
        responses={201: MeetingSerializer},
    ),
)
class MeetingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet
):
    serializer_class = MeetingSerializer
    queryset = FlashMeeting.objects.none()  # the schema's model; rows: get_queryset

    def get_queryset(self) -> QuerySet[FlashMeeting]:
        meetings = (
            self.caller.visible_rows(FlashMeeting.objects.all(), ("mentor", "mentee"))
            .select_related("program", "mentor", "mentee")
            .prefetch_related(
                Prefetch(
                    "proposed_times", queryset=ProposedTime.objects.order_by("starts_at", "pk")
                )
            )
        )
        if self.action != "list":
            return meetings
        meetings, _given = filtered(
            meetings,
            self.request,
            MeetingFilterSerializer,
            {
                "status": "status",
                "program": "program_id",
                "starts_after": "starts_at__gte",
                "starts_before": "starts_at__lt",
            },
        )
        return meetings

    # --- requesting ---------------------------------------------------------------

    def create(self, request: Request, *args, **kwargs) -> Response:
        mentee = participant_of(request)
        form = MeetingRequestSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if "connection" in data:
            mentor_membership, connection = self._connection_target(mentee, data["connection"])
        else:
            mentor_membership, connection = self._mentor_target(mentee, data["mentor_membership"])
        slot = None
        if data.get("slot"):
            settings = MatchingSettings.objects.only("min_booking_notice_hours").get(
                program_id=mentor_membership.program_id
            )
            slot = (
                selectors.open_slots(
                    program_id=mentor_membership.program_id,
                    mentor_id=mentor_membership.user_id,
                    notice_hours=settings.min_booking_notice_hours,
                )
                .filter(pk=data["slot"])
                .first()
            )
            if slot is None:
                raise serializers.ValidationError(
                    {
                        "slot": _(
                            "Sorry, that slot was just booked by someone else or is no longer "
                            "open; please pick another time."
                        )
                    }
                )
        meeting = services.flash_meeting_request(
            mentor_membership=mentor_membership,
            mentee=mentee,
            topic=data["topic"],
            message=data["message"],
            slot=slot,
            proposed_starts=data["proposed_times"],
            connection=connection,
        )
        return Response(
            MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def _mentor_target(self, mentee: User, membership_id: int) -> tuple[Membership, None]:
        """As the request page: a mentor of a program where the caller is a mentee (404
        otherwise), who offers them one-time meetings (409 with the page's sentence)."""
        mentor_membership = get_object_or_404(
            Membership.objects.select_related("user", "program").distinct(),
            pk=membership_id,
            role=Membership.Role.MENTOR,
            program__memberships__user=mentee,
            program__memberships__role=Membership.Role.MENTEE,
        )
        settings = MatchingSettings.objects.select_related("program").get(
            program_id=mentor_membership.program_id
        )
        section = selectors.profile_section(
            mentor_membership=mentor_membership,
            viewer=mentee,
            settings=settings,
            viewer_is_mentee=Membership.objects.filter(
                program_id=mentor_membership.program_id,
                user=mentee,
                role=Membership.Role.MENTEE,
                active=True,
            ).exists(),
        )
        if not section.can_request:
            raise NotOffered(section.reason)
        return mentor_membership, None

    def _connection_target(self, mentee: User, connection_id: int) -> tuple[Membership, Connection]:
        """As the request page in a connection: its mentee only (404 otherwise), while
        it is active (409)."""
        connection = get_object_or_404(Connection, pk=connection_id, mentee=mentee)
        mentor_membership = get_object_or_404(
            Membership.objects.select_related("user", "program"),
            program_id=connection.program_id,
            user_id=connection.mentor_id,
            role=Membership.Role.MENTOR,
        )
        if not connection.is_active:
            raise ConnectionNotOpen(_("This connection has ended."))
        return mentor_membership, connection

    # --- answering and after ------------------------------------------------------

    def _own_meeting(self, request: Request, pk: str) -> tuple[User, FlashMeeting]:
        """The caller's own meeting (its mentor or mentee), as the page finds it: a key
        is refused (403), anyone else's meeting is a 404."""
        user = participant_of(request)
        return user, selectors.meeting_for_participant(meeting_id=int(pk), user=user)

    def _done(self, meeting: FlashMeeting) -> Response:
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @_action_schema(
        "Accept a request (the mentor)",
        MeetingAcceptSerializer,
        "The slot asked for, or one of the mentee's `proposed_times` (`proposed_time`).",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        user, meeting = self._own_meeting(request, pk)
        form = MeetingAcceptSerializer(data=request.data, context={"meeting": meeting})
        form.is_valid(raise_exception=True)
        services.flash_meeting_accept(meeting=meeting, actor=user, **form.validated_data)
        return self._done(meeting)

    @_action_schema("Decline a request (the mentor)", MeetingDeclineSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        user, meeting = self._own_meeting(request, pk)
        form = MeetingDeclineSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.flash_meeting_decline(meeting=meeting, actor=user, **form.validated_data)
        return self._done(meeting)

    @_action_schema(
        "Propose another time (the mentor)",
        MeetingProposeSerializer,
        "Replaces any time the mentor proposed before; the mentee may accept it.",
    )
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str) -> Response:
        user, meeting = self._own_meeting(request, pk)
        form = MeetingProposeSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        services.flash_meeting_propose_time(meeting=meeting, actor=user, **form.validated_data)
        return self._done(meeting)

    @_action_schema(
        "Accept the time the mentor proposed (the mentee)", MeetingAcceptProposalSerializer
    )
    @action(detail=True, methods=["post"], url_path="accept-proposal")
    def accept_proposal(self, request: Request, pk: str) -> Response:
        user, meeting = self._own_meeting(request, pk)
        form = MeetingAcceptProposalSerializer(data=request.data, context={"meeting": meeting})
        form.is_valid(raise_exception=True)
        services.flash_meeting_accept_proposal(meeting=meeting, actor=user, **form.validated_data)
        return self._done(meeting)

    @_action_schema("Withdraw a request (the mentee)")
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        user, meeting = self._own_meeting(request, pk)
        services.flash_meeting_withdraw(meeting=meeting, actor=user)
        return self._done(meeting)

    @_action_schema(
        "Cancel a scheduled meeting before it starts (the mentor or the mentee)",
        MeetingCancelSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        user, meeting = self._own_meeting(request, pk)
        form = MeetingCancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.flash_meeting_cancel(meeting=meeting, actor=user, **form.validated_data)
        return self._done(meeting)

    @_action_schema(
        "Record that the meeting did not happen (the mentor or the mentee, after its end)"
    )
    @action(detail=True, methods=["post"], url_path="not-held")
    def not_held(self, request: Request, pk: str) -> Response:
        user, meeting = self._own_meeting(request, pk)
        services.flash_meeting_record_not_held(meeting=meeting, actor=user)
        return self._done(meeting)
