"""Reads for the admin's survey-response export: the rows of the spreadsheet (one per
response, one column per question) that ``surveys.exports`` writes as CSV or XLSX
through ``mentoring.exports``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from mentoring import languages
from surveys.models import Answer, Question, SurveyResponse

# --- export (CSV, XLSX through mentoring.exports) --------------------------------------

# The columns before the answers, one per question after them.
RESPONSE_COLUMNS = (
    gettext_lazy("Response"),
    gettext_lazy("Program"),
    gettext_lazy("Survey"),
    gettext_lazy("Answered by"),
    gettext_lazy("Version"),
    gettext_lazy("Language"),
    gettext_lazy("Meeting"),
    gettext_lazy("Meeting topic"),
    gettext_lazy("Connection"),
    gettext_lazy("Respondent"),
    gettext_lazy("Respondent name"),
    gettext_lazy("Submitted at"),
)


def responses_for_export(*, responses: QuerySet[SurveyResponse]) -> QuerySet[SurveyResponse]:
    return responses.select_related(
        "survey__program", "flash_meeting", "respondent"
    ).prefetch_related("answers")


def responses_export_rows(*, responses: QuerySet[SurveyResponse]) -> Iterator[list[Any]]:
    """A header, then one row per response with every answer in its own column (ids
    and ratings as numbers, the time as a datetime, a missing value as None). Answers
    are in the base language whatever the language they were given in (the "Language"
    column), so each question has one column.

    Columns follow the questions (by survey, then question order); answers whose question
    was deleted keep a column under the question's text as it was asked.
    """
    responses = list(responses_for_export(responses=responses))
    surveys = {response.survey_id: response.survey for response in responses}
    several_surveys = len(surveys) > 1
    question_order = {
        (question.survey_id, question.pk): (question.order, question.pk)
        for question in Question.objects.filter(survey_id__in=surveys)
    }

    columns: dict[tuple, str] = {}
    position: dict[tuple, tuple] = {}
    for response in responses:
        for answer in response.answers.all():
            key = _column_key(response, answer)
            if key not in columns:
                label = answer.question_text
                if several_surveys:
                    survey = surveys[response.survey_id]
                    label = f"{survey.get_role_display()}: {label}"
                columns[key] = label
                order = question_order.get((response.survey_id, answer.question_id), (10**6, 0))
                position[key] = (response.survey_id, *order, answer.question_text)
    keys = sorted(columns, key=lambda key: position[key])

    yield [*(str(label) for label in RESPONSE_COLUMNS), *(columns[key] for key in keys)]
    for response in responses:
        values = {_column_key(response, answer): answer for answer in response.answers.all()}
        yield [
            response.pk,
            response.survey.program.name,
            response.survey.title,
            response.survey.get_role_display(),
            response.get_version_display(),
            languages.supported().get(response.language, response.language),
            response.flash_meeting_id,
            response.flash_meeting.topic if response.flash_meeting_id else None,
            response.connection_id,
            response.respondent.username,
            response.respondent.name,
            response.submitted_at,
            *(_answer_value(values.get(key)) for key in keys),
        ]


def _answer_value(answer: Answer | None) -> Any:
    if answer is None:
        return None
    if answer.question_kind == Question.Kind.RATING:
        return answer.rating  # a number in the spreadsheet
    return answer.display_value


def _column_key(response: SurveyResponse, answer: Answer) -> tuple:
    if answer.question_id is not None:
        return (response.survey_id, "q", answer.question_id)
    return (response.survey_id, "text", answer.question_text)
