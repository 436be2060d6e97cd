"""The follow-up of a flash meeting (``/api/v1/flash-meetings/{id}/follow-up/``): the
site's follow-up page (flash_meetings/views/follow_up.py) as JSON. GET is what the page
shows (the eligibility decision with its reason code and its one sentence, and the
choices with their values); POST is what its buttons do
(``flash_meetings.services.follow_up_answer``, with the same arguments as the page).

The meeting's mentee only, as on the page: anyone else 404. An API key is refused with
403 before any meeting is looked up (``participant_of``): the follow-up is the mentee's
own answer, and a key acts for the program's admins, who get 404 on the page too; the
403 says so without telling whether the meeting exists."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.access import participant_of
from api.base import ConditionalReadMixin, PersonSerializer
from flash_meetings import selectors, services
from flash_meetings.models import FlashMeeting
from flash_meetings.services.follow_up import default_request_message
from matching import eligibility
from matching.models import ConnectionRequest, FlashToOngoingPolicy
from mentoring import when
from mentoring.validators import validate_plain_text

Choice = FlashMeeting.FollowUpChoice

MEETING_ID = OpenApiParameter(
    "meeting_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The meeting's id."
)


class State:
    OPEN = "open"  # ended: the choices are offered
    TOO_EARLY = "too_early"  # scheduled, not over yet: come back after its end
    NOT_HELD = "not_held"  # cancelled, declined…: nothing to follow up
    ANSWERED = "answered"  # on the page: straight on to the survey

    choices = [
        (OPEN, "open"),
        (TOO_EARLY, "too_early"),
        (NOT_HELD, "not_held"),
        (ANSWERED, "answered"),
    ]


class FollowUpMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    topic = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)
    mentor = PersonSerializer(read_only=True)


class ChoiceSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=Choice.choices, read_only=True)
    label = serializers.CharField(read_only=True, help_text="The button's text on the page.")


class FollowUpSerializer(serializers.Serializer):
    meeting = FollowUpMeetingSerializer(read_only=True)
    state = serializers.ChoiceField(choices=State.choices, read_only=True)
    offered = serializers.BooleanField(
        read_only=True, help_text="Whether ongoing mentoring with the mentor is offered."
    )
    reason = serializers.ChoiceField(
        choices=eligibility.Reason.choices,
        read_only=True,
        allow_null=True,
        help_text="Why not (the eligibility reason code); null when offered.",
    )
    sentence = serializers.CharField(
        read_only=True,
        help_text="The one sentence the page shows (empty when there is none to show).",
    )
    policy = serializers.ChoiceField(
        choices=FlashToOngoingPolicy.choices,
        read_only=True,
        allow_null=True,
        help_text="What “yes” does when offered; send it back as `policy`.",
    )
    choices = ChoiceSerializer(many=True, read_only=True)
    default_message = serializers.CharField(
        read_only=True, help_text="The request's message the page prefills."
    )
    answer = serializers.ChoiceField(choices=Choice.choices, read_only=True, allow_null=True)
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next = serializers.CharField(
        read_only=True, allow_null=True, help_text="Once answered: the survey's address."
    )


class AnswerSerializer(serializers.Serializer):
    """The page's form: one of the three choices, the policy the page showed (a switch in
    between is refused, not silently applied) and the request's message."""

    choice = serializers.ChoiceField(choices=Choice.choices)
    policy = serializers.ChoiceField(
        choices=FlashToOngoingPolicy.choices, required=False, allow_blank=True
    )
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=ConnectionRequest.MESSAGE_MAX_LENGTH,
        validators=[validate_plain_text],
    )


class OutcomeSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Choice.choices, read_only=True)
    repeated = serializers.BooleanField(
        read_only=True, help_text="The same choice was already recorded: nothing changed."
    )
    connection = serializers.IntegerField(read_only=True, allow_null=True)
    connection_request = serializers.IntegerField(read_only=True, allow_null=True)
    next = serializers.CharField(read_only=True, help_text="The survey to answer next.")


