"""The default Flash Meeting Feedback questions, as plain data.

Used by the post_save receiver on Program, the data migration that covers programs that
already existed, and ``services.surveys_ensure_for_program``. ``ensure_default_surveys``
takes the model classes so that a migration can pass its historical models.
"""

from django.utils.translation import gettext, gettext_noop

# gettext_noop marks the strings for translation; they are stored translated into the
# language active when the survey is created (programs edit them in admin afterwards).
SURVEY_TITLE = gettext_noop("Flash Meeting Feedback")

REASONS = [
    gettext_noop("The other person did not attend"),
    gettext_noop("It was never scheduled"),
    gettext_noop("It was postponed"),
    gettext_noop("Other"),
]

HELPED_WITH = [
    gettext_noop("Career direction"),
    gettext_noop("A technical question"),
    gettext_noop("Confidence"),
    gettext_noop("Contacts and introductions"),
    gettext_noop("Something else"),
]

# (text, kind, choices, required, shown_when)
MENTEE_QUESTIONS = [
    (gettext_noop("How useful was this meeting?"), "rating", [], True, "completed"),
    (gettext_noop("What did you talk about?"), "long_text", [], False, "completed"),
    (
        gettext_noop("What did the meeting help you with?"),
        "multiple_choice",
        HELPED_WITH,
        False,
        "completed",
    ),
    (
        gettext_noop("Why did the meeting not take place?"),
        "single_choice",
        REASONS,
        True,
        "cancelled",
    ),
    (gettext_noop("What happened, in a few words?"), "short_text", [], False, "cancelled"),
    (
        gettext_noop("Anything else you want the program team to know?"),
        "long_text",
        [],
        False,
        "always",
    ),
]

MENTOR_QUESTIONS = [
    (gettext_noop("How useful was this meeting?"), "rating", [], True, "completed"),
    (gettext_noop("What did you talk about?"), "long_text", [], False, "completed"),
    (
        gettext_noop("Why did the meeting not take place?"),
        "single_choice",
        REASONS,
        True,
        "cancelled",
    ),
    (gettext_noop("What happened, in a few words?"), "short_text", [], False, "cancelled"),
    (
        gettext_noop("Anything else you want the program team to know?"),
        "long_text",
        [],
        False,
        "always",
    ),
]

QUESTIONS_BY_ROLE = {"mentee": MENTEE_QUESTIONS, "mentor": MENTOR_QUESTIONS}
KIND = "flash_meeting_feedback"


def ensure_default_surveys(*, program, survey_model, question_model) -> list:
    """Create the program's mentee and mentor surveys with the default questions if they
    do not exist yet; an existing survey (maybe edited by the program) is left alone."""
    surveys = []
    for role, questions in QUESTIONS_BY_ROLE.items():
        survey, created = survey_model.objects.get_or_create(
            program=program,
            kind=KIND,
            role=role,
            defaults={"title": gettext(SURVEY_TITLE)},
        )
        if created:
            question_model.objects.bulk_create(
                question_model(
                    survey=survey,
                    text=gettext(text),
                    kind=kind,
                    choices="\n".join(gettext(choice) for choice in choices),
                    required=required,
                    order=(index + 1) * 10,
                    shown_when=shown_when,
                )
                for index, (text, kind, choices, required, shown_when) in enumerate(questions)
            )
        surveys.append(survey)
    return surveys
