"""The "Outcomes by origin" report as a table for its CSV and XLSX downloads (through
``mentoring.exports``): the page's rows and figures, rounded as the page shows them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import tablib
from django.utils.translation import gettext

from ongoing.outcomes import OutcomesReport


def _rounded(value: float | None, places: int) -> Decimal | None:
    """As the page's ``floatformat`` shows it (half up); None stays empty."""
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def outcomes_report_dataset(report: OutcomesReport) -> tablib.Dataset:
    dataset = tablib.Dataset(
        headers=[
            gettext("Program"),
            gettext("Began with"),
            gettext("Code"),
            gettext("Connections made"),
            gettext("Still active"),
            gettext("Reached their end"),
            gettext("Ended early"),
            gettext("Average length of ended connections (days)"),
            gettext("Goals achieved"),
            gettext("Goals achieved per connection"),
            gettext("Average check-in rating"),
            gettext("Check-in ratings"),
            gettext("Average closing rating"),
            gettext("Closing ratings"),
        ]
    )
    dataset.title = gettext("Outcomes by origin")
    for row in report.table_rows:
        dataset.append(
            [
                report.program.name,
                row.label,
                row.origin,
                row.connections,
                row.active,
                row.completed,
                row.ended_early,
                _rounded(row.average_length_days, 1),
                row.goals_achieved,
                _rounded(row.goals_achieved_per_connection, 2),
                _rounded(row.check_in.average, 1),
                row.check_in.count,
                _rounded(row.closing.average, 1),
                row.closing.count,
            ]
        )
    return dataset
