"""The breakdown scan: evaluate every unscanned day up to a date, raise, update and recover alerts.

Each evaluated day is claimed by inserting its AlertScan row (the day is the primary key), so two hosts
never scan the same day. The series are read once as arrays (series.py) and every day is evaluated at
once (candidates.py); only the alerts are then walked day by day, oldest first, so a back-fill leaves
the same history a daily tick would have. An open alert has `open_key` "<touchpoint>:<metric>:<kind>"
(UNIQUE): a condition that holds again updates its `last_seen_on`, never opens a second alert.

Recovery (checked on each scanned day after the last day the condition held): sudden drops and shifts
when the last `recovery_days` days' value (all of them after the last day the drop was seen), with at
least `recovery_min_n` respondents, is back within the baseline's 95% interval or above it, or (shifts)
when the CUSUM is back at 0; below target when the latest complete week is at or above the target; an
emerging theme when its latest week is no longer above its baseline (one-sided p >= 0.05). The alert is
then resolved with a "recovered" event and its open_key cleared.
Services flush, never commit: the CLI commits.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analysis.breakdowns import Calendar
from analysis.detection import DEFAULTS, Defaults, surge_tests
from analysis.series_sums import moments, window_sums
from surveys.alerts import candidates as cands
from surveys.alerts import series
from surveys.alerts.series import METRIC_KIND
from surveys.models import Goal, utcnow
from surveys.models.alerts import Alert, AlertEvent, AlertScan

HISTORY_DAYS = 400  # days read before the first scanned day: the CUSUM's 26 baseline weeks and a slide


@dataclass(frozen=True)
class ScanSettings:
    """Scan options (from the TANDEM_ALERT_* settings)."""

    params: Defaults = DEFAULTS
    below_target_periods: int = 4
    target_min_n: int = 5
    recovery_days: int = 14
    recovery_min_n: int = 10
    with_hints: bool = True
    min_group_size: int = 5
    min_teams: int = 10


def settings_from_config(config) -> ScanSettings:
    """ScanSettings from the app config (TANDEM_ALERT_*, MIN_GROUP_SIZE, LINKAGE_MIN_TEAMS)."""
    min_n = config.get("ALERT_MIN_N", 20)
    params = replace(DEFAULTS, min_n_day=min_n, min_n_week=min_n, min_n_month=max(min_n, DEFAULTS.min_n_month),
                     min_n_base=config.get("ALERT_MIN_BASELINE_N", DEFAULTS.min_n_base))
    return ScanSettings(params=params, below_target_periods=config.get("ALERT_BELOW_TARGET_PERIODS", 4),
                        recovery_days=config.get("ALERT_RECOVERY_DAYS", 14),
                        min_group_size=config.get("MIN_GROUP_SIZE", 5), min_teams=config.get("LINKAGE_MIN_TEAMS", 10))


@dataclass
class ScanResult:
    """What one scan did."""

    days: int = 0
    tests: int = 0
    raised: int = 0
    updated: int = 0
    recovered: int = 0
    new_alerts: list = field(default_factory=list)


def claim_days(session: Session, days: list[dt.date]) -> list[dt.date]:
    """Insert an AlertScan row per day (one savepoint for all, else day by day); the days now ours."""
    if not days:
        return []
    try:
        with session.begin_nested():
            session.execute(insert(AlertScan), [{"day": d, "scanned_at": utcnow()} for d in days])
        return days
    except IntegrityError:
        pass
    mine = []
    for d in days:
        try:
            with session.begin_nested():
                session.execute(insert(AlertScan), [{"day": d, "scanned_at": utcnow()}])
            mine.append(d)
        except IntegrityError:
            continue  # another host has it
    return mine


def forget_scans(session: Session) -> int:
    """Delete every AlertScan row (`alerts scan --rescan`); returns how many."""
    return session.execute(delete(AlertScan)).rowcount or 0


def _goals(session: Session, touchpoints: dict[int, tuple[str, int]]) -> list[tuple[int, str, float]]:
    """(touchpoint, metric, target) of each active goal on a customer metric: a touchpoint's own goal, or
    its owning team's goal when the touchpoint has none on that metric."""
    rows = session.execute(select(Goal.touchpoint_id, Goal.team_id, Goal.metric, Goal.target)
                           .where(Goal.archived.is_(False), Goal.metric.in_(list(METRIC_KIND)))).all()
    own = {(tp, m): t for tp, _team, m, t in rows if tp is not None}
    by_team = {(team, m): t for tp, team, m, t in rows if tp is None and team is not None}
    out = dict(own)
    for tp, (_code, team) in touchpoints.items():
        for m in METRIC_KIND:
            if (tp, m) not in out and (team, m) in by_team:
                out[(tp, m)] = by_team[(team, m)]
    return [(tp, m, t) for (tp, m), t in sorted(out.items())]


