"""What changed: customer CSAT, NPS and CES of a period against the period before, overall and for the
touchpoints that moved most, and the weekly values around the period (for the chart).

Sums come from the customer rollups (surveys.insights.customer_feedback.grouped_sums, as the customer
report reads them); values, intervals and differences from analysis.summaries (the dashboard's
period-over-period rule: Newcombe for CSAT, a normal interval for NPS, Welch for CES).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.summaries import Sums, difference, estimate, p_value
from surveys.digests.periods import Period
from surveys.insights.customer_feedback import Filters, grouped_sums
from surveys.models import Touchpoint

METRICS = ("csat", "nps", "ces")
LABELS = {"csat": "CSAT (% satisfied)", "nps": "NPS", "ces": "CES (mean, 1-7)"}
MOVERS = 5
CONTEXT_WEEKS = {"daily": 8, "weekly": 8, "monthly": 13, "quarterly": 26, "annual": 53}


def _num(x: float, digits: int) -> float | None:
    return round(float(x), digits) if x is not None and math.isfinite(x) else None


@dataclass(frozen=True)
class KpiChange:
    """One metric for one place (all touchpoints, or one) in the period, against the period before."""

    metric: str
    label: str
    where: str             # "All touchpoints" or the touchpoint's name
    code: str | None       # the touchpoint's code
    value: float | None
    low: float | None
    high: float | None
    n: int
    previous: float | None
    previous_n: int
    change: float | None
    change_low: float | None
    change_high: float | None
    significant: bool
    p_value: float | None = None

    @property
    def direction(self) -> str:
        """up, down or flat (flat: no significant change; CES: lower is better, but 'up' still means higher)."""
        if not self.significant or self.change is None:
            return "flat"
        return "up" if self.change > 0 else "down"

    @property
    def better(self) -> bool | None:
        """Whether a significant change is an improvement (CES: lower is better)."""
        if self.direction == "flat":
            return None
        return (self.change < 0) if self.metric == "ces" else (self.change > 0)


@dataclass(frozen=True)
class WeekPoint:
    """One week's value of a metric (all touchpoints in scope) with its interval and n."""

    metric: str
    week: dt.date
    value: float
    low: float | None
    high: float | None
    n: int


def compare(metric: str, where: str, code: str | None, now: Sums | None, before: Sums | None,
            confidence: float) -> KpiChange:
    """The KpiChange of one metric from the two periods' sums (either may be missing)."""
    digits = 2 if metric == "ces" else 1
    cur = estimate(now, confidence) if now is not None else None
    prev = estimate(before, confidence) if before is not None else None
    res = difference(now, before, confidence) if now is not None and before is not None else None
    p = p_value(res, confidence) if res is not None else None
    return KpiChange(
        metric, LABELS.get(metric, metric), where, code,
        _num(cur.value, digits) if cur else None, _num(cur.ci_low, digits) if cur else None,
        _num(cur.ci_high, digits) if cur else None, cur.n if cur else 0,
        _num(prev.value, digits) if prev else None, prev.n if prev else 0,
        _num(res.change, digits) if res else None, _num(res.ci_low, digits) if res else None,
        _num(res.ci_high, digits) if res else None, bool(res and res.significant),
        p if p is not None and math.isfinite(p) else None)


def _filters(period: Period, team_ids: Collection[int] | None) -> Filters:
    return Filters(period.start, period.end, METRICS, None if team_ids is None else sorted(team_ids))


def what_changed(session: Session, period: Period, team_ids: Collection[int] | None, confidence: float = 0.95,
                 min_n: int = 5) -> tuple[tuple[KpiChange, ...], tuple[KpiChange, ...]]:
    """(the three KPIs overall, the touchpoints that moved most) in the period against the one before; a
    touchpoint is ranked only with at least `min_n` answers in both periods (a handful of answers swings
    any score)."""
    prev = period.previous()
    now_total = grouped_sums(session, _filters(period, team_ids), "total")
    before_total = grouped_sums(session, _filters(prev, team_ids), "total")
    overall = tuple(compare(m, "All touchpoints", None, now_total.get((m,)), before_total.get((m,)), confidence)
                    for m in METRICS)
    now_tp = grouped_sums(session, _filters(period, team_ids), "touchpoint")
    before_tp = grouped_sums(session, _filters(prev, team_ids), "touchpoint")
    ids = {tp for tp, _m in now_tp} & {tp for tp, _m in before_tp}
    names = {tid: (code, name) for tid, code, name in session.execute(
        select(Touchpoint.id, Touchpoint.code, Touchpoint.name).where(Touchpoint.id.in_(sorted(ids))))} if ids else {}
    moved = [compare(m, names[tp][1], names[tp][0], now_tp[(tp, m)], before_tp[(tp, m)], confidence)
             for (tp, m) in now_tp if (tp, m) in before_tp and tp in names]
    # The strongest evidence of a change first (smallest p), then the largest change.
    moved = [k for k in moved if k.p_value is not None and min(k.n, k.previous_n) >= min_n]
    moved.sort(key=lambda k: (k.p_value, -abs(k.change or 0), k.where))
    return overall, tuple(moved[:MOVERS])


def weekly(session: Session, period: Period, team_ids: Collection[int] | None, confidence: float = 0.95
           ) -> tuple[WeekPoint, ...]:
    """Each metric by ISO week over the weeks up to the period's end (its context for the chart)."""
    end = period.end
    first = end - dt.timedelta(weeks=CONTEXT_WEEKS[period.kind] - 1)
    first -= dt.timedelta(days=first.weekday())
    sums = grouped_sums(session, Filters(min(first, period.start), end, METRICS,
                                         None if team_ids is None else sorted(team_ids)), "period", "week")
    out = []
    for (week, metric), s in sorted(sums.items(), key=lambda kv: (kv[0][1], str(kv[0][0]))):
        week = week if isinstance(week, dt.date) else dt.date.fromisoformat(str(week))
        e = estimate(s, confidence)
        digits = 2 if metric == "ces" else 1
        out.append(WeekPoint(metric, week, _num(e.value, digits), _num(e.ci_low, digits), _num(e.ci_high, digits),
                             e.n))
    return tuple(out)
