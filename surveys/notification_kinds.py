"""Emails the surveys app sends (through the notifications outbox)."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import NotificationKind, register

_SAMPLE = {
    "survey_title": "Flash Meeting Feedback",
    "meeting_topic": "Moving from support into engineering",
    "meeting_date": "March 3, 2026",
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
