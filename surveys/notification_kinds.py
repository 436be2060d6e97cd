"""Emails the surveys app sends (through the notifications outbox)."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from notifications import localized
from notifications.registry import NotificationKind, register

_SAMPLE = {
    "survey_title": "Flash Meeting Feedback",
    "meeting_topic": "Moving from support into engineering",
    # Dates are written in the recipient's language when rendered (notifications.localized).
    "meeting_date": localized.day(date(2026, 3, 3)),
    "other_person_name": "Amara Okafor",
    "respondent_role": "mentee",
    "survey_path": "/surveys/meetings/1/",
}

register(
    NotificationKind(
        name="survey_reminder",
        required_context=(
            "survey_title",
            "meeting_topic",
            "meeting_date",
            "other_person_name",
            "survey_path",
            "days_after",
        ),
        sample_context={**_SAMPLE, "days_after": 1},
        description=(
            "A mentee or mentor who has not answered the Flash Meeting Feedback survey is "
            "reminded one day and five days after the meeting."
        ),
        label=_("Reminders to answer a meeting's feedback survey"),
        optional=True,
    )
)

register(
    NotificationKind(
        name="survey_invitation_mentor",
        required_context=(
            "survey_title",
            "meeting_topic",
            "meeting_date",
            "other_person_name",
            "survey_path",
        ),
        sample_context={**_SAMPLE, "other_person_name": "Elif Demir", "respondent_role": "mentor"},
        description="A mentor is invited to the mentor's feedback survey once the meeting is over.",
        label=_("An invitation to a meeting's feedback survey (mentors)"),
        optional=True,
    )
)

# --- Ongoing mentoring: the mid-point check-in and the closing survey -------------------

_CONNECTION_CONTEXT = (
    "survey_kind",
    "survey_title",
    "other_person_name",
    "respondent_role",
    "started_on",
    "ends_on",
    "ended_early",
    "survey_path",
)
_CONNECTION_SAMPLE = {
    "survey_kind": "connection_check_in",
    "survey_title": "Mid-point check-in",
    "other_person_name": "Amara Okafor",
    "respondent_role": "mentee",
    "started_on": localized.day(date(2026, 9, 1)),
    "ends_on": localized.day(date(2027, 3, 1)),
    "ended_early": False,
    "survey_path": "/surveys/connections/1/check-in/",
}

register(
    NotificationKind(
        name="connection_survey_invitation",
        required_context=_CONNECTION_CONTEXT,
        sample_context=_CONNECTION_SAMPLE,
        description=(
            "Both people of a connection are invited to the mid-point check-in halfway "
            "through it, and to the closing survey when it ends (at its end date or early), "
            "when the program runs these surveys."
        ),
        label=_("Invitations to your mentoring's check-in and closing surveys"),
        optional=True,
    )
)

register(
    NotificationKind(
        name="connection_survey_reminder",
        required_context=(*_CONNECTION_CONTEXT, "days_after"),
        sample_context={**_CONNECTION_SAMPLE, "days_after": 1},
        description=(
            "Someone who has not answered their connection's check-in or closing survey is "
            "reminded one day and five days after it opened."
        ),
        label=_("Reminders to answer your mentoring's check-in and closing surveys"),
        optional=True,
    )
)
