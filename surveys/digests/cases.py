"""Closing the loop in a digest: follow-up cases opened and closed in the period, and the share closed in
time (with its Wilson interval from analysis.summaries.share), for the teams in scope."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from analysis.summaries import share
from surveys.digests.periods import Period
from surveys.models.voice import OPEN_CASE_STATUSES, FollowUpCase


@dataclass(frozen=True)
class Cases:
    """Cases opened and closed in the period, how many of the closed ones were closed by their due time, and
    how many were open and late when the period ended; the in-time share is of closed + late open cases."""

    opened: int
    closed: int
    closed_in_time: int
    in_time_pct: float | None
    in_time_low: float | None
    in_time_high: float | None
    late_open: int

    @property
    def empty(self) -> bool:
        """True when no case was opened, closed or late in the period."""
        return not (self.opened or self.closed or self.late_open)


def _pct(x: float) -> float | None:
    return round(x, 1) if math.isfinite(x) else None


def cases(session: Session, period: Period, team_ids: Collection[int] | None, confidence: float = 0.95) -> Cases:
    """The follow-up cases of the teams in scope (None: every team) in the period."""
    start = dt.datetime.combine(period.start, dt.time())
    after = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    c = FollowUpCase
    scope = [c.team_id.in_(sorted(team_ids))] if team_ids is not None else []

    def count(*where) -> int:
        return int(session.scalar(select(func.count()).select_from(c).where(*scope, *where)) or 0)

    opened = count(c.opened_at >= start, c.opened_at < after)
    closed_where = (c.closed_at.is_not(None), c.closed_at >= start, c.closed_at < after)
    closed = count(*closed_where)
    in_time = count(*closed_where, c.closed_at <= c.due_at)
    # Late and still open at the period's end: open now, or closed only after the period ended.
    late_open = count(c.due_at < after, c.opened_at < after,
                      and_(c.status.in_(OPEN_CASE_STATUSES)) | (c.closed_at >= after))
    # Late open cases can no longer be closed in time: they count against the share, or a team that never
    # closes its overdue cases would score 100%. (Disjoint from `closed`: those closed after the period.)
    judged = closed + late_open
    est = share(in_time, judged, confidence) if judged else None
    return Cases(opened, closed, in_time, _pct(est.value) if est else None, _pct(est.ci_low) if est else None,
                 _pct(est.ci_high) if est else None, late_open)
