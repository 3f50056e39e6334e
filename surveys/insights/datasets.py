"""Read side for reports: the rollups (summaries kept at write time) as tidy frames for `analysis`.

Nothing here reads `answers` or `responses`: every function reads the rollup tables, which hold
nothing finer than team x wave or touchpoint x day (customers also per team x month), and returns one row per team and wave (or per
team, wave and dimension, or metric).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from analysis.metrics import CX_METRICS, EX_DIMENSIONS
from surveys.errors import NotFound, ValidationError
from surveys.models import Program, RollupCustomerDay, RollupDimension, RollupResponses, Team, Wave
from surveys.models.rollups import RollupCustomerMonth
from surveys.rollups.aggregates import SUMS

CX_COLUMNS = ["wave", "team_id", "metric", "n", "top2", "prom", "det", "mean", "mean_sq", "top2_sq", "net_sq"]
CX_DTYPES = {"wave": "int64", "team_id": "int64", "metric": object, "n": "int64",
             **{name: "float64" for name in CX_COLUMNS[4:]}}


@dataclass(frozen=True)
class ExWave:
    """An employee wave and the period whose customer feedback is paired with it."""

    index: int
    wave_id: int
    label: str
    period_start: dt.date
    period_end: dt.date  # exclusive
    min_group_size: int


def employee_waves(session: Session, program_code: str) -> list[ExWave]:
    """Waves of an employee program in time order, each with its customer period.

    Wave t's customer period runs from its opening day to the next wave's opening day, so customer
    feedback is paired by date, whatever the customer programs' own waves are. The last wave's period
    ends where the program's next (draft) wave opens, or else one calendar step later: a month when
    waves open on the same day of the month (1 Oct -> 1 Nov, not 31 Oct), the same number of days
    otherwise.
    """
    program = session.scalar(select(Program).where(Program.code == program_code))
    if program is None:
        raise NotFound(f"No program with code '{program_code}'.")
    if program.audience != "employee":
        raise ValidationError(f"Program '{program_code}' is a customer program; pick an employee program.")
    every = list(session.scalars(select(Wave).where(Wave.program_id == program.id).order_by(Wave.opens_at)))
    waves = [w for w in every if w.status != "draft"]
    starts = [w.opens_at.date() for w in waves]
    out = []
    for i, w in enumerate(waves):
        if i + 1 < len(waves):
            end = starts[i + 1]
        else:
            later = [x.opens_at.date() for x in every if x.status == "draft" and x.opens_at.date() > starts[i]]
            end = later[0] if later else _next_step(starts[i - 1] if i else None, starts[i])
        out.append(ExWave(i, w.id, w.label, starts[i], end, w.min_group_size))
    return out


def _next_step(previous: dt.date | None, last: dt.date) -> dt.date:
    """The opening after `last`, stepping as from `previous` to `last` (a month when unknown)."""
    months = 1 if previous is None else (last.year - previous.year) * 12 + last.month - previous.month
    if previous is None or (previous.day == last.day and months > 0):
        year, month = divmod(last.month - 1 + months, 12)
        year += last.year
        day = min(last.day, calendar.monthrange(year, month + 1)[1])
        return dt.date(year, month + 1, day)
    return last + (last - previous)


def team_dimension_scores(session: Session, waves: list[ExWave]) -> pd.DataFrame:
    """Per team, wave and dimension: mean of respondents' % favourable, n, and the within-team sum of
    squares of respondent scores (for ICC). Columns: team_id, dimension, score, n, sumsq, wave."""
    r = RollupDimension
    rows = session.connection().execute(
        select(r.team_id, r.dimension, r.fav_sum / r.n_fav, r.n_fav, r.fav_sq, _wave_index(waves, r.wave_id))
        .where(r.wave_id.in_([w.wave_id for w in waves]), r.dimension.in_(EX_DIMENSIONS), r.n_fav > 0)
    ).all()
    return _frame(rows, {"team_id": "int64", "dimension": object, "score": "float64", "n": "int64",
                         "sumsq": "float64", "wave": "int64"})


def team_enps(session: Session, waves: list[ExWave]) -> pd.DataFrame:
    """Per team and wave: eNPS sums over respondents. Columns as CX_COLUMNS with metric "enps"."""
    r = RollupDimension
    rows = session.connection().execute(
        select(_wave_index(waves, r.wave_id), r.team_id, r.dimension, *[r.__table__.c[s] for s in SUMS])
        .where(r.wave_id.in_([w.wave_id for w in waves]), r.dimension == "enps", r.n > 0)
    ).all()
    return _frame(rows, CX_DTYPES)


def _wave_index(waves: list[ExWave], wave_id):
    """The wave's index in `waves`, computed in SQL (rows reach Python ready for a frame)."""
    return case({w.wave_id: literal(w.index) for w in waves}, value=wave_id, else_=literal(-1)) if waves \
        else literal(-1)


