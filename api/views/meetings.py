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

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.fields import get_error_detail
from rest_framework.request import Request
from rest_framework.response import Response

from api.access import participant_of
from api.base import ApiViewSet, IdField, PersonSerializer, ProgramRefSerializer, filtered
from flash_meetings import selectors, services
from flash_meetings.errors import ConnectionNotOpen, NotOffered
from flash_meetings.forms import LATEST_YEAR, TOO_LATE, VIDEO_URL_VALIDATORS
from flash_meetings.models import FlashMeeting, ProposedTime
from flash_meetings.timezones import localize_naive
from matching.models import Connection, MatchingSettings
from mentoring import dates
from mentoring.models import Membership, User
from mentoring.validators import validate_plain_text, validate_single_line
from mentoring.when import zone_of

# --- what a meeting looks like --------------------------------------------------------


class MeetingProposedTimeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposedTime
        fields = ["id", "starts_at", "ends_at", "by_mentor"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    program = ProgramRefSerializer(read_only=True)
    mentor = PersonSerializer(read_only=True)
    mentee = PersonSerializer(read_only=True)
    kind = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "`flash`: a one-time flash meeting; `connection`: a mentoring meeting within an "
            "ongoing connection (no one-time limit, no follow-up)."
        )
    )
    awaits_mentee = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy("The mentor proposed another time; the mentee's answer is awaited."),
    )
    proposed_times = MeetingProposedTimeSerializer(many=True, read_only=True)

    class Meta:
        model = FlashMeeting
        fields = [
            "id",
            "program",
            "kind",
            "connection",
            "mentor",
            "mentee",
            "topic",
            "message",
            "status",
            "awaits_mentee",
            "starts_at",
            "ends_at",
            "slot",
            "proposed_times",
            "expires_at",
            "location",
            "video_url",
            "decline_reason",
            "cancel_message",
            "follow_up_choice",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_kind(self, meeting: FlashMeeting) -> str:
        return "connection" if meeting.connection_id else "flash"


# --- what a caller sends --------------------------------------------------------------


class PersonDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time; one without an offset is wall-clock time in the person's own
    zone, as the site's forms read it. Refused as the forms refuse: a date before today
    or too far ahead (``mentoring.dates``), a time that does not exist there."""

    def enforce_timezone(self, value: datetime) -> datetime:
        return value  # the serializer localizes it in the person's zone

    def to_internal_value(self, value) -> datetime:
        parsed = super().to_internal_value(value)
        if parsed.year >= LATEST_YEAR:
            raise serializers.ValidationError(TOO_LATE % {"year": LATEST_YEAR})
        zone = zone_of(self.context["request"].user)
        try:
            local = parsed.astimezone(zone).replace(tzinfo=None) if parsed.tzinfo else parsed
            dates.check_people_date(local, zone=zone)
            return localize_naive(parsed, zone)
        except DjangoValidationError as error:
            raise serializers.ValidationError(get_error_detail(error)) from error
        except (ValueError, OverflowError) as error:
            raise serializers.ValidationError(str(error)) from error


class MeetingRequestSerializer(serializers.Serializer):
    """The site's request form (flash_meetings.forms.RequestForm): an open slot, or up
    to three proposed times; a topic and an optional message."""

    mentor_membership = IdField(
        required=False,
        help_text=gettext_lazy(
            "The mentor's membership id (as in the mentor directory) for a flash meeting."
        ),
    )
    connection = IdField(
        required=False,
        help_text=gettext_lazy(
            "Instead of `mentor_membership`: a meeting within your active connection."
        ),
    )
    topic = serializers.CharField(max_length=200, validators=[validate_single_line])
    message = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_plain_text],
    )
    slot = IdField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("An open slot of the mentor (its id)."),
    )
    proposed_times = serializers.ListField(
        child=PersonDateTimeField(),
        required=False,
        max_length=services.MAX_PROPOSED_TIMES,
        default=list,
        help_text=gettext_lazy(
            "Up to three times; without an offset, in your own time zone. Either this or `slot`."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        if ("mentor_membership" in attrs) == ("connection" in attrs):
            raise serializers.ValidationError(
                _("Send either the mentor's membership or your connection: exactly one of them.")
            )
        if attrs.get("slot") and attrs["proposed_times"]:
            raise serializers.ValidationError(
                _("Either pick an open slot or propose times, not both.")
            )
        if not attrs.get("slot") and not attrs["proposed_times"]:
            raise serializers.ValidationError(_("Pick an open slot or propose at least one time."))
        return attrs


class WhereSerializer(serializers.Serializer):
    """Where the meeting happens, as the mentor's forms ask it: a place, a video link."""

    location = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_single_line],
    )
    video_url = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        validators=[*VIDEO_URL_VALIDATORS],
    )


class MeetingAcceptSerializer(WhereSerializer):
    """The mentor's accept form (AcceptForm): the slot asked for, or a proposed time."""

    proposed_time = IdField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("One of the times the mentee proposed (its id)."),
    )

    def validate(self, attrs: dict) -> dict:
        meeting: FlashMeeting = self.context["meeting"]
        proposal_id = attrs.pop("proposed_time", None)
        attrs["proposed_time"] = None
        if proposal_id is not None:
            attrs["proposed_time"] = next(
                (
                    p
                    for p in meeting.proposed_times.all()
                    if p.pk == proposal_id and not p.by_mentor
                ),
                None,
            )
            if attrs["proposed_time"] is None:
                raise serializers.ValidationError(
                    {"proposed_time": _("That time was not proposed for this meeting.")}
                )
        if not meeting.slot_id and attrs["proposed_time"] is None:
            raise serializers.ValidationError(
                {"proposed_time": _("Please choose one of the proposed times.")}
            )
        return attrs


class MeetingProposeSerializer(WhereSerializer):
    """The mentor's propose form (ProposeForm): another time, where and the video link."""

    starts_at = PersonDateTimeField(
        help_text=gettext_lazy("Without an offset: in your own time zone.")
    )


class MeetingAcceptProposalSerializer(serializers.Serializer):
    """The mentee accepts the time the mentor proposed (AcceptProposalForm)."""

    proposed_time = IdField(help_text=gettext_lazy("The time the mentor proposed (its id)."))

    def validate_proposed_time(self, value: int) -> ProposedTime:
        meeting: FlashMeeting = self.context["meeting"]
        proposal = next(
            (p for p in meeting.proposed_times.all() if p.pk == value and p.by_mentor), None
        )
        if proposal is None:
            raise serializers.ValidationError(_("That proposed time is no longer available."))
        return proposal


class MeetingDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        validators=[validate_plain_text],
        help_text=gettext_lazy("Why, for the mentee."),
    )


class MeetingCancelSerializer(serializers.Serializer):
    message = serializers.CharField(
        max_length=2000,
        validators=[validate_plain_text],
        help_text=gettext_lazy("A message to the other person."),
    )


class MeetingFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FlashMeeting.Status.choices, required=False)
    program = IdField(required=False)
    starts_after = serializers.DateTimeField(required=False)
    starts_before = serializers.DateTimeField(required=False)


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
