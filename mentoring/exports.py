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

``csv_response`` streams rows as a CSV download; ``spreadsheet_writer`` wraps any file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse

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


class _Echo:
    """A file-like object whose write returns the line, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[Iterable[Any]], *, filename: str) -> StreamingHttpResponse:
    """``rows`` streamed as a CSV download named ``filename``."""
    writer = spreadsheet_writer(_Echo())
    return StreamingHttpResponse(
        (writer.writerow(row) for row in rows),
        content_type=CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
