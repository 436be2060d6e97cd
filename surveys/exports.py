"""The admin's survey-response export (CSV, XLSX): one row per response, one column per
question (``export_selectors.responses_export_rows``), written through
``mentoring.exports`` like every export."""

from __future__ import annotations

from types import SimpleNamespace

import tablib
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mentoring.exports import ExportResource, cell_value
from surveys import export_selectors
from surveys.models import SurveyResponse


class SurveyResponseExportResource(ExportResource):
    title = _("Survey responses")

    def get_user_visible_fields(self) -> list[SimpleNamespace]:
        """The fixed columns, for the export page (the questions' columns follow)."""
        return [SimpleNamespace(column_name=label) for label in export_selectors.RESPONSE_COLUMNS]

    def export(self, queryset: QuerySet[SurveyResponse] | None = None, **kwargs) -> tablib.Dataset:
        if queryset is None:
            queryset = SurveyResponse.objects.none()
        rows = export_selectors.responses_export_rows(responses=queryset)
        dataset = tablib.Dataset(headers=next(rows))
        dataset.title = self.get_display_name()
        for row in rows:
            dataset.append([cell_value(value) for value in row])
        return dataset