def scan(session: Session, as_of: dt.date, settings: ScanSettings = ScanSettings(), *,
         rescan: bool = False) -> ScanResult:
    """Evaluate every day up to `as_of` not yet scanned (all of them with `rescan`); flushes."""
    result = ScanResult()
    if rescan:
        forget_scans(session)
    first = series.first_day(session)
    if first is None or first > as_of:
        return result
    done = set(session.scalars(select(AlertScan.day).where(AlertScan.day >= first, AlertScan.day <= as_of)))
    todo = [first + dt.timedelta(days=i) for i in range((as_of - first).days + 1)]
    days = claim_days(session, [d for d in todo if d not in done])
    if not days:
        return result
    load_first = max(first, days[0] - dt.timedelta(days=HISTORY_DAYS))
    cal = Calendar.of(load_first, (as_of - load_first).days + 1)
    claimed = np.zeros(cal.days, dtype=bool)
    claimed[[(d - load_first).days for d in days]] = True
    touchpoints = series.active_touchpoints(session)
    arrays = series.customer_arrays(session, load_first, as_of, touchpoints)
    themes = series.theme_arrays(session, load_first, as_of, touchpoints) if touchpoints else None
    found, stats, result.tests, per_day = cands.drop_candidates(arrays, cal, claimed, settings.params, themes)
    found += cands.below_target_candidates(arrays, cal, claimed, _goals(session, touchpoints),
                                           settings.below_target_periods, settings.target_min_n)
    raised_per_day = _walk(session, found, cal, claimed, arrays, stats, themes, touchpoints, settings, result)
    _record(session, days, load_first, per_day, raised_per_day)
    result.days = len(days)
    session.flush()
    # Hints for the alerts still open: a back-fill's alerts that already recovered keep "{}" (the team
    # comparisons cost about a second a team, and nobody acts on a breakdown that is over).
    still_open = [a for a in result.new_alerts if a.open_key is not None]
    if settings.with_hints and still_open:
        from surveys.alerts import hints

        hints.attach(session, still_open, min_group_size=settings.min_group_size,
                     min_teams=settings.min_teams)
        session.flush()
    return result


def _record(session, days, load_first, per_day, raised_per_day) -> None:
    rows = {r.day: r for r in session.scalars(select(AlertScan).where(AlertScan.day.in_(days)))}
    for d in days:
        i = (d - load_first).days
        row = rows.get(d)
        if row is not None:
            row.tests, row.raised = per_day.get(i, 0), raised_per_day.get(i, 0)


def _walk(session, found, cal, claimed, arrays, stats, themes, touchpoints, settings, result) -> dict[int, int]:
    """Apply the candidates day by day: open or update alerts, then recover the ones whose metric is back."""
    by_day: dict[int, list] = {}
    for c in found:
        by_day.setdefault(c.day, []).append(c)
    open_alerts = {a.open_key: a for a in session.scalars(select(Alert).where(Alert.open_key.is_not(None)))}
    past = {}
    for a in session.scalars(select(Alert).where(Alert.open_key.is_(None))):
        past.setdefault((a.touchpoint_id, a.metric, a.kind), []).append(a)
    check = _Recovery(arrays, cal, stats, themes, settings)
    raised_per_day, updated = {}, set()
    for i in np.flatnonzero(claimed):
        day = cal.date(i)
        seen = set()
        for c in by_day.get(int(i), ()):
            key = f"{c.touchpoint_id}:{c.metric}:{c.kind}"
            seen.add(key)
            alert = open_alerts.get(key)
            if alert is not None:
                if day > alert.last_seen_on:
                    alert.last_seen_on = day
                    updated.add(alert.id or id(alert))
                continue
            if any(a.detected_on <= day <= (a.recovered_on or a.last_seen_on)
                   for a in past.get((c.touchpoint_id, c.metric, c.kind), ())):
                continue  # a rescan meets an alert it raised before
            alert = _new_alert(c, cal, touchpoints, key)
            session.add(alert)
            open_alerts[key] = alert
            result.new_alerts.append(alert)
            raised_per_day[int(i)] = raised_per_day.get(int(i), 0) + 1
        for key, alert in list(open_alerts.items()):
            if key in seen or day <= alert.last_seen_on or alert.touchpoint_id not in touchpoints:
                continue
            why = check.recovered(alert, int(i))
            if why:
                _recover(alert, day, why)
                del open_alerts[key]
                result.recovered += 1
    result.raised = len(result.new_alerts)
    result.updated = len(updated)
    return raised_per_day


