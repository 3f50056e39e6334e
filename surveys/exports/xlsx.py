"""A report as an XLSX workbook: a sheet of figures, a sheet of parameters and notes.

Every text is written as a string cell and every number as a number cell, explicitly (never through
XlsxWriter's guessing): a unit named `=HYPERLINK(...)` stays text and is never a formula, so the
workbook needs no quote-escaping, unlike CSV. Written in constant-memory mode, row by row.
"""
from __future__ import annotations

import io
import math
from typing import Any

import xlsxwriter

from surveys.insights.figures import Report

FIGURES_SHEET, PARAMETERS_SHEET = "Figures", "Parameters and notes"


def _write(sheet, row: int, col: int, value: Any, fmt=None) -> None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def to_xlsx(report: Report) -> bytes:
    """The report as XLSX bytes: the exact rows and columns of the CSV, plus parameters and notes."""
    out = io.BytesIO()
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}
    book = xlsxwriter.Workbook(out, options)
    bold = book.add_format({"bold": True})
    figures = book.add_worksheet(FIGURES_SHEET)
    columns = report.columns()
    for col, name in enumerate(columns):
        _write(figures, 0, col, name, bold)
    for r, values in enumerate(report.rows(), start=1):
        for col, value in enumerate(values):
            _write(figures, r, col, value)
    figures.freeze_panes(1, 0)
    figures.set_column(0, 1, 18)
    figures.set_column(2, len(columns) - 1, 12)
    meta = book.add_worksheet(PARAMETERS_SHEET)
    rows: list[tuple[Any, Any]] = [("report", report.name), ("title", report.title)]
    rows += [(key, value) for key, value in report.params.items()]
    rows += [("threshold", report.threshold), ("", "")]
    rows += [("note", note) for note in report.notes]
    _write(meta, 0, 0, "parameter", bold)
    _write(meta, 0, 1, "value", bold)
    for r, (key, value) in enumerate(rows, start=1):
        _write(meta, r, 0, key)
        _write(meta, r, 1, value if isinstance(value, (int, float, str, type(None))) else str(value))
    meta.set_column(0, 0, 14)
    meta.set_column(1, 1, 100)
    book.close()
    return out.getvalue()
