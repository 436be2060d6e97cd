"""Every spreadsheet export of the project is written through here, so that text typed by
people (a survey answer, a meeting topic, a name) can never run as a formula in the
spreadsheet a program admin opens the file with (CSV or formula injection, OWASP).

The rules, following OWASP's CSV injection guidance:

- A *text* cell that a spreadsheet would read as a formula or a command gets a single
  quote ``'`` in front: one that starts with ``=``, ``+``, ``-``, ``@``, a tab, a
  carriage return, a line feed or a NUL, and one whose first visible character is one of
  ``= + - @`` after leading white space (spreadsheets skip it). The quote makes the cell
  plain text and shows what the person typed.
- Numbers our own code writes (``int``, ``float``, ``Decimal``, not ``bool``) stay
  numbers, so a negative count is still a number; everything else is text. An id or a
  count must therefore be passed as a number, never formatted into a string first.
- ``None`` is an empty cell. Dates and other objects are written as ``str(value)``.
- Each text cell is quoted and inner double quotes doubled (``csv.QUOTE_NONNUMERIC``),
  so separators, quotes and line breaks inside a value stay inside its cell: nobody can
  start a new cell (with a formula at its start) from inside a value.

The admin's exports (CSV and XLSX, export only) are built here too, for every app:

- ``SafeCSV`` and ``SafeXLSX`` are the only formats offered; each writes every cell,
  headers included, through ``spreadsheet_safe`` (the XLSX one also checks that no cell
  became a formula). A ``tablib.Dataset`` from anywhere (a resource, a report) is safe
  once it leaves through them.
- ``ExportResource`` is the base of each app's columns: a person by display name, a date
  in ISO 8601, a choice by its label, ``None`` as an empty cell (``cell_value``).
- ``SpreadsheetExportMixin`` gives a ``ModelAdmin`` the "Export" page and the "Export
  selected" action of django-import-export over exactly what its change list shows
  (search, filters, the admin's programs), for people with its view permission.
- ``dataset_download`` answers a report's "Download CSV / XLSX" links.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import tablib
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from import_export import resources
from import_export.admin import ExportActionMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm

from mentoring.models import User

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
_AFTER_WHITESPACE = ("=", "+", "-", "@")
CONTENT_TYPE = "text/csv; charset=utf-8"


def spreadsheet_safe(value: Any) -> Any:
    """The value as a cell no spreadsheet runs: numbers as they are, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(_AFTER_WHITESPACE):
        return "'" + text
    return text


class _SafeWriter:
    """A ``csv.writer`` whose every cell goes through ``spreadsheet_safe``."""

    def __init__(self, file: Any) -> None:
        self._writer = csv.writer(file, quoting=csv.QUOTE_NONNUMERIC)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def spreadsheet_writer(file: Any) -> _SafeWriter:
    return _SafeWriter(file)


# --- formats: the one way out ----------------------------------------------------------


def _dataset_rows(dataset: tablib.Dataset) -> Iterable[Sequence[Any]]:
    if dataset.headers:
        yield dataset.headers
    yield from dataset


BYTE_ORDER_MARK = "\ufeff"


class SafeCSV(base_formats.CSV):
    """CSV with every cell through ``spreadsheet_safe``, text quoted
    (``csv.QUOTE_NONNUMERIC``), numbers bare."""

    CONTENT_TYPE = "text/csv; charset=utf-8"

    def get_title(self) -> str:
        return "CSV"

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> str:
        # A byte order mark first: Excel reads a CSV file as UTF-8 only with it (else
        # every accented name comes out garbled); other readers take it as "utf-8-sig".
        buffer = io.StringIO()
        buffer.write(BYTE_ORDER_MARK)
        spreadsheet_writer(buffer).writerows(_dataset_rows(dataset))
        return buffer.getvalue()


class SafeXLSX(base_formats.XLSX):
    """An Excel workbook with every cell through ``spreadsheet_safe``: text cells (never a
    formula), numbers as numbers; a bold, frozen header row."""

    def get_title(self) -> str:
        return "XLSX"

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Font

        def cell(value: Any) -> Any:
            value = spreadsheet_safe(value)
            if isinstance(value, str):
                # Control characters an XLSX file cannot hold (NUL...): shown as "�".
                return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
            return value

        workbook = Workbook()
        sheet = workbook.active
        # A sheet's name may not hold \ * ? : / [ ] and has at most 31 characters.
        sheet.title = _SHEET_NAME_FORBIDDEN.sub("-", str(dataset.title or gettext("Export")))[:31]
        for row in _dataset_rows(dataset):
            sheet.append([cell(value) for value in row])
        if dataset.headers:
            for header in sheet[1]:
                header.font = Font(bold=True)
            sheet.freeze_panes = "A2"
        for row in sheet.iter_rows():
            for written in row:
                if written.data_type == "f":  # only text and numbers go in, never a formula
                    raise ValueError(f"formula cell {written.coordinate} in an export")
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()


