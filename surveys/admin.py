"""Program admins edit the surveys (each text in every language: ``admin_translations``),
read the responses, a per-question summary and an export (CSV or XLSX,
``mentoring.exports``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextInputWidget
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentoring import languages
from mentoring.admin_scoping import (
    ProgramScopedAdminMixin,
    ProgramScopedInlineMixin,
    ScopedRelatedFieldListFilter,
)
from mentoring.exports import SpreadsheetExportMixin
from surveys import selectors
from surveys.admin_translations import label_languages, side_by_side, translations_form
from surveys.exports import SurveyResponseExportResource
from surveys.models import Answer, Question, Survey, SurveyResponse, Version
from surveys.selectors import MEETING_VERSIONS
from surveys.translations import base_language, other_languages


class QuestionInline(ProgramScopedInlineMixin, admin.StackedInline):
    model = Question
    program_path = "survey__program"
    extra = 0
    ordering = ("order", "pk")
    formfield_overrides = {
        # One choice per line: a small text area rather than a huge one (five lines: the
        # longest default list shows whole).
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 5, "cols": 30})},
        # A question reads whole (admin's usual text input cuts it off at 20 em).
        models.CharField: {"widget": AdminTextInputWidget(attrs={"class": "vLargeTextField"})},
    }

    def get_fieldsets(self, request: HttpRequest, obj: Survey | None = None):
        # Each text beside its translations, so a translator reads the base text.
        return [
            (
                None,
                {
                    "fields": (
                        side_by_side("text"),
                        ("kind", "required", "shown_when", "order"),
                        side_by_side("choices"),
                        side_by_side("help_text"),
                    )
                },
            )
        ]

    def get_formset(self, request: HttpRequest, obj: Survey | None = None, **kwargs: Any):
        kwargs["form"] = translations_form(self.form, Question)
        formset = super().get_formset(request, obj, **kwargs)
        label_languages(formset.form, Question)
        return formset


@admin.register(Survey)
class SurveyAdmin(ProgramScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "program",
        "kind",
        "role",
        "question_count",
        "response_count",
        "summary",
    )
    list_filter = ("program", "kind", "role")
    search_fields = ("title", "program__name")
    list_select_related = ("program",)
    inlines = [QuestionInline]
    fieldsets = (
        (None, {"fields": ("program", "kind", "role", "title", "intro")}),
        (
            _("Versions"),
            {
                "description": _(
                    "Flash Meeting Feedback: people whose meeting took place see the questions "
                    "shown when the meeting took place and those shown always; people whose "
                    "meeting did not take place see the questions for that case and those "
                    "shown always. The mid-point check-in and the closing survey of ongoing "
                    "mentoring show every question (switch them on or off in the program's "
                    "matching settings). Editing a question never changes answers already "
                    "given: each answer keeps the question's text as it was asked."
                ),
                "fields": (),
            },
        ),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Survey | None = None):
        (_none, main), *rest = super().get_fieldsets(request, obj)
        if not other_languages():
            return [(None, main), *rest]
        base_name = languages.supported().get(base_language(), "")
        fields = ("program", "kind", "role", side_by_side("title"), side_by_side("intro"))
        description = gettext(
            "People read the survey in their own language: give its title, introduction "
            "and questions in each language. A text left blank is shown in %(language)s. "
            "Answers are kept in %(language)s whatever the language they were given in "
            "(choices by their place in the list), so the summary counts them together."
        ) % {"language": base_name}
        return [(None, {**main, "fields": fields, "description": description}), *rest]

    def get_form(self, request: HttpRequest, obj: Survey | None = None, **kwargs: Any):
        kwargs["form"] = translations_form(self.form, Survey)
        form = super().get_form(request, obj, **kwargs)
        label_languages(form, Survey)
        return form

    def get_queryset(self, request: HttpRequest) -> QuerySet[Survey]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                question_total=Count("questions", distinct=True),
                response_total=Count("responses", distinct=True),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Survey | None = None):
        # Who answers a survey, and for which program, is fixed once it exists.
        return ("program", "kind", "role") if obj else ()

    @admin.display(description=_("questions"), ordering="question_total")
    def question_count(self, survey: Survey) -> int:
        return survey.question_total

    @admin.display(description=_("responses"), ordering="response_total")
    def response_count(self, survey: Survey) -> int:
        return survey.response_total

    @admin.display(description=_("summary"))
    def summary(self, survey: Survey) -> str:
        url = reverse("admin:surveys_survey_summary", args=[survey.pk])
        return format_html('<a href="{}">{}</a>', url, _("Summary"))

    def get_urls(self):
        return [
            path(
                "<int:survey_id>/summary/",
                self.admin_site.admin_view(self.summary_view),
                name="surveys_survey_summary",
            ),
            *super().get_urls(),
        ]

    def summary_view(self, request: HttpRequest, survey_id: int) -> HttpResponse:
        surveys = self.scoped(request, Survey.objects.select_related("program"))
        survey = get_object_or_404(surveys, pk=survey_id)  # another program's: 404
        if not self.has_view_permission(request, survey):
            raise PermissionDenied
        version = request.GET.get("version") or None
        if version not in (None, *Version.values):
            version = None
        summary = selectors.survey_summary(survey=survey, version=version)
        versions = [(None, _("All versions"))] + [
            (value, label) for value, label in Version.choices if value in MEETING_VERSIONS
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Summary of %(survey)s") % {"survey": survey},
            "survey": survey,
            "summary": summary,
            "versions": versions,
            "current_version": version,
            "responses_url": reverse("admin:surveys_surveyresponse_changelist")
            + f"?survey__id__exact={survey.pk}",
            "export_url": reverse("admin:surveys_surveyresponse_export")
            + f"?survey__id__exact={survey.pk}"
            + (f"&version__exact={version}" if version else ""),
        }
        return TemplateResponse(request, "surveys/admin/summary.html", context)


class AnswerInline(ProgramScopedInlineMixin, admin.TabularInline):
    model = Answer
    program_path = "response__survey__program"
    extra = 0
    can_delete = False
    fields = ("question_text", "question_kind", "display_value")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class SurveyListFilter(ScopedRelatedFieldListFilter):
    """The admin's programs' surveys, each named with its program in the one query (a
    survey's name includes its program's)."""

    def field_choices(self, field, request: HttpRequest, model_admin) -> list[tuple[int, str]]:
        surveys = model_admin.scoped(request, Survey.objects.select_related("program"))
        if ordering := self.field_admin_ordering(field, request, model_admin):
            surveys = surveys.order_by(*ordering)
        return [(survey.pk, str(survey)) for survey in surveys]


class AnsweredInFilter(admin.SimpleListFilter):
    """The language people answered in, named in its own words (the site's languages)."""

    title = _("language")
    parameter_name = "language"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(languages.supported().items())

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in languages.supported():
            return queryset.filter(language=self.value())
        return queryset


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ProgramScopedAdminMixin, SpreadsheetExportMixin, admin.ModelAdmin):
    program_path = "survey__program"
    list_display = (
        "submitted_at",
        "respondent",
        "survey",
        "program",
        "version",
        "answered_in",
        "about",
    )
    list_filter = (
        ("survey__program", admin.RelatedOnlyFieldListFilter),
        ("survey", SurveyListFilter),
        "version",
        AnsweredInFilter,
        "submitted_at",
    )
    date_hierarchy = "submitted_at"
    search_fields = (
        "respondent__username",
        "respondent__display_name",
        "respondent__email",
        "flash_meeting__topic",
    )
    list_select_related = (
        "survey__program",
        "respondent",
        "flash_meeting",
        "connection__mentor",
        "connection__mentee",
    )
    fields = (
        "survey",
        "flash_meeting",
        "connection",
        "respondent",
        "version",
        "answered_in",
        "submitted_at",
    )
    readonly_fields = fields
    inlines = [AnswerInline]
    resource_classes = [SurveyResponseExportResource]
    export_note = _("Then one column per question, with each answer as it was given.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # responses come from the people who answered, never from admin

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # answers are stored as submitted

    @admin.display(description=_("program"), ordering="survey__program__name")
    def program(self, response: SurveyResponse) -> str:
        return response.survey.program.name

    @admin.display(description=_("answered in"), ordering="language")
    def answered_in(self, response: SurveyResponse) -> str:
        """The language the person read the survey in (their answers are kept in the
        base language whatever it was)."""
        return languages.supported().get(response.language, response.language)

    @admin.display(description=_("about"))
    def about(self, response: SurveyResponse) -> str:
        """The meeting's topic, or the connection's two people."""
        if response.flash_meeting_id:
            return response.flash_meeting.topic
        connection = response.connection
        return gettext("%(mentor)s mentoring %(mentee)s") % {
            "mentor": connection.mentor.name,
            "mentee": connection.mentee.name,
        }