def _survey_url(meeting: FlashMeeting) -> str:
    return reverse("surveys:meeting", args=[meeting.pk])


def _choices(decision: eligibility.OfferDecision, mentor_name: str) -> list[dict]:
    """The page's buttons, in its order: "yes" only when offered."""
    choices = []
    if decision.offered:
        label = (
            _("Yes, connect me with %(name)s")
            if decision.is_forced_connection
            else _("Yes, send %(name)s a request")
        )
        choices.append({"value": Choice.CONNECT, "label": label % {"name": mentor_name}})
    choices.append(
        {"value": Choice.NO_THANKS, "label": _("No thanks, go on to the feedback survey")}
    )
    choices.append({"value": Choice.DID_NOT_HAPPEN, "label": _("The meeting did not happen")})
    return choices


def follow_up_view(*, read: selectors.FollowUpRead, mentee) -> dict:
    """What the page shows, as data (the decision is the page's, made without a lock)."""
    now = timezone.now()
    meeting = read.meeting
    decision = eligibility.for_meeting(
        meeting=meeting, viewer=mentee, now=now, terms=read.mentor_terms
    )
    body = {
        "meeting": meeting,
        "offered": decision.offered,
        "reason": decision.reason.value if decision.reason else None,
        "policy": decision.policy if decision.offered else None,
        "sentence": "",
        "choices": [],
        "default_message": default_request_message(meeting),
        "answer": meeting.follow_up_choice or None,
        "answered_at": meeting.follow_up_answered_at,
        "next": None,
    }
    if meeting.follow_up_choice:
        body.update(state=State.ANSWERED, next=_survey_url(meeting))
    elif meeting.has_ended(now):
        body.update(
            state=State.OPEN,
            sentence=decision.mentee_message,
            choices=_choices(decision, meeting.mentor.name),
        )
    elif meeting.status in FlashMeeting.ENDED_STATUSES:
        body.update(
            state=State.TOO_EARLY,
            sentence=_(
                "This meeting hasn't ended yet. Come back after it ends, on %(end)s, to "
                "tell us how it went."
            )
            % {"end": when.moment(meeting.ends_at)},
        )
    else:
        body.update(
            state=State.NOT_HELD,
            sentence=_("This meeting is “%(status)s”, so there is nothing to follow up.")
            % {"status": meeting.status_label},
        )
    return body


class FollowUpView(ConditionalReadMixin, APIView):
    @extend_schema(
        summary="The follow-up of a meeting: the offer and the choices (its mentee)",
        parameters=[MEETING_ID],
        responses=FollowUpSerializer,
    )
    def get(self, request, meeting_id: int) -> Response:
        mentee = participant_of(request)
        read = selectors.meeting_for_follow_up(meeting_id=meeting_id, mentee=mentee)  # or 404
        return Response(FollowUpSerializer(follow_up_view(read=read, mentee=mentee)).data)

    @extend_schema(
        summary="Answer the follow-up of a meeting with one of its choices (its mentee)",
        parameters=[MEETING_ID],
        request=AnswerSerializer,
        responses=OutcomeSerializer,
    )
    def post(self, request, meeting_id: int) -> Response:
        mentee = participant_of(request)
        form = AnswerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            # As the page: the service reads (and locks) the meeting, this mentee's only.
            result = services.follow_up_answer(
                meeting=FlashMeeting(pk=meeting_id, mentee_id=mentee.pk),
                actor=mentee,
                choice=form.validated_data["choice"],
                message=form.validated_data.get("message", ""),
                expected_policy=form.validated_data.get("policy", ""),
            )
        except FlashMeeting.DoesNotExist as error:
            raise Http404 from error
        outcome = {
            "choice": result.choice,
            "repeated": result.repeated,
            "connection": result.connection.pk if result.connection else None,
            "connection_request": result.request.pk if result.request else None,
            "next": _survey_url(result.meeting),
        }
        return Response(OutcomeSerializer(outcome).data)
