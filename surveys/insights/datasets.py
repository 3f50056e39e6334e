"""Read side for reports: the rollups (summaries kept at write time) as tidy frames for `analysis`.

Nothing here reads `answers` or `responses`: every function reads the rollup tables, which hold
nothing finer than team x wave or touchpoint x day, and returns one row per team and wave (or per
team, wave and dimension, or metric).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from analysis.metrics import CX_METRICS, EX_DIMENSIONS
from surveys.errors import NotFound, ValidationError
from surveys.models import Program, RollupCustomerDay, RollupDimension, RollupResponses, Team, Wave
from surveys.rollups.aggregates import SUMS

CX_COLUMNS = ["wave", "team_id", "metric", "n", "top2", "prom", "det", "mean", "mean_sq", "top2_sq", "net_sq"]


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
    squares of respondent scores (for ICC). Columns: wave, team_id, dimension, score, n, sumsq."""
    index = {w.wave_id: w.index for w in waves}
    r = RollupDimension
    rows = session.execute(
        select(r.wave_id, r.team_id, r.dimension, r.fav_sum / r.n_fav, r.n_fav, r.fav_sq)
        .where(r.wave_id.in_(list(index)), r.dimension.in_(EX_DIMENSIONS), r.n_fav > 0)
    ).all()
    frame = pd.DataFrame(rows, columns=["wave_id", "team_id", "dimension", "score", "n", "sumsq"])
    frame["wave"] = frame["wave_id"].map(index)
    return frame.drop(columns="wave_id").astype({"score": float, "sumsq": float, "n": int})


def team_enps(session: Session, waves: list[ExWave]) -> pd.DataFrame:
    """Per team and wave: eNPS sums over respondents. Columns as CX_COLUMNS with metric "enps"."""
    index = {w.wave_id: w.index for w in waves}
    r = RollupDimension
    rows = session.execute(
        select(r.wave_id, r.team_id, r.dimension, *[r.__table__.c[s] for s in SUMS])
        .where(r.wave_id.in_(list(index)), r.dimension == "enps", r.n > 0)
    ).all()
    frame = pd.DataFrame(rows, columns=["wave_id", "team_id", *CX_COLUMNS[2:]])
    frame.insert(0, "wave", frame.pop("wave_id").map(index))
    return frame


def team_customer_outcomes(session: Session, waves: list[ExWave]) -> pd.DataFrame:
    """Customer outcomes per owning team and employee-wave period, from the daily touchpoint rollup.

    Sums over respondents (each response counts once): n, top2 (share of the response's items in the top
    two points), prom and det (promoter and detractor shares), mean (the response's mean value), and the
    sums of squares mean_sq, top2_sq and net_sq (of prom - det) that the ICC of team means needs.
    """
    if not waves:
        return pd.DataFrame(columns=CX_COLUMNS)
    r = RollupCustomerDay
    period = case(*[(and_(r.day >= w.period_start, r.day < w.period_end), literal(w.index)) for w in waves],
                  else_=literal(-1))
    rows = session.execute(
        select(period, r.team_id, r.metric, *[func.sum(r.__table__.c[s]) for s in SUMS])
        .where(r.metric.in_(CX_METRICS), r.day >= waves[0].period_start, r.day < waves[-1].period_end)
        .group_by(period, r.team_id, r.metric)
    ).all()
    return pd.DataFrame(rows, columns=CX_COLUMNS)


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
