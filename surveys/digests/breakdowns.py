"""Breakdowns for a digest: alerts detected in the period, and alerts still open that were detected before it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.digests.periods import Period
from surveys.models import Team, Touchpoint
from surveys.models.alerts import OPEN_ALERT_STATUSES, Alert

KIND_WORDS = {"sudden_day": "sudden drop (day)", "sudden_week": "sudden drop (week)",
              "sudden_month": "sudden drop (month)", "shift": "persistent shift", "below_target": "below target",
              "emerging_theme": "emerging theme"}
LIMIT = 10  # per list; the rest are counted (the command centre lists them all)


@dataclass(frozen=True)
class AlertLine:
    """One alert as a digest lists it (the drop and its interval as the alert scan stored them)."""

    id: int
    touchpoint: str
    team: str
    metric: str
    kind: str
    began: dt.date
    detected: dt.date
    drop: float | None
    low: float | None
    high: float | None
    severity: str
    status: str
    days_open: int


@dataclass(frozen=True)
class Breakdowns:
    """New alerts of the period and persistent ones (open, detected before it), each list capped at LIMIT."""

    new: tuple[AlertLine, ...]
    persistent: tuple[AlertLine, ...]
    new_total: int
    persistent_total: int


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def breakdowns(session: Session, period: Period, team_ids: Collection[int] | None) -> Breakdowns:
    """New and persistent alerts of the teams in scope (None: every team), the most severe first."""
    base = (select(Alert, Touchpoint.name, Team.name).join(Touchpoint, Touchpoint.id == Alert.touchpoint_id)
            .join(Team, Team.id == Alert.team_id))
    if team_ids is not None:
        base = base.where(Alert.team_id.in_(sorted(team_ids)))
    new = base.where(Alert.detected_on >= period.start, Alert.detected_on <= period.end)
    # Persistent: detected before the period and still open now, or closed only after the period ended (so
    # last quarter's digest, read today, still lists what was open then).
    after = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    old = base.where(Alert.detected_on < period.start,
                     Alert.status.in_(OPEN_ALERT_STATUSES) | (Alert.closed_at >= after))
    order = {"high": 0, "medium": 1, "low": 2}

    def lines(stmt) -> list[AlertLine]:
        rows = [AlertLine(a.id, tp, team, a.metric, KIND_WORDS.get(a.kind, a.kind), a.began_on, a.detected_on,
                          _round(a.drop), _round(a.low), _round(a.high), a.severity, a.status.replace("_", " "),
                          (period.end - a.detected_on).days + 1)
                for a, tp, team in session.execute(stmt)]
        rows.sort(key=lambda x: (order.get(x.severity, 3), -(x.drop or 0), x.id))
        return rows

    fresh, persistent = lines(new), lines(old)
    return Breakdowns(tuple(fresh[:LIMIT]), tuple(persistent[:LIMIT]), len(fresh), len(persistent))
