"""The meetings endpoints' serializers (api/views/meetings.py): what a meeting looks
like, and what a caller sends (a request, the mentor's and mentee's answers, a
cancellation, the list's filters), checked as the site's forms check them
(flash_meetings.forms)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from api.base import IdField, PersonSerializer, ProgramRefSerializer
from flash_meetings import services
from flash_meetings.forms import LATEST_YEAR, TOO_LATE, VIDEO_URL_VALIDATORS
from flash_meetings.models import FlashMeeting, ProposedTime
from flash_meetings.timezones import localize_naive
from mentoring import dates
from mentoring.errors import DomainError
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
        try:
            services.check_time_choice(
                slot_chosen=bool(attrs.get("slot")), proposed_count=len(attrs["proposed_times"])
            )
        except DomainError as error:
            raise serializers.ValidationError(error.message) from error
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