def _frame(rows, dtypes: dict) -> pd.DataFrame:
    """A frame built column by column from result rows (much faster than from row objects).

    The rows come from `session.connection().execute`: Core rows, without the ORM's per-row result
    processing, which cost more than the query itself on 30,000 rows."""
    columns = list(zip(*rows)) if rows else [()] * len(dtypes)
    return pd.DataFrame({name: np.array(col, dtype=dtype) for (name, dtype), col in zip(dtypes.items(), columns)})


def team_customer_outcomes(session: Session, waves: list[ExWave], *, by_month: bool = True) -> pd.DataFrame:
    """Customer outcomes per owning team and employee-wave period, from the customer rollups.

    Sums over respondents (each response counts once): n, top2 (share of the response's items in the top
    two points), prom and det (promoter and detractor shares), mean (the response's mean value), and the
    sums of squares mean_sq, top2_sq and net_sq (of prom - det) that the ICC of team means needs.

    Whole calendar months inside a period are read from the monthly rollup, the days of months cut by
    a period's edges from the daily one; `by_month=False` reads every day (the same sums, the slow way).
    """
    months, days = period_parts(waves) if by_month else ([], [(w.period_start, w.period_end, w.index)
                                                               for w in waves if w.period_start < w.period_end])
    parts = []
    if months:
        m = RollupCustomerMonth
        parts.append(_period_rows(m, case({month: literal(i) for month, i in months}, value=m.month),
                                  m.month.in_([month for month, _i in months])))
    if days:
        d = RollupCustomerDay
        ranges = [(and_(d.day >= start, d.day < end), literal(i)) for start, end, i in days]
        parts.append(_period_rows(d, case(*ranges, else_=literal(-1)), or_(*[cond for cond, _i in ranges])))
    if not parts:
        return _frame([], CX_DTYPES)
    u = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    rows = session.connection().execute(
        select(u.c.wave, u.c.team_id, u.c.metric, *[func.sum(u.c[s]) for s in SUMS])
        .group_by(u.c.wave, u.c.team_id, u.c.metric).order_by(u.c.wave, u.c.team_id, u.c.metric)
    ).all()
    return _frame(rows, CX_DTYPES)


def _period_rows(model, period, where):
    t = model.__table__.c
    return select(period.label("wave"), t.team_id, t.metric, *[t[s] for s in SUMS]).where(
        t.metric.in_(CX_METRICS), where)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def period_parts(waves: list[ExWave]) -> tuple[list[tuple[dt.date, int]], list[tuple[dt.date, dt.date, int]]]:
    """Split each wave's customer period into whole calendar months (first day, wave index) and the
    day ranges left at its edges ([start, end), wave index)."""
    months, days = [], []
    for w in waves:
        start, end = w.period_start, w.period_end
        first = start if start.day == 1 else _next_month(start)
        month = first
        while _next_month(month) <= end:
            months.append((month, w.index))
            month = _next_month(month)
        if month == first:  # no whole month inside
            if start < end:
                days.append((start, end, w.index))
            continue
        if start < first:
            days.append((start, first, w.index))
        if month < end:
            days.append((month, end, w.index))
    return months, days


def team_names(session: Session) -> dict[int, str]:
    """Team id -> name, for labelling report rows."""
    return dict(session.execute(select(Team.id, Team.name)).all())


def employee_programs(session: Session) -> list[Program]:
    """Employee programs, the one with the most responses first (the linkage report's default)."""
    counts = (select(Wave.program_id, func.sum(RollupResponses.n).label("n"))
              .join(RollupResponses, RollupResponses.wave_id == Wave.id).group_by(Wave.program_id).subquery())
    return list(session.scalars(
        select(Program).outerjoin(counts, counts.c.program_id == Program.id)
        .where(Program.audience == "employee")
        .order_by(func.coalesce(counts.c.n, 0).desc(), Program.name)))
