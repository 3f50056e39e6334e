"""The breakdown scan on real rollup rows: a planted drop raises one alert (never two), days are claimed once,
the alert recovers, a goal missed for weeks and a theme surge raise theirs, and the CLI lists them."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from surveys.alerts import scan
from surveys.models import Goal
from surveys.models.alerts import Alert, AlertEvent, AlertScan
from surveys.models.rollups import RollupCustomerDay
from surveys.models.themes import RollupThemeDay, Theme

FIRST = dt.date(2025, 6, 2)
DROP = dt.date(2026, 6, 1)  # a Monday


def _days(session, tp, first, last, n, top2):
    d = first
    while d <= last:
        session.add(RollupCustomerDay(day=d, touchpoint_id=tp.id, team_id=tp.team_id, metric="csat",
                                      source="public_link", channel="", n=n, top2=top2, top2_sq=top2))
        d += dt.timedelta(days=1)
    session.flush()


def _world(db_session, make):
    tp = make.touchpoint(code="TP-SHOP")
    other = make.touchpoint(code="TP-CALM")
    _days(db_session, tp, FIRST, DROP - dt.timedelta(days=1), 20, 16)   # 80%
    _days(db_session, tp, DROP, DROP + dt.timedelta(days=13), 20, 8)    # 40%
    _days(db_session, other, FIRST, DROP + dt.timedelta(days=13), 20, 16)
    return tp, other


SETTINGS = scan.ScanSettings(with_hints=True)


def test_planted_drop_raises_one_alert_for_the_owning_team(db_session, make):
    tp, other = _world(db_session, make)
    res = scan.scan(db_session, DROP + dt.timedelta(days=6), SETTINGS)
    assert res.days == (DROP + dt.timedelta(days=6) - FIRST).days + 1
    alerts = db_session.scalars(select(Alert)).all()
    assert alerts and {a.touchpoint_id for a in alerts} == {tp.id}
    day = next(a for a in alerts if a.kind == "sudden_day")
    assert day.detected_on == DROP and day.team_id == tp.team_id and day.metric == "csat"
    assert day.drop == 40.0 and day.low < 40 < day.high and day.q_value < 0.05
    assert day.open_key == f"{tp.id}:csat:sudden_day" and day.severity == "high"
    assert [e.what for e in day.events] == ["detected"]
    assert set(json.loads(day.hints_json)) == {"factors", "themes", "sentiment", "verbatims"}
    # The week test fires on the drop week's Sunday; the day test no more once the drop is in its baseline.
    week = next(a for a in alerts if a.kind == "sudden_week")
    assert week.detected_on == DROP + dt.timedelta(days=6) and week.began_on == DROP
    # Scanning again does nothing; scanning on updates the open alert, never duplicates it.
    assert scan.scan(db_session, DROP + dt.timedelta(days=6), SETTINGS).days == 0
    res2 = scan.scan(db_session, DROP + dt.timedelta(days=13), SETTINGS)
    assert res2.days == 7 and res2.updated >= 1
    assert db_session.scalar(select(func.count()).select_from(Alert).where(Alert.kind == "sudden_day")) == 1
    assert db_session.get(Alert, week.id).last_seen_on == DROP + dt.timedelta(days=13)
    assert db_session.get(Alert, day.id).status == "new"
    assert db_session.scalar(select(func.count()).select_from(AlertScan)) == (DROP - FIRST).days + 14


def test_alert_recovers_when_the_metric_is_back(db_session, make):
    tp, _other = _world(db_session, make)
    _days(db_session, tp, DROP + dt.timedelta(days=14), DROP + dt.timedelta(days=40), 20, 16)
    res = scan.scan(db_session, DROP + dt.timedelta(days=40), SETTINGS)
    assert res.recovered >= 1
    day = db_session.scalars(select(Alert).where(Alert.kind == "sudden_day")).one()
    assert day.status == "resolved" and day.open_key is None and day.closed_at is not None
    assert day.recovered_on is not None and day.recovered_on > DROP + dt.timedelta(days=13)
    assert [e.what for e in day.events] == ["detected", "recovered"]


def test_claimed_days_are_skipped(db_session, make):
    _world(db_session, make)
    db_session.add(AlertScan(day=DROP))
    db_session.flush()
    scan.scan(db_session, DROP + dt.timedelta(days=6), SETTINGS)
    assert not db_session.scalars(select(Alert).where(Alert.kind == "sudden_day", Alert.detected_on == DROP)).all()


def test_goal_missed_for_weeks_raises_below_target(db_session, make):
    tp, other = _world(db_session, make)
    db_session.add(Goal(metric="csat", team_id=other.team_id, target=85.0, due_on=dt.date(2027, 1, 1)))
    db_session.flush()
    scan.scan(db_session, DROP + dt.timedelta(days=13), scan.ScanSettings(below_target_periods=4, with_hints=False))
    below = db_session.scalars(select(Alert).where(Alert.kind == "below_target")).all()
    assert {a.touchpoint_id for a in below} == {other.id}
    assert below[0].baseline == 85.0 and below[0].current == 80.0 and below[0].drop == 5.0


def test_theme_surge_raises_emerging_theme(db_session, make):
    tp, _other = _world(db_session, make)
    theme = Theme(audience="customer", name="queues")
    db_session.add(theme)
    db_session.flush()
    d = DROP - dt.timedelta(days=56)
    while d <= DROP + dt.timedelta(days=6):
        surge = d >= DROP
        db_session.add(RollupThemeDay(day=d, touchpoint_id=tp.id, team_id=tp.team_id, theme_id=theme.id,
                                      n=6 if surge else (1 if d.weekday() == 2 else 0), sentiment_sum=0, negative=0))
        d += dt.timedelta(days=1)
    db_session.flush()
    scan.scan(db_session, DROP + dt.timedelta(days=6), SETTINGS)
    a = db_session.scalars(select(Alert).where(Alert.kind == "emerging_theme")).one()
    assert a.metric == f"theme:{theme.id}" and a.theme_id == theme.id and a.current == 42 and a.baseline == 1.0
    hints = json.loads(a.hints_json)
    assert hints["themes"][0]["name"] == "queues" and hints["themes"][0]["after"] == 42.0


def test_cli_scan_and_list(db_session, make, runner):
    tp, _other = _world(db_session, make)
    out = runner.invoke(args=["alerts", "scan", "--as-of", (DROP + dt.timedelta(days=6)).isoformat()])
    assert out.exit_code == 0 and "raised" in out.output
    rows = json.loads(runner.invoke(args=["alerts", "list", "--format", "json"]).output)
    assert rows and {"touchpoint", "team", "metric", "kind", "began", "detected", "drop", "low", "high",
                     "status"} <= set(rows[0])
    assert rows[0]["touchpoint"] == "TP-SHOP"
    csv_out = runner.invoke(args=["alerts", "list", "--format", "csv", "--touchpoint", "TP-SHOP"]).output
    assert csv_out.splitlines()[0].startswith("id,touchpoint,team,metric")
    bad = runner.invoke(args=["alerts", "list", "--status", "bogus"])
    assert bad.exit_code == 2 and "bogus" in bad.output
    assert runner.invoke(args=["alerts", "scan", "--as-of", "2026-13-01"]).exit_code == 2
    assert db_session.scalar(select(func.count()).select_from(AlertEvent)) >= 1


def test_alert_settings_come_from_the_config(tmp_path):
    from webapp.config import ConfigError, load_config

    cfg = load_config({"TANDEM_ALERT_MIN_N": "30", "TANDEM_ALERT_BELOW_TARGET_PERIODS": "6",
                       "TANDEM_ALERT_RECOVERY_DAYS": "21"}, instance_path=tmp_path)
    s = scan.settings_from_config(cfg)
    assert (s.params.min_n_day, s.params.min_n_week, s.params.min_n_month) == (30, 30, 30)
    assert s.below_target_periods == 6 and s.recovery_days == 21 and s.params.min_n_base == 50
    with pytest.raises(ConfigError, match="TANDEM_ALERT_MIN_N"):
        load_config({"TANDEM_ALERT_MIN_N": "lots"}, instance_path=tmp_path)
