"""Cells of the business-outcome file: periods (month, quarter, year, explicit range), metric slugs, values."""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass

from surveys.ingestion import cells

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
YEAR = re.compile(r"^(\d{4})$")
RANGE_SEPARATOR = ".."
SLUG = re.compile(r"^[a-z0-9][a-z0-9_]{0,49}$")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d{1,2}")
WHOLE = re.compile(r"\d+")
PERIOD_HINT = "write 2026-03 (a month), 2026-Q1 (a quarter), 2026 (a year) or 2026-03-01..2026-03-31 (days)"


@dataclass(frozen=True)
class Period:
    """A period of an outcome figure: first and last day (both included) and the label as written."""

    start: dt.date
    end: dt.date
    label: str


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def range_label(start: dt.date, end: dt.date) -> str:
    """An explicit range as an ISO 8601 interval short enough to store (20 characters): 2026-03-01/03-31, or
    20251215/20260114 across a year's end."""
    if start.year == end.year:
        return f"{start.isoformat()}/{end:%m-%d}"
    return f"{start:%Y%m%d}/{end:%Y%m%d}"


def period(raw: str, today: dt.date) -> Period:
    """A period that is over by `today`; CellError naming what is wrong otherwise."""
    text = raw.strip()
    if not text:
        raise cells.CellError(f"The period is blank; {PERIOD_HINT}.")
    if m := MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise cells.CellError(f"'{text}' is not a month (months run 01 to 12); {PERIOD_HINT}.")
        found = Period(dt.date(year, month, 1), _month_end(year, month), text)
    elif m := QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        found = Period(dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter), f"{year}-Q{quarter}")
    elif m := YEAR.match(text):
        found = Period(dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31), text)
    elif RANGE_SEPARATOR in text:
        first, _, last = (p.strip() for p in text.partition(RANGE_SEPARATOR))
        start, end = cells.iso_date(first), cells.iso_date(last)
        if end < start:
            raise cells.CellError(f"The period '{text}' ends before it starts.")
        found = Period(start, end, range_label(start, end))
    else:
        raise cells.CellError(f"'{text[:40]}' is not a period; {PERIOD_HINT}.")
    if found.start.year < 1900:
        raise cells.CellError(f"The period '{text}' is too far in the past.")
    if found.end > today:
        raise cells.CellError(f"The period {found.label} ends on {found.end.isoformat()}, after today "
                              f"({today.isoformat()}); only periods that are over can be imported.")
    return found


def slug(raw: str) -> str:
    """A metric slug such as churn_rate: lower-case letters, digits and underscores, up to 50."""
    text = raw.strip().lower()
    if not text:
        raise cells.CellError("The metric is blank; give a name such as churn_rate, retention, revenue or complaints.")
    if not SLUG.match(text):
        raise cells.CellError(f"'{raw[:60]}' is not a metric name: use lower-case letters, digits and underscores "
                              "(up to 50), starting with a letter or digit, e.g. churn_rate.")
    return text


def number(raw: str, what: str = "value") -> float:
    """A finite number: 3.2, -1, .5, or 3,2 as a comma-decimal spreadsheet writes it (no 1,000, nan, 1e3)."""
    text = raw.strip()
    if not text:
        raise cells.CellError(f"The {what} is blank; give a number such as 3.2.")
    if DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    value = float(text) if NUMBER.fullmatch(text) else None
    if value is None or not math.isfinite(value):
        raise cells.CellError(f"'{raw[:50]}' is not a number; write the {what} as e.g. 3.2 or 1250 (no thousands "
                              "separators or units).")
    return value


def count(raw: str) -> int | None:
    """The optional n: blank, or a whole number of customers or accounts, 0 or more."""
    text = raw.strip()
    if not text:
        return None
    if text.startswith("-") and WHOLE.fullmatch(text[1:]):
        raise cells.CellError(f"n is {text}; it counts customers or accounts, so it cannot be negative.")
    if not WHOLE.fullmatch(text) or len(text) > 12:
        raise cells.CellError(f"'{raw[:30]}' is not a whole number; n is the number of customers or accounts "
                              "behind the figure (or blank).")
    return int(text)


def direction(raw: str) -> bool | None:
    """Optional direction: higher (True) or lower (False) is better; blank is None."""
    text = raw.strip().lower()
    if not text:
        return None
    if text in ("higher", "up", "higher_is_better"):
        return True
    if text in ("lower", "down", "lower_is_better"):
        return False
    raise cells.CellError(f"'{raw[:30]}' is not a direction; use higher (higher is better) or lower.")
