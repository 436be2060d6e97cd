"""A program's surveys, one per kind and role: the Flash Meeting Feedback (about one
flash meeting), and the mid-point check-in and the closing survey (about one ongoing
connection).

A feedback survey has questions shown when the meeting was completed, when it was
cancelled (did not happen), or always; the *version* a person answers follows the
meeting's outcome. A connection's surveys have one version, every question shown. An
answer keeps the question's text (and the choices as labels) as they were when it was
submitted, so editing a survey later never changes what people said.

Languages: a survey's title and introduction, and each question's text, hint and choices,
are written in the base language (``settings.LANGUAGE_CODE``) in their own columns, and
in any other language of ``settings.LANGUAGES`` in ``translations`` (``{"es": {"text":
...}}``), so a new language needs no schema change. A blank translation falls back to the
base text. Translated choices match the base choices by position: a person picks the
choice at the same place, and their answer is stored with the base label (canonical), so
answers given in every language count together.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mentoring import languages
from mentoring.models import Program
from mentoring.validators import validate_language, validate_plain_text, validate_single_line
from surveys.translations import Translated, base_language, choice_lines

SHORT_TEXT_MAX_LENGTH = 200
LONG_TEXT_MAX_LENGTH = 2000
RATING_MIN = 1
RATING_MAX = 5


class Version(models.TextChoices):
    """Which version of a survey someone answered: it follows the meeting's outcome."""

    COMPLETED = "completed", _("Meeting took place")
    CANCELLED = "cancelled", _("Meeting did not take place")
    CONNECTION = "connection", _("Ongoing mentoring")


