"""Customer outcomes (CSAT, NPS, CES) for reports: sums over date windows from the customer rollups.

Totals over a window come from `datasets.team_customer_outcomes` (whole calendar months from
rollup_customer_months, the days at the window's edges from rollup_customer_days). Channels are a
touchpoint's property, which the monthly rollup does not keep, so per-channel sums read the daily
rollup joined to the touchpoints. Both sum the same answers, so a window's total equals the sum of
its channels. A unit's figures are those of the touchpoints its teams owned when the answers came in
(the rollups keep the owning team of the day).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.metrics import CX_METRICS
from analysis.summaries import Sums
from surveys.insights import datasets
from surveys.insights.figures import ParamError
from surveys.insights.reports.common import customer_sums
from surveys.models import RollupCustomerDay, Touchpoint
from surveys.models.org import CHANNELS

Window = tuple[dt.date, dt.date]  # [start, end): the end day is not in the window
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def parse_as_of(value: str | None, session: Session, team_ids: Collection[int] | None) -> dt.date:
    """The report's "today": the `as_of` option, else the day of the latest customer answer in scope,
    else today's date."""
    if value:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ParamError("as_of", f"as_of must be a date written YYYY-MM-DD, not '{value}'.") from None
        if not EARLIEST <= day <= LATEST:
            raise ParamError("as_of", f"as_of must lie between {EARLIEST} and {LATEST}.")
        return day
    query = select(func.max(RollupCustomerDay.day)).where(RollupCustomerDay.n > 0)
    if team_ids is not None:
        query = query.where(RollupCustomerDay.team_id.in_(list(team_ids)))
    latest = session.scalar(query)
    return latest or dt.date.today()


def _add(out: dict, key, s: Sums) -> None:
    out[key] = out[key] + s if key in out else s


def window_totals(session: Session, windows: list[Window], team_ids: Collection[int] | None) -> dict:
    """{(window index, metric): Sums} over every channel, for the teams given (None: all).

    `datasets.team_customer_outcomes` gives each day to one period only, so overlapping windows (the
    last 30 days inside the last 90) are read in separate statements, each of disjoint windows.
    """
    allowed = None if team_ids is None else set(team_ids)
    out: dict = {}
    for group in _disjoint(windows):
        waves = [datasets.ExWave(i, 0, f"w{i}", windows[i][0], windows[i][1], 0) for i in group]
        for row in datasets.team_customer_outcomes(session, waves).itertuples(index=False):
            if allowed is not None and row.team_id not in allowed:
                continue
            _add(out, (int(row.wave), row.metric), customer_sums(row.metric, row.n, row.top2, row.prom, row.det,
                                                           row.mean, row.mean_sq, row.net_sq))
    return out


def _disjoint(windows: list[Window]) -> list[list[int]]:
    """Window indices packed into groups whose windows do not overlap (first fit, in order)."""
    groups: list[list[int]] = []
    for i, (start, end) in enumerate(windows):
        for group in groups:
            if all(end <= windows[j][0] or start >= windows[j][1] for j in group):
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def daily_by_channel(session: Session, start: dt.date, end: dt.date,
                     team_ids: Collection[int] | None) -> list[tuple[dt.date, str, str, Sums]]:
    """(day, channel, metric, Sums) from the daily rollup for days in [start, end), summed in SQL."""
    d, t = RollupCustomerDay, Touchpoint
    query = (select(d.day, t.channel, d.metric, func.sum(d.n), func.sum(d.top2), func.sum(d.prom),
                    func.sum(d.det), func.sum(d.mean), func.sum(d.mean_sq), func.sum(d.net_sq))
             .join(t, t.id == d.touchpoint_id)
             .where(d.day >= start, d.day < end, d.metric.in_(CX_METRICS), d.n > 0)
             .group_by(d.day, t.channel, d.metric))
    if team_ids is not None:
        query = query.where(d.team_id.in_(list(team_ids)))
    return [(day, channel, metric, customer_sums(metric, *map(float, rest)))
            for day, channel, metric, *rest in session.connection().execute(query)]


def bucket(rows, windows: list[Window], by_channel: bool = True) -> dict:
    """{(window index, channel or None, metric): Sums} of daily rows falling in each window."""
    out: dict = {}
    for day, channel, metric, s in rows:
        for i, (start, end) in enumerate(windows):
            if start <= day < end:
                _add(out, (i, channel if by_channel else None, metric), s)
    return out


def channel_order(present: Collection[str]) -> list[str]:
    """Channels in the model's order (web, phone, store, chat, email, social, other), then any other."""
    return [c for c in CHANNELS if c in present] + sorted(set(present) - set(CHANNELS))


def trailing(as_of: dt.date, days: int) -> tuple[Window, Window]:
    """The `days` days ending on `as_of` (inclusive) and the `days` days before them."""
    end = as_of + dt.timedelta(days=1)
    start = end - dt.timedelta(days=days)
    return (start, end), (start - dt.timedelta(days=days), start)


def weeks(window: Window) -> list[Window]:
    """7-day bins partitioning `window`, ending on its last day (the first bin may be shorter)."""
    start, end = window
    out = []
    while end > start:
        out.append((max(start, end - dt.timedelta(days=7)), end))
        end -= dt.timedelta(days=7)
    return out[::-1]


def label(window: Window) -> str:
    """A window as an ISO 8601 interval of days, both ends included: 2026-11-24/2026-11-30."""
    return f"{window[0].isoformat()}/{(window[1] - dt.timedelta(days=1)).isoformat()}"
