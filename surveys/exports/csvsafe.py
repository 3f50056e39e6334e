"""The one CSV writer of every file Tandem hands out: cells that a spreadsheet would run are defused.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return can be taken for a formula by Excel,
LibreOffice or Google Sheets (CSV injection, e.g. a touchpoint named `=HYPERLINK(...)`). Following OWASP,
such a text cell is written with a single quote in front, which spreadsheets show as text and do not
run. Numbers stay numbers: an int or float value, or a text that is a plain number such as `-0.42`, is
written unchanged, because a plain number is never a formula.
"""
from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from typing import IO, Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TRIGGER_CHARS = "".join(TRIGGERS)
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def escape_cell(value: Any) -> Any:
    """The value to write: numbers and empty cells as they are, text starting with a trigger quoted."""
    # Fast paths for the two commonest cells of a large export (plain str and int); same rules as below.
    cls = type(value)
    if cls is str:
        if not value or value[0] not in TRIGGER_CHARS or PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    if cls is int:
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    if text.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(row: Iterable[Any]) -> list[Any]:
    # None, int and non-NaN float cells (most of a large report's) without a call: escape_cell's answers.
    return ["" if value is None else value if type(value) is int or (type(value) is float and value == value)
            else escape_cell(value) for value in row]


def write_rows(out: IO[str], header: Iterable[str] | None, rows: Iterable[Iterable[Any]], **fmt) -> int:
    """Write an optional header and the rows as CSV (csv.writer options in `fmt`); returns the row count."""
    writer = csv.writer(out, **fmt)
    if header is not None:
        writer.writerow(safe_row(header))
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count


class RowWriter:
    """A csv.writer that defuses every row it writes, for streams that write one row at a time."""

    def __init__(self, out: IO[str], **fmt):
        self._writer = csv.writer(out, **fmt)

    def write(self, row: Iterable[Any]) -> None:
        """Write one row, each cell through escape_cell."""
        self._writer.writerow([escape_cell(value) for value in row])

    def write_defused(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write rows whose cells the caller already passed through escape_cell or knows cannot start a formula
        (numbers, ISO days, fixed words): a large export defuses only its free text, once per distinct label."""
        self._writer.writerows(rows)


def csv_text(header: Iterable[str] | None, rows: Iterable[Iterable[Any]], **fmt) -> str:
    """The whole CSV as one string (for downloads)."""
    out = io.StringIO()
    write_rows(out, header, rows, **fmt)
    return out.getvalue()


def write_file(path: str, header: Iterable[str] | None, rows: Iterable[Iterable[Any]]) -> int:
    """Write a CSV file in UTF-8 (newline handling as the csv module requires); returns the row count."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        return write_rows(out, header, rows)