_SHEET_NAME_FORBIDDEN = re.compile(r"[\\*?:/\[\]]")
EXPORT_FORMATS = (SafeCSV, SafeXLSX)
_FORMATS_BY_NAME = {"csv": SafeCSV, "xlsx": SafeXLSX}


def dataset_download(dataset: tablib.Dataset, *, file_format: str, filename: str) -> HttpResponse:
    """``dataset`` as a download in ``file_format`` ("csv" or "xlsx"), named
    ``<filename>.<extension>``."""
    fmt = _FORMATS_BY_NAME[file_format]()
    return HttpResponse(
        fmt.export_data(dataset),
        content_type=fmt.get_content_type(),
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt.get_extension()}"'},
    )


def download_format(request: HttpRequest) -> str | None:
    """The format a report's download link asks for (``?download=csv|xlsx``), or None."""
    value = request.GET.get("download", "")
    return value if value in _FORMATS_BY_NAME else None


# --- resources: what a cell says --------------------------------------------------------


def cell_value(value: Any) -> Any:
    """A value as people read it in a spreadsheet (before ``spreadsheet_safe``): a person
    by display name, a date and time in ISO 8601 (the site's time zone), yes/no, a
    length in days; numbers and text as they are; None stays None."""
    if (
        value is None
        or isinstance(value, str | int | float | Decimal)
        and not isinstance(value, bool)
    ):
        return value
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 86400, 1)
    if isinstance(value, User):
        return value.name
    return str(value)  # a lazy translation, another object


class ExportResource(resources.Resource):
    """The columns of one export: declare ``Field(attribute=..., column_name=_("..."))``
    (``attribute="get_status_display"`` for a choice's label, or a ``dehydrate_<name>``
    method); every value goes through ``cell_value``. ``select_related`` and
    ``prefetch_related`` keep an export of any size to a fixed number of queries."""

    title: Any = ""  # shown on the export page and as the XLSX sheet's name
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    @classmethod
    def get_display_name(cls) -> str:
        return str(cls.title) or cls.__name__

    def filter_export(self, queryset: QuerySet, **kwargs: Any) -> QuerySet:
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def export_field(self, field, instance, **kwargs: Any) -> Any:
        method = getattr(self, field.get_dehydrate_method(self.get_field_name(field)), None)
        value = method(instance) if callable(method) else field.get_value(instance)
        return cell_value(value)

    def export(self, queryset=None, **kwargs: Any) -> tablib.Dataset:
        dataset = super().export(queryset, **kwargs)
        dataset.title = self.get_display_name()
        return dataset


# --- the admin: export only -------------------------------------------------------------


class SpreadsheetExportMixin(ExportActionMixin):
    """Export (never import) in a ``ModelAdmin``: the "Export" page, its format choice
    (CSV or XLSX) and the "Export selected" action, over the rows the change list shows
    with the same search and filters (its ``get_queryset``, so the admin's programs
    only). Set ``resource_classes = [SomeExportResource]``. Put after
    ``ProgramScopedAdminMixin`` in the bases.

    django-import-export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` stays off: it
    only strips a leading "=" (not + - @, a tab, or a formula after white space) and
    turns numbers into text; ``SafeCSV``/``SafeXLSX`` apply ``spreadsheet_safe`` instead.
    """

    # The plain form (format, no field picker): the picker needs inline script, which
    # the Content-Security-Policy forbids.
    export_form_class = ExportForm
    export_template_name = "admin/import_export/export.html"
    show_change_form_export = False
    change_form_template = None  # keep Django's (or the admin's own) change form
    export_note: Any = ""  # a sentence under the columns on the export page

    def get_export_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {"export_note": self.export_note}

    def init_request_context_data(self, request: HttpRequest, form) -> dict[str, Any]:
        context = super().init_request_context_data(request, form)
        context["title"] = gettext("Export %(things)s") % {
            "things": self.model._meta.verbose_name_plural
        }
        return context

    def get_export_formats(self) -> list[type[base_formats.Format]]:
        return list(EXPORT_FORMATS)  # whatever the settings say: only the safe ones

    def has_export_permission(self, request: HttpRequest) -> bool:
        """Who may read the list may export it (the model's view permission)."""
        return self.has_view_permission(request)

    def get_valid_export_item_pks(self, request: HttpRequest):
        """Selected rows count only among those the admin sees."""
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_export_filename(self, request: HttpRequest, queryset, file_format) -> str:
        stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
        name = str(self.model._meta.verbose_name_plural).replace(" ", "-")
        return f"{name}-{stamp}.{file_format.get_extension()}"

    def export_action(self, request: HttpRequest) -> HttpResponse:
        if not self.has_export_permission(request):
            raise PermissionDenied
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            # As the change list answers such a query: back to it with ?e=1.
            messages.error(request, gettext("These filters are not valid: nothing was exported."))
            opts = self.model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            return HttpResponseRedirect(f"{url}?e=1")
