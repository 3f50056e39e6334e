"""The evidence behind an alert: its touchpoint's metric by week (by day for a day's drop) from the customer
rollups, the baseline before the shift began with its 95% interval, and short trends since detection for the
command centre. Sums are read in SQL; every score and interval comes from analysis.summaries.estimate.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.summaries import Sums, estimate
from surveys.alerts.workflow import metric_label
from surveys.goals.metrics import metric_info
from surveys.insights.customer_feedback import metric_sums
from surveys.models import Alert
from surveys.models.rollups import RollupCustomerDay
from surveys.sqldates import week_start

# The trailing window each kind of test compares against (surveys/alerts/scan.py uses the same ones).
BASELINE_DAYS = {"sudden_day": 28, "sudden_week": 56, "sudden_month": 91}
DEFAULT_BASELINE_DAYS = 56
AFTER_DAYS = 84  # the evidence chart runs up to twelve weeks past detection (or today)
TREND_WEEKS_BEFORE = 4  # a trend since detection starts a few weeks before it, for contrast
TREND_MAX_WEEKS = 26
_SUMS = ("n", "top2", "prom", "det", "mean", "mean_sq", "top2_sq", "net_sq")


@dataclass(frozen=True)
class Point:
    """The metric in one period (a week starting on `start`, or a day): value, 95% interval and n."""

    start: dt.date
    value: float
    low: float | None
    high: float | None
    n: int


@dataclass(frozen=True)
class Evidence:
    """An alert's evidence: the series, the baseline before the shift, and the days that matter."""

    metric: str
    label: str
    unit: str
    period: str  # "week" or "day"
    points: tuple[Point, ...]
    baseline: Point | None  # `start` is the first day of the baseline window
    baseline_end: dt.date
    began_on: dt.date
    detected_on: dt.date
    note: str = ""


def series_metric(alert: Alert) -> str:
    """The customer metric whose series shows the alert (CSAT for an emerging theme)."""
    try:
        info = metric_info(alert.metric)
    except KeyError:
        return "csat"
    return info.key if info.audience == "customer" else "csat"


def _point(start: dt.date, sums: Sums) -> Point | None:
    est = estimate(sums)
    if est.n <= 0 or math.isnan(est.value):
        return None
    low = None if math.isnan(est.ci_low) else est.ci_low
    high = None if math.isnan(est.ci_high) else est.ci_high
    return Point(start, est.value, low, high, est.n)


def _sums(session: Session, touchpoint_ids: Iterable[int], metrics: Iterable[str], start: dt.date, end: dt.date,
          period: str) -> dict[tuple, Sums]:
    """{(touchpoint id, metric, period start): Sums} over [start, end]."""
    d = RollupCustomerDay
    bucket = (d.day if period == "day" else week_start(d.day)).label("bucket")
    keys = [d.touchpoint_id, d.metric, bucket]
    stmt = (select(*keys, *[func.sum(d.__table__.c[s]) for s in _SUMS])
            .where(d.touchpoint_id.in_(sorted(set(touchpoint_ids))), d.metric.in_(sorted(set(metrics))),
                   d.day >= start, d.day <= end).group_by(*keys))
    out = {}
    for tp, metric, day, *vals in session.connection().execute(stmt):
        if vals[0]:
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
            out[(tp, metric, day)] = metric_sums(metric, *vals)
    return out


def _total(session: Session, touchpoint_id: int, metric: str, start: dt.date, end: dt.date) -> Sums | None:
    d = RollupCustomerDay
    row = session.connection().execute(
        select(*[func.sum(d.__table__.c[s]) for s in _SUMS])
        .where(d.touchpoint_id == touchpoint_id, d.metric == metric, d.day >= start, d.day <= end)).one()
    return metric_sums(metric, *row) if row[0] else None


def evidence(session: Session, alert: Alert, today: dt.date) -> Evidence:
    """The alert's metric by period from its baseline window to twelve weeks past detection (or today)."""
    metric = series_metric(alert)
    period = "day" if alert.kind == "sudden_day" else "week"
    window = BASELINE_DAYS.get(alert.kind, DEFAULT_BASELINE_DAYS)
    base_start, base_end = alert.began_on - dt.timedelta(days=window), alert.began_on - dt.timedelta(days=1)
    start = base_start if period == "day" else base_start - dt.timedelta(days=base_start.weekday())
    end = min(today, max(alert.detected_on + dt.timedelta(days=AFTER_DAYS), alert.last_seen_on))
    sums = _sums(session, [alert.touchpoint_id], [metric], start, end, period)
    points = tuple(p for p in (_point(day, s) for (_tp, _m, day), s in sorted(sums.items())) if p is not None)
    total = _total(session, alert.touchpoint_id, metric, base_start, base_end)
    baseline = _point(base_start, total) if total is not None else None
    info = metric_info(metric)
    note = "" if metric == alert.metric else \
        f"This alert is about {metric_label(alert)}; the chart shows {info.label} at the touchpoint for context."
    return Evidence(metric, info.label, info.unit, period, points, baseline, base_end, alert.began_on,
                    alert.detected_on, note)


def trends(session: Session, alerts: list[Alert], today: dt.date) -> dict[int, tuple[Point, ...]]:
    """Weekly points of each alert's metric from a few weeks before its detection up to today (26 weeks at
    most), for the command centre's small trend lines; one query for every alert."""
    if not alerts:
        return {}
    firsts = {}
    for alert in alerts:
        first = alert.detected_on - dt.timedelta(weeks=TREND_WEEKS_BEFORE)
        first -= dt.timedelta(days=first.weekday())
        firsts[alert.id] = max(first, today - dt.timedelta(weeks=TREND_MAX_WEEKS))
    sums = _sums(session, [a.touchpoint_id for a in alerts], [series_metric(a) for a in alerts],
                 min(firsts.values()), today, "week")
    out = {}
    for alert in alerts:
        metric, first = series_metric(alert), firsts[alert.id]
        picked = sorted((day, s) for (tp, m, day), s in sums.items()
                        if tp == alert.touchpoint_id and m == metric and day >= first)
        out[alert.id] = tuple(p for p in (_point(day, s) for day, s in picked) if p is not None)
    return out
