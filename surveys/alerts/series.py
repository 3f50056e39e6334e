"""Daily customer series as numpy arrays, summed in SQL from the rollups (never from the answers).

One GROUP BY over rollup_customer_days (sources and channels summed) gives, per active touchpoint, metric
and day, the respondent sums the reports use (`reports.common.customer_sums`): CSAT the top-two share,
NPS promoters minus detractors with the sum of squares of the net, CES the mean answer. Another over
rollup_theme_days gives each theme's daily mentions per touchpoint.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Date, Float, Select, case, cast, func, literal, select
from sqlalchemy.orm import Session

from analysis.metrics import CX_METRICS
from surveys.models import Touchpoint
from surveys.models.rollups import RollupCustomerDay
from surveys.models.themes import ALL_COMMENTS, RollupThemeDay
from surveys.sqldates import days_since

# metric -> (Sums kind, scale, s1 column(s), s2 column); NPS's s1 is prom - det.
METRIC_KIND = {"csat": ("share", 100.0), "nps": ("net", 100.0), "ces": ("mean", 1.0)}


@dataclass(frozen=True)
class CustomerArrays:
    """Per metric, daily (n, s1, s2) arrays of shape (touchpoints, days) from `first` on."""

    first: dt.date
    days: int
    touchpoint_ids: np.ndarray
    data: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(repr=False)


@dataclass(frozen=True)
class ThemeArrays:
    """Daily theme mentions of shape (pairs, days); `pairs` lists (touchpoint id, theme id)."""

    first: dt.date
    days: int
    pairs: list[tuple[int, int]]
    counts: np.ndarray = field(repr=False)
    negative: np.ndarray = field(repr=False)


def active_touchpoints(session: Session) -> dict[int, tuple[str, int]]:
    """{touchpoint id: (code, owning team id)} of the active touchpoints."""
    rows = session.execute(select(Touchpoint.id, Touchpoint.code, Touchpoint.team_id)
                           .where(Touchpoint.active.is_(True)).order_by(Touchpoint.id))
    return {tid: (code, team) for tid, code, team in rows}


def _offsets(days, first: dt.date) -> np.ndarray:
    return (np.array(days, dtype="datetime64[D]") - np.datetime64(first, "D")).astype(int)  # dates or ISO text


# metric -> its (first, second) sum columns of the rollup; NPS's first is promoters, detractors come apart.
_SUM_COLUMNS = {"csat": ("top2", "top2"), "nps": ("prom", "net_sq")}


def _sums_statement(first: dt.date, last: dt.date, metrics) -> Select:
    """Per day, touchpoint and team: (day offset, touchpoint, then n, s1, s2 of each of `metrics` in turn, then
    NPS's detractors); a metric with no answers that day gives NULLs. One row for all metrics: a third of the
    rows (each costs more to hand over than its columns)."""
    d = RollupCustomerDay
    columns = []
    for m in metrics:
        s1, s2 = _SUM_COLUMNS.get(m, ("mean", "mean_sq"))
        columns += [func.sum(case((d.metric == m, x))) for x in (d.n, getattr(d, s1), getattr(d, s2))]
    columns.append(func.sum(case((d.metric == "nps", d.det))))
    # Grouped in the primary key's order (day, touchpoint, team), so SQLite needs no sort; the few days a
    # touchpoint changed owner come back as two rows, added up below.
    return (select(days_since(d.day, literal(first, Date)), d.touchpoint_id, *(cast(c, Float) for c in columns))
            .where(d.day >= first, d.day <= last, d.metric.in_(list(metrics)))
            .group_by(d.day, d.touchpoint_id, d.team_id))


def customer_arrays(session: Session, first: dt.date, last: dt.date, touchpoint_ids,
                    metrics=CX_METRICS) -> CustomerArrays:
    """The daily sums of `metrics` at `touchpoint_ids` from `first` to `last` (inclusive), zeros where none."""
    tids = np.array(sorted(touchpoint_ids), dtype=int)
    metrics = tuple(metrics)
    days = (last - first).days + 1
    # A year of 500 touchpoints is over a million sums: every column is a number computed in SQL, and the
    # rows come from the DBAPI cursor straight into one float array (SQLAlchemy's Row objects would cost
    # more than the query itself).
    result = session.connection().execute(_sums_statement(first, last, metrics))
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    data = {m: tuple(np.zeros((tids.size, days)) for _ in range(3)) for m in metrics}
    if rows and tids.size:
        table = np.nan_to_num(np.array(rows, dtype=float))  # NULL (no answers of a metric that day): 0
        off, tp = table[:, 0].astype(int), table[:, 1].astype(int)
        pos = np.clip(np.searchsorted(tids, tp), 0, tids.size - 1)
        known = tids[pos] == tp
        pos, off, table = pos[known], off[known], table[known]
        for i, m in enumerate(metrics):
            n, s1, s2 = (table[:, 2 + 3 * i + k] for k in range(3))
            if m == "nps":
                s1 = s1 - table[:, -1]  # promoters minus detractors, summed apart
            for arr, src in zip(data[m], (n, s1, s2)):
                np.add.at(arr, (pos, off), src)
    return CustomerArrays(first, days, tids, data)


def theme_arrays(session: Session, first: dt.date, last: dt.date, touchpoint_ids) -> ThemeArrays:
    """Daily mentions of each theme at each of `touchpoint_ids` (owning teams summed); ALL_COMMENTS left out."""
    days = (last - first).days + 1
    t = RollupThemeDay
    stmt = (select(t.touchpoint_id, t.theme_id, t.day, func.sum(t.n), func.sum(t.negative))
            .where(t.day >= first, t.day <= last, t.theme_id != ALL_COMMENTS,
                   t.touchpoint_id.in_(list(touchpoint_ids)))
            .group_by(t.touchpoint_id, t.theme_id, t.day))
    rows = session.connection().execute(stmt).all()
    pairs = sorted({(tp, th) for tp, th, *_ in rows})
    index = {p: i for i, p in enumerate(pairs)}
    counts, negative = np.zeros((len(pairs), days)), np.zeros((len(pairs), days))
    if rows:
        tp, th, day, n, neg = zip(*rows)
        rows_i = np.array([index[p] for p in zip(tp, th)], dtype=int)
        off = _offsets(day, first)
        counts[rows_i, off] = np.array(n, dtype=float)
        negative[rows_i, off] = np.array(neg, dtype=float)
    return ThemeArrays(first, days, pairs, counts, negative)


def first_day(session: Session) -> dt.date | None:
    """The earliest day of customer data in the rollup, None when it is empty."""
    return session.execute(select(func.min(RollupCustomerDay.day))).scalar()