class Survey(Translated):
    TRANSLATED_FIELDS = ("title", "intro")

    class Kind(models.TextChoices):
        FLASH_MEETING_FEEDBACK = "flash_meeting_feedback", _("Flash Meeting Feedback")
        CONNECTION_CHECK_IN = "connection_check_in", _("Mid-point check-in")
        CONNECTION_CLOSING = "connection_closing", _("Closing survey")

    CONNECTION_KINDS = (Kind.CONNECTION_CHECK_IN, Kind.CONNECTION_CLOSING)

    class Role(models.TextChoices):
        MENTEE = "mentee", _("Mentee")
        MENTOR = "mentor", _("Mentor")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("program")
    )
    kind = models.CharField(
        _("kind"), max_length=32, choices=Kind.choices, default=Kind.FLASH_MEETING_FEEDBACK
    )
    role = models.CharField(
        _("answered by"),
        max_length=16,
        choices=Role.choices,
        help_text=_("The mentee or the mentor answers this survey."),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        default="Flash Meeting Feedback",
        validators=[validate_single_line],
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown above the questions."),
        validators=[validate_plain_text],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["program__name", "kind", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "role"], name="survey_one_per_program_kind_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_role_display()}) · {self.program}"

    @property
    def is_about_connection(self) -> bool:
        return self.kind in self.CONNECTION_KINDS

    def title_in(self, language: str | None) -> str:
        return self.in_language("title", language)

    def intro_in(self, language: str | None) -> str:
        return self.in_language("intro", language)

    def title_for(self, version: str, language: str | None = None) -> str:
        """The heading of one version (in ``language``): the version for a meeting that
        did not happen says so, in the words the person chose on the follow-up page."""
        title = self.title_in(language)
        if version == Version.CANCELLED:
            return gettext("%(title)s — the meeting did not take place") % {"title": title}
        return title


class Question(Translated):
    TRANSLATED_FIELDS = ("text", "help_text", "choices")

    class Kind(models.TextChoices):
        RATING = "rating", _("Rating from 1 to 5")
        SINGLE_CHOICE = "single_choice", _("One choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")

    class ShownWhen(models.TextChoices):
        COMPLETED = "completed", _("Meeting took place")
        CANCELLED = "cancelled", _("Meeting did not take place")
        ALWAYS = "always", _("Always")

    CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)
    TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    text = models.CharField(_("question"), max_length=500, validators=[validate_single_line])
    help_text = models.CharField(
        _("hint"), max_length=300, blank=True, validators=[validate_single_line]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    choices = models.TextField(
        _("choices"),
        blank=True,
        help_text=_("One choice per line; only for the choice kinds."),
        validators=[validate_plain_text],
    )
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    shown_when = models.CharField(
        _("shown when"), max_length=16, choices=ShownWhen.choices, default=ShownWhen.ALWAYS
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def choice_list(self) -> list[str]:
        return choice_lines(self.choices)

    def text_in(self, language: str | None) -> str:
        return self.in_language("text", language)

    def help_text_in(self, language: str | None) -> str:
        return self.in_language("help_text", language)

    def choice_list_in(self, language: str | None) -> list[str]:
        """The choices in ``language``, in the base choices' order; the base choices
        when that translation is blank (or no longer matches them line for line)."""
        return [shown for _base, shown in self.choice_pairs_in(language)]

    def choice_pairs_in(self, language: str | None) -> list[tuple[str, str]]:
        """``(base label, label in language)`` of each choice, matched by position: the
        base label is what an answer stores."""
        base = self.choice_list
        translated = choice_lines(self.in_language("choices", language))
        if len(translated) != len(base):
            translated = base
        return list(zip(base, translated, strict=True))

    def base_choice(self, label: str, language: str | None) -> str:
        """The base label of a choice given as shown in ``language`` (matched by its
        place in the list); a base label, or an unknown one, as it is."""
        pairs = self.choice_pairs_in(language)
        if label in (base for base, _shown in pairs):
            return label
        return next((base for base, shown in pairs if shown == label), label)

    def translation_errors(
        self, *, language: str, values: Mapping[str, str], compare_choices: bool = True
    ) -> dict[str, list[ValidationError]]:
        """The base fields' rules, and for the choices: only the choice kinds have them,
        as many lines as the base choices (matched by position), each once."""
        errors = super().translation_errors(language=language, values=values)
        translated = choice_lines(values.get("choices") or "")
        if not translated or not compare_choices:
            return errors
        problem = None
        if self.kind not in self.CHOICE_KINDS:
            problem = ValidationError(
                _("Only one-choice and several-choice questions have choices."),
                code="choices_not_allowed",
            )
        elif len(translated) != len(self.choice_list):
            count = len(self.choice_list)
            problem = ValidationError(
                ngettext(
                    "Give %(count)d choice, one per line, in the same order as in "
                    "%(language)s: choices are matched by their place in the list.",
                    "Give %(count)d choices, one per line, in the same order as in "
                    "%(language)s: choices are matched by their place in the list.",
                    count,
                )
                % {"count": count, "language": languages.supported().get(base_language(), "")},
                code="choice_count",
            )
        elif len(set(translated)) != len(translated):
            problem = ValidationError(
                _("Each choice may appear only once."), code="choice_duplicate"
            )
        if problem is not None:
            errors.setdefault("choices", []).append(problem)
        return errors

    def clean(self) -> None:
        super().clean()
        choices = self.choice_list
        if self.kind in self.CHOICE_KINDS:
            if len(choices) < 2:
                raise ValidationError({"choices": _("Give at least two choices, one per line.")})
            if len(set(choices)) != len(choices):
                raise ValidationError({"choices": _("Each choice may appear only once.")})
        elif choices:
            raise ValidationError(
                {"choices": _("Only one-choice and several-choice questions have choices.")}
            )
        survey = self.survey if self.survey_id else None
        if survey and survey.is_about_connection and self.shown_when != self.ShownWhen.ALWAYS:
            raise ValidationError(
                {
                    "shown_when": _(
                        "This survey is about ongoing mentoring, not a meeting: its questions "
                        "are always shown."
                    )
                }
            )


class SurveyResponse(models.Model):
    """One person's answers to one survey about one meeting or one connection: at most
    one, ever."""

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    flash_meeting = models.ForeignKey(
        "flash_meetings.FlashMeeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("flash meeting"),
    )
    connection = models.ForeignKey(
        "matching.Connection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("connection"),
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="survey_responses",
        verbose_name=_("respondent"),
    )
    version = models.CharField(_("version"), max_length=16, choices=Version.choices)
    # The language the person answered in (their page's); the answers themselves are
    # stored in the base language whatever it was. Set by the service, never edited.
    language = models.CharField(
        _("language"),
        max_length=16,
        default=base_language,
        editable=False,
        validators=[validate_language],
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "flash_meeting", "respondent"],
                name="survey_response_one_per_meeting_and_respondent",
            ),
            models.UniqueConstraint(
                fields=["survey", "connection", "respondent"],
                name="survey_response_one_per_connection_and_respondent",
            ),
            # About a meeting or about a connection, never both or neither.
            models.CheckConstraint(
                condition=Q(flash_meeting__isnull=False, connection__isnull=True)
                | Q(flash_meeting__isnull=True, connection__isnull=False),
                name="survey_response_about_one_thing",
            ),
        ]

    def __str__(self) -> str:
        about = self.flash_meeting_id or self.connection_id
        return f"{self.survey.title} · {self.respondent} · {about}"


class Answer(models.Model):
    """One answer, stored as submitted: the question's text and kind as they were then."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("question"),
    )
    question_text = models.CharField(_("question as asked"), max_length=500)
    question_kind = models.CharField(_("kind"), max_length=20, choices=Question.Kind.choices)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    selected = models.JSONField(_("selected choices"), default=list, blank=True)
    text = models.TextField(_("text"), blank=True, validators=[validate_plain_text])

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="answer_rating_in_range",
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(question__isnull=False),
                name="answer_one_per_question",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_text}: {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.question_kind == Question.Kind.RATING:
            return "" if self.rating is None else str(self.rating)
        if self.question_kind in Question.CHOICE_KINDS:
            return "; ".join(self.selected or [])
        return self.text
