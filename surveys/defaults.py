"""The default questions of every survey a program gets, as plain data: the Flash
Meeting Feedback, the mid-point check-in and the closing survey, each for the mentee and
for the mentor.

Used by the post_save receiver on Program, the data migration that covers programs that
already existed, and ``services.surveys_ensure_for_program``. ``ensure_default_surveys``
takes the model classes so that a migration can pass its historical models.
"""

from collections.abc import Iterator

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

# gettext_noop marks the strings for translation. A survey is created with them in the
# base language (settings.LANGUAGE_CODE) and, as its translations, in every other
# language of settings.LANGUAGES that the catalogue translates (programs edit both in
# admin afterwards).
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

# --- Ongoing mentoring: the mid-point check-in and the closing survey -------------------

CHECK_IN_KIND = "connection_check_in"
CHECK_IN_TITLE = gettext_noop("Mid-point check-in")
CLOSING_KIND = "connection_closing"
CLOSING_TITLE = gettext_noop("Closing survey")

HOW_OFTEN = [
    gettext_noop("Every week"),
    gettext_noop("Every two weeks"),
    gettext_noop("Once a month"),
    gettext_noop("Less often"),
    gettext_noop("We have not met yet"),
]
GOALS_REACHED = [
    gettext_noop("All of them"),
    gettext_noop("Some of them"),
    gettext_noop("None of them"),
    gettext_noop("We did not set goals"),
]
RECOMMEND = [gettext_noop("Yes"), gettext_noop("Maybe"), gettext_noop("No")]


def _check_in(rating_text: str) -> list:
    return [
        (rating_text, "rating", [], True, "always"),
        (gettext_noop("How often do you meet?"), "single_choice", HOW_OFTEN, False, "always"),
        (gettext_noop("What is going well?"), "long_text", [], False, "always"),
        (
            gettext_noop("What could go better, or how could the program team help?"),
            "long_text",
            [],
            False,
            "always",
        ),
    ]


def _closing(rating_text: str, changed_text: str) -> list:
    return [
        (rating_text, "rating", [], True, "always"),
        (
            gettext_noop("Did you reach the goals you set together?"),
            "single_choice",
            GOALS_REACHED,
            False,
            "always",
        ),
        (changed_text, "long_text", [], False, "always"),
        (
            gettext_noop("Would you recommend this program to a colleague?"),
            "single_choice",
            RECOMMEND,
            False,
            "always",
        ),
        (
            gettext_noop("Anything else you want the program team to know?"),
            "long_text",
            [],
            False,
            "always",
        ),
    ]


CHECK_IN_QUESTIONS_BY_ROLE = {
    "mentee": _check_in(gettext_noop("How is your mentoring going so far?")),
    "mentor": _check_in(gettext_noop("How is mentoring this person going so far?")),
}
CLOSING_QUESTIONS_BY_ROLE = {
    "mentee": _closing(
        gettext_noop("How useful was this mentoring for you, overall?"),
        gettext_noop("What changed for you thanks to this mentoring?"),
    ),
    "mentor": _closing(
        gettext_noop("How well did this mentoring go, overall?"),
        gettext_noop("What did you learn as a mentor?"),
    ),
}

# kind -> (title, questions by role)
DEFAULTS = {
    KIND: (SURVEY_TITLE, QUESTIONS_BY_ROLE),
    CHECK_IN_KIND: (CHECK_IN_TITLE, CHECK_IN_QUESTIONS_BY_ROLE),
    CLOSING_KIND: (CLOSING_TITLE, CLOSING_QUESTIONS_BY_ROLE),
}


def _other_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def _texts(values: dict[str, str | list[str]], language: str) -> dict[str, str]:
    """``values`` (a field's message, or a list of choices) in ``language``, as stored."""
    return {
        name: "\n".join(_in(language, line) for line in value)
        if isinstance(value, list)
        else _in(language, value)
        for name, value in values.items()
    }


def translated(values: dict[str, str | list[str]]) -> tuple[dict[str, str], dict]:
    """The stored base texts of ``values`` and their ``translations``: each other
    language whose catalogue translates them (a text the catalogue leaves in the base
    language is left out: it would only repeat the base)."""
    base = _texts(values, settings.LANGUAGE_CODE)
    translations = {}
    for language in _other_languages():
        texts = {
            name: text for name, text in _texts(values, language).items() if text != base[name]
        }
        if texts:
            translations[language] = texts
    return base, translations


def default_texts() -> Iterator[tuple[str, dict[str, str | list[str]]]]:
    """Every default text: ("survey", {"title": ...}) and ("question", {"text": ...,
    "choices": [...]}) (each question once, whatever the surveys sharing it)."""
    seen = set()
    for title, questions_by_role in DEFAULTS.values():
        yield "survey", {"title": title}
        for questions in questions_by_role.values():
            for text, _kind, choices, _required, _shown_when in questions:
                key = (text, tuple(choices))
                if key not in seen:
                    seen.add(key)
                    yield "question", {"text": text, "choices": list(choices)}


def ensure_default_surveys(
    *, program, survey_model, question_model, kinds: tuple[str, ...] = tuple(DEFAULTS)
) -> list:
    """Create the program's mentee and mentor surveys of each kind with the default
    questions if they do not exist yet; an existing survey (maybe edited by the program)
    is left alone. A migration passes the kinds it knows of."""
    surveys = []
    for kind in kinds:
        surveys.extend(
            _ensure_kind(
                program=program,
                kind=kind,
                survey_model=survey_model,
                question_model=question_model,
            )
        )
    return surveys


def _has_translations(model) -> bool:
    """A migration's historical model may predate the ``translations`` field."""
    return any(field.name == "translations" for field in model._meta.get_fields())


def _fields(model, values: dict[str, str | list[str]]) -> dict:
    base, translations = translated(values)
    return {**base, "translations": translations} if _has_translations(model) else base


def _ensure_kind(*, program, kind, survey_model, question_model) -> list:
    title, questions_by_role = DEFAULTS[kind]
    surveys = []
    for role, questions in questions_by_role.items():
        survey, created = survey_model.objects.get_or_create(
            program=program,
            kind=kind,
            role=role,
            defaults=_fields(survey_model, {"title": title}),
        )
        if created:
            question_model.objects.bulk_create(
                question_model(
                    survey=survey,
                    kind=kind,
                    required=required,
                    order=(index + 1) * 10,
                    shown_when=shown_when,
                    **_fields(question_model, {"text": text, "choices": list(choices)}),
                )
                for index, (text, kind, choices, required, shown_when) in enumerate(questions)
            )
        surveys.append(survey)
    return surveys
