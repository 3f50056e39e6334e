"""The calendar periods a digest covers: a day, an ISO week (Monday-Sunday), a month, a quarter, a year."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from surveys.errors import ValidationError
from surveys.models.digests import DIGEST_PERIODS

NOUNS = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "annual": "year"}


@dataclass(frozen=True)
class Period:
    """One period of a kind: its first and last day (inclusive)."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        """How many days it has."""
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """As people name it: 'Monday 30 November 2026', 'week 2026-W48', 'November 2026', '2026 Q4', '2026'."""
        s = self.start
        if self.kind == "daily":
            return f"{s:%A} {s.day} {s:%B %Y}"
        if self.kind == "weekly":
            year, week, _ = s.isocalendar()
            return f"week {year}-W{week:02d} ({s.day} {s:%b} – {self.end.day} {self.end:%b %Y})"
        if self.kind == "monthly":
            return f"{s:%B %Y}"
        if self.kind == "quarterly":
            return f"{s.year} Q{(s.month - 1) // 3 + 1}"
        return str(s.year)

    @property
    def noun(self) -> str:
        """'day', 'week', 'month', 'quarter' or 'year'."""
        return NOUNS[self.kind]

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return containing(self.kind, self.start - dt.timedelta(days=1))

    def next(self) -> Period:
        """The period of the same kind just after this one."""
        return containing(self.kind, self.end + dt.timedelta(days=1))


def check_kind(kind: str) -> str:
    """The period kind, or a ValidationError naming the ones there are."""
    if kind not in DIGEST_PERIODS:
        raise ValidationError(f"'{str(kind)[:20]}' is not a digest period; choose one of {', '.join(DIGEST_PERIODS)}.")
    return kind


def containing(kind: str, day: dt.date) -> Period:
    """The period of `kind` that contains `day`."""
    check_kind(kind)
    if kind == "daily":
        return Period(kind, day, day)
    if kind == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == "monthly":
        start = day.replace(day=1)
    elif kind == "quarterly":
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    else:
        start = day.replace(month=1, day=1)
    months = {"monthly": 1, "quarterly": 3, "annual": 12}[kind]
    year, month = divmod(start.month - 1 + months, 12)
    return Period(kind, start, dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1))


def last_complete(kind: str, day: dt.date) -> Period:
    """The latest period of `kind` that ended before `day` (daily: yesterday; weekly: last Monday-Sunday)."""
    return containing(kind, day).previous()


def due_at(period: Period, hour: int) -> dt.datetime:
    """When a period's digest is due: `hour` (UTC) on the first day after it ends."""
    return dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(hour))
