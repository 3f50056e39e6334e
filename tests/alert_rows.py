"""Alert rows for the workflow, escalation and page tests, written directly (detection is tested elsewhere)."""
from __future__ import annotations

import datetime as dt
import json

from surveys.models import Alert, Team, Touchpoint

HINTS = {
    "factors": [{"factor": "process", "label": "Process", "team_value": 58.0, "org_value": 71.5, "gap": -13.5,
                 "low": -20.1, "high": -6.9, "n": 14, "linked_r": 0.41, "unit_name": "Checkout team"}],
    "themes": [{"theme_id": 3, "name": "payment failed card", "before": 4.0, "after": 19.0, "change": 15.0}],
    "sentiment": {"before": 0.21, "after": -0.34},
    "verbatims": [{"day": "2026-10-12", "text": "The card payment failed three times.", "score": 1}],
}


def make_alert(session, touchpoint: Touchpoint, team: Team | None = None, *, status: str = "new",
               severity: str = "high", created_at: dt.datetime | None = None, hints: dict | None = None,
               detected_on: dt.date = dt.date(2026, 10, 14), kind: str = "sudden_week", metric: str = "csat",
               **values) -> Alert:
    """A CSAT drop at `touchpoint` owned by `team` (the touchpoint's by default); flushed."""
    team = team or touchpoint.team
    alert = Alert(touchpoint=touchpoint, team=team, metric=metric, kind=kind,
                  began_on=detected_on - dt.timedelta(days=9),
                  detected_on=detected_on, last_seen_on=detected_on + dt.timedelta(days=7), baseline=84.0,
                  baseline_n=120, current=66.0, current_n=25, drop=18.0, low=7.5, high=28.5, p_value=0.0012,
                  q_value=0.018, severity=severity, status=status,
                  hints_json=json.dumps(HINTS if hints is None else hints),
                  open_key=f"{touchpoint.id}:{metric}:{kind}" if status in ("new", "acknowledged", "action_planned")
                  else None, created_at=created_at or dt.datetime(2026, 10, 14, 6, 0), **values)
    session.add(alert)
    session.flush()
    return alert
