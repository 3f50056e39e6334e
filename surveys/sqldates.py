"""Date arithmetic in SQL that SQLite and PostgreSQL spell differently, as expressions used like func.*:
the first day of a date's month or ISO week, and whole days between two dates. Compiled per dialect, so a
query stays one statement on either database and its rows reach Python already grouped."""
from __future__ import annotations

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class month_start(FunctionElement):  # noqa: N801 - used like func.*
    """The first day of a date's calendar month, as a date."""

    type = Date()
    name = "month_start"
    inherit_cache = True


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


class week_start(FunctionElement):  # noqa: N801 - used like func.*
    """The Monday of a date's ISO week, as a date."""

    type = Date()
    name = "week_start"
    inherit_cache = True


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is that week's Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


class days_since(FunctionElement):  # noqa: N801 - used like func.*
    """Whole days from a date literal (the second argument) to a date column (the first)."""

    type = Integer()
    name = "days_since"
    inherit_cache = True


@compiles(days_since, "sqlite")
def _days_since_sqlite(element, compiler, **kw):
    day, first = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({day}) - julianday({first}) AS INTEGER)"


@compiles(days_since, "postgresql")
def _days_since_postgresql(element, compiler, **kw):
    day, first = (compiler.process(c, **kw) for c in element.clauses)
    return f"({day} - CAST({first} AS DATE))"
