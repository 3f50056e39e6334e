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
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from analysis.metrics import CX_METRICS
from surveys.models import Touchpoint
from surveys.models.rollups import RollupCustomerDay
from surveys.models.themes import ALL_COMMENTS, RollupThemeDay

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


def customer_arrays(session: Session, first: dt.date, last: dt.date, touchpoint_ids,
                    metrics=CX_METRICS) -> CustomerArrays:
    """The daily sums of `metrics` at `touchpoint_ids` from `first` to `last` (inclusive), zeros where none."""
    tids = np.array(sorted(touchpoint_ids), dtype=int)
    days = (last - first).days + 1
    d = RollupCustomerDay
    # The day as ISO text: numpy parses a million of those at once, SQLAlchemy's Date one row at a time.
    # Grouped in the primary key's order (day, touchpoint, team, metric), so SQLite needs no sort; the few
    # days a touchpoint changed owner come back as two rows, added up below.
    stmt = (select(cast(d.day, String), d.touchpoint_id, d.metric, func.sum(d.n), func.sum(d.top2),
                   func.sum(d.prom), func.sum(d.det), func.sum(d.mean), func.sum(d.mean_sq), func.sum(d.net_sq))
            .where(d.day >= first, d.day <= last, d.metric.in_(list(metrics)))
            .group_by(d.day, d.touchpoint_id, d.team_id, d.metric))
    rows = session.connection().execute(stmt).all()
    data = {m: tuple(np.zeros((tids.size, days)) for _ in range(3)) for m in metrics}
    if rows and tids.size:
        day, tp, metric, *sums = zip(*rows)
        tp = np.array(tp, dtype=int)
        pos = np.clip(np.searchsorted(tids, tp), 0, tids.size - 1)
        known = tids[pos] == tp
        off = _offsets(day, first)
        metric = np.array(metric, dtype=object)
        n, top2, prom, det, mean, mean_sq, net_sq = (np.array(s, dtype=float) for s in sums)
        cols = {"csat": (top2, top2), "nps": (prom - det, net_sq)}
        for m in metrics:
            sel = known & (metric == m)
            s1, s2 = cols.get(m, (mean, mean_sq))
            for arr, src in zip(data[m], (n, s1, s2)):
                np.add.at(arr, (pos[sel], off[sel]), src[sel])
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
