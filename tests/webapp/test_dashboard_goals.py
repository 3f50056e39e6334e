"""The dashboard shows progress against the goals that apply to its unit, the same in the page, CSV and
JSON, and a goal set or changed shows at once although the page is cached."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from surveys.goals import service
from surveys.insights.reports import dashboard
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope
from tests.surveys import goal_data

TODAY = dt.date.today()
DUE = (TODAY + dt.timedelta(days=90)).isoformat()


@pytest.fixture
def org(db_session, make):
    return goal_data.build(db_session, make, c_in_w2=6)


@pytest.fixture
def goals(db_session, org):
    on = {name: service.create_goal(db_session, metric="engagement", team_id=None if name == "org" else org[name].id,
                                    target=40, due_on=DUE, today=TODAY) for name in ("org", "dept", "a", "b", "c")}
    on["enps"] = service.create_goal(db_session, metric="enps", team_id=org["a"].id, target=0, due_on=DUE, today=TODAY)
    on["gone"] = service.create_goal(db_session, metric="process", team_id=None, target=50, due_on=DUE, today=TODAY)
    service.set_archived(db_session, on["gone"].id, True)
    db_session.commit()
    return on


def _goal_figures(report):
    return {f.get("goal_id"): f for f in report.figures if f.metric.startswith("goal:")}


def _build(db_session, unit=None, scope=Scope(None)):
    return dashboard.build(db_session, ReportParams(unit=unit, options={"as_of": "2026-03-31"}), scope,
                           ReportSettings())


def test_the_organisation_shows_its_own_goals(db_session, goals):
    figures = _goal_figures(_build(db_session))
    assert set(figures) == {goals["org"].id}  # archived goals leave the dashboard
    f = figures[goals["org"].id]
    # 50.0 (24.4 to 75.6) n 18 against 40 (tests/surveys/test_goals.py): at the target, interval includes it.
    assert (f.unit, f.metric, f.value, f.ci_low, f.ci_high, f.n, f.period) == (
        "ORG", "goal:engagement", 50.0, 24.4, 75.6, 18, "W2")
    assert (f.get("target"), f.get("distance"), f.get("status"), f.get("due_on"), f.get("overdue")) == (
        40.0, 10.0, "at_target", DUE, False)


def test_a_team_sees_its_goals_and_those_above_it(db_session, org, goals):
    lead_scope = Scope(frozenset({org["a"].id}))
    figures = _goal_figures(_build(db_session, scope=lead_scope))
    assert set(figures) == {goals[n].id for n in ("org", "dept", "a", "enps")}
    a = figures[goals["a"].id]
    # A in W2: 3 of 6 favourable -> 50, sd 54.77, se 22.36, t(0.975, 5) = 2.571 -> 50 -/+ 57.5, cut at 0 and 100.
    assert (a.unit, a.value, a.n, a.ci_low, a.ci_high, a.get("status")) == ("A", 50.0, 6, 0.0, 100.0, "at_target")
    dept = _goal_figures(_build(db_session, unit="DEPT"))
    assert set(dept) == {goals[n].id for n in ("org", "dept", "a", "b", "enps")}


def test_page_csv_and_json_carry_the_same_goal_figures(client, login, db_session, goals):
    login("executive")
    page = client.get("/reports/dashboard?as_of=2026-03-31").get_data(as_text=True)
    assert 'id="goals"' in page and "At target, not yet clear" in page and "24.4 to 75.6" in page
    assert f"/actions/new?goal={goals['org'].id}" in page
    data = client.get("/reports/dashboard.json?as_of=2026-03-31").get_json()
    rows = [f for f in data["figures"] if f["metric"].startswith("goal:")]
    assert rows == [{**rows[0], "unit": "ORG", "value": 50.0, "n": 18, "ci_low": 24.4, "ci_high": 75.6,
                     "target": 40.0, "status": "at_target", "distance": 10.0, "goal_id": goals["org"].id}]
    table = list(csv.DictReader(io.StringIO(client.get("/reports/dashboard.csv?as_of=2026-03-31")
                                           .get_data(as_text=True))))
    goal_rows = [r for r in table if r["metric"].startswith("goal:")]
    assert [(r["value"], r["target"], r["status"]) for r in goal_rows] == [("50.0", "40.0", "at_target")]


def test_setting_a_goal_refreshes_the_cached_dashboard(client, login, db_session, org):
    login("hr_admin")
    first = client.get("/reports/dashboard?as_of=2026-03-31").get_data(as_text=True)
    assert 'id="goals"' not in first
    response = client.post("/goals/new", data={"metric": "engagement", "team_id": "", "target": "20",
                                               "due_on": DUE, "note": ""})
    assert response.status_code == 302
    page = client.get("/reports/dashboard?as_of=2026-03-31").get_data(as_text=True)
    assert 'id="goals"' in page and "Reached" in page
    goal, = service.list_goals(db_session)
    client.post(f"/goals/{goal.id}/edit", data={"metric": "engagement", "team_id": "", "target": "60",
                                                "due_on": DUE, "note": ""})
    assert "Below target" in client.get("/reports/dashboard?as_of=2026-03-31").get_data(as_text=True)
    client.post(f"/goals/{goal.id}/archive")
    assert 'id="goals"' not in client.get("/reports/dashboard?as_of=2026-03-31").get_data(as_text=True)