def _new_alert(c, cal, touchpoints, key) -> Alert:
    alert = Alert(touchpoint_id=c.touchpoint_id, team_id=touchpoints[c.touchpoint_id][1], metric=c.metric,
                  kind=c.kind, theme_id=c.theme_id, began_on=cal.date(max(c.began, 0)), detected_on=cal.date(c.day),
                  last_seen_on=cal.date(c.day), baseline=c.baseline, baseline_n=c.baseline_n, current=c.current,
                  current_n=c.current_n, drop=c.drop, low=c.low, high=c.high, p_value=c.p, q_value=c.q,
                  severity=c.severity, status="new", open_key=key, hints_json="{}")
    alert.events.append(AlertEvent(what="detected", detail=f"{c.kind.replace('_', ' ')} on {c.metric} detected "
                                                           f"on {cal.date(c.day).isoformat()}"))
    return alert


def _recover(alert: Alert, day: dt.date, why: str) -> None:
    alert.recovered_on = day
    alert.status = "resolved"
    alert.closed_at = utcnow()
    alert.open_key = None
    alert.events.append(AlertEvent(what="recovered", detail=json.dumps({"day": day.isoformat(), "why": why})))


class _Recovery:
    """Whether an open alert's metric is back on a given day (see the module docstring)."""

    def __init__(self, arrays, cal, stats, themes, settings: ScanSettings):
        self.arrays, self.cal, self.stats, self.themes, self.s = arrays, cal, stats, themes, settings
        self.index = {int(t): k for k, t in enumerate(arrays.touchpoint_ids)}
        self.pairs = {p: k for k, p in enumerate(themes.pairs)} if themes is not None else {}

    def _window(self, metric, tp, end, length):
        kind, scale = METRIC_KIND[metric]
        k = self.index[tp]
        n, s1, s2 = (float(window_sums(a[k:k + 1], np.array([end]), length)[0, 0]) for a in self.arrays.data[metric])
        m, v = moments(kind, np.array(n), np.array(s1), np.array(s2))
        return float(m) * scale, float(v) * scale * scale, n

    def recovered(self, alert: Alert, i: int) -> str | None:
        if alert.kind == "emerging_theme":
            return self._theme_back(alert, i)
        if alert.metric not in self.arrays.data:
            return None
        if alert.kind == "below_target":
            if self.cal.date(i).weekday() != 6:
                return None
            value, _v, n = self._window(alert.metric, alert.touchpoint_id, i, 7)
            ok = n >= self.s.target_min_n and value >= (alert.baseline or 0)
            return f"week value {value:.1f} at or above the target {alert.baseline:g}" if ok else None
        if alert.kind == "shift" and self.stats[alert.metric][self.index[alert.touchpoint_id], i] <= 0:
            return "CUSUM back at 0"
        if (self.cal.date(i) - alert.last_seen_on).days < self.s.recovery_days:
            return None  # the window must lie wholly after the last day the drop was seen
        value, _v, n = self._window(alert.metric, alert.touchpoint_id, i, self.s.recovery_days)
        if n < self.s.recovery_min_n or alert.baseline is None or not alert.baseline_n:
            return None
        b_index = (alert.began_on - self.cal.first).days - 1
        base, var, bn = self._window(alert.metric, alert.touchpoint_id, b_index, 56)
        half = 1.959964 * np.sqrt(var / bn) if bn > 0 and np.isfinite(var) else 0.0
        if value >= alert.baseline - half:
            return f"last {self.s.recovery_days} days {value:.1f} (n={int(n)}) within the baseline's interval"
        return None

    def _theme_back(self, alert: Alert, i: int) -> str | None:
        k = self.pairs.get((alert.touchpoint_id, alert.theme_id))
        if k is None or self.cal.date(i).weekday() != 6 or i < 62:
            return None
        s = surge_tests(self.themes.counts[k:k + 1], np.array([i]), 7, 56, min_count=0)
        return "weekly mentions back to the baseline" if not float(s.p[0, 0]) < 0.05 else None
