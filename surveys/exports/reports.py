"""A report's figures as CSV and JSON text: exactly the rows `Report.rows()` gives, cells escaped."""
from __future__ import annotations

import json

from surveys.exports import csvsafe
from surveys.insights.figures import Report


def to_csv(report: Report) -> str:
    """The report's figures as CSV (formula-like cells escaped)."""
    return csvsafe.csv_text(report.columns(), report.rows())


def to_json(report: Report) -> str:
    """The report as JSON text (NaN never appears: missing numbers are null)."""
    return json.dumps(report.as_json(), indent=2, default=str, allow_nan=False)
