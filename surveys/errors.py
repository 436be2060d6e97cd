"""Refusals of the survey rules, each with a sentence a person can read."""

from django.utils.translation import gettext_lazy as _

from mentoring.errors import DomainError


class SurveyError(DomainError):
    status_code = 409


class NotARespondent(SurveyError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__(_("Only the two people it is about answer this survey."))


class NotAnswerableYet(SurveyError):
    def __init__(self) -> None:
        super().__init__(
            _("This survey opens once the meeting is over; please come back after it.")
        )


class ConnectionSurveyClosed(SurveyError):
    """A connection's check-in or closing survey that is not open; the message says why
    (surveys.connection_selectors.closed_message)."""


class AlreadyAnswered(SurveyError):
    def __init__(self) -> None:
        super().__init__(
            _("You have already answered this survey; your first answers were kept as they were.")
        )


class InvalidAnswers(SurveyError):
    status_code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or _(
                "Some answers do not belong to this survey; please answer the questions shown "
                "and send the survey again."
            )
        )
