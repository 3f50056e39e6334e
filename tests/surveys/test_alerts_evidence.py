"""An alert's evidence from the customer rollups, against hand-worked Wilson intervals (Newcombe 1998, method 3:
18 of 20 gives 0.6990 to 0.9721), and the command centre's trends since detection."""
from __future__ import annotations

import datetime as dt

import pytest

from surveys.alerts import evidence
from surveys.models.rollups import RollupCustomerDay

from ..alert_rows import make_alert

BEGAN, DETECTED = dt.date(2026, 10, 5), dt.date(2026, 10, 14)  # Mondays' weeks: began on a Monday


@pytest.fixture
def alert(make, db_session):
    team = make.team(code="WEB")
    tp = make.touchpoint(team=team, code="WEB-CHECKOUT")
    other = make.touchpoint(team=team, code="WEB-HOME")
    for week in range(-8, 4):
        monday = BEGAN + dt.timedelta(weeks=week)
        if week < 0:  # eight weeks of 18 satisfied out of 20
            rows = [(monday, 20, 18)]
        else:  # the drop: 6 of 10 on Monday and 6 of 10 on Wednesday
            rows = [(monday, 10, 6), (monday + dt.timedelta(days=2), 10, 6)]
        for day, n, top2 in rows:
            db_session.add(RollupCustomerDay(day=day, touchpoint_id=tp.id, team_id=team.id, metric="csat",
                                             source="import", channel="", n=n, top2=top2, top2_sq=top2))
        db_session.add(RollupCustomerDay(day=monday, touchpoint_id=other.id, team_id=team.id, metric="csat",
                                         source="import", channel="", n=5, top2=0, top2_sq=0))
    db_session.flush()
    alert = make_alert(db_session, tp, detected_on=DETECTED)  # began nine days earlier: moved to the Monday
    alert.began_on = BEGAN
    db_session.flush()
    return alert


def test_weekly_points_and_the_baseline_band_match_hand_worked_wilson_intervals(db_session, alert):
    ev = evidence.evidence(db_session, alert, today=dt.date(2026, 12, 1))
    assert (ev.metric, ev.period, ev.label, ev.note) == ("csat", "week", "CSAT", "")
    assert [p.start for p in ev.points] == [BEGAN + dt.timedelta(weeks=w) for w in range(-8, 4)]
    first, drop = ev.points[0], ev.points[8]
    assert (first.value, first.n) == (pytest.approx(90.0), 20)
    assert (first.low, first.high) == (pytest.approx(69.90, abs=0.01), pytest.approx(97.21, abs=0.01))
    assert (drop.value, drop.n) == (pytest.approx(60.0), 20)  # Monday and Wednesday in one week
    # Baseline: the 56 days before the start, 144 of 160: Wilson 0.8437 to 0.9375 (worked by hand).
    base = ev.baseline
    assert (base.start, ev.baseline_end, base.n) == (BEGAN - dt.timedelta(days=56), BEGAN - dt.timedelta(days=1), 160)
    assert (base.value, base.low, base.high) == (pytest.approx(90.0), pytest.approx(84.37, abs=0.01),
                                                 pytest.approx(93.75, abs=0.01))


def test_the_chart_stops_today_and_an_empty_touchpoint_has_no_points(db_session, alert, make):
    ev = evidence.evidence(db_session, alert, today=DETECTED)
    assert ev.points[-1].start == dt.date(2026, 10, 12)
    empty = make_alert(db_session, make.touchpoint(code="QUIET"))
    nothing = evidence.evidence(db_session, empty, today=dt.date(2026, 12, 1))
    assert nothing.points == () and nothing.baseline is None


def test_trends_start_four_weeks_before_detection_for_every_alert_in_one_query(db_session, alert, statements):
    statements.clear()
    trends = evidence.trends(db_session, [alert], dt.date(2026, 12, 1))
    assert len([s for s in statements if "rollup_customer_days" in s]) == 1
    assert [p.start for p in trends[alert.id]] == [dt.date(2026, 9, 14) + dt.timedelta(weeks=w) for w in range(7)]
    assert [round(p.value) for p in trends[alert.id]] == [90, 90, 90, 60, 60, 60, 60]


def test_an_emerging_theme_shows_csat_with_a_note(db_session, alert):
    alert.kind, alert.metric = "emerging_theme", "theme:7"
    ev = evidence.evidence(db_session, alert, today=dt.date(2026, 12, 1))
    assert ev.metric == "csat" and "chart shows CSAT" in ev.note
