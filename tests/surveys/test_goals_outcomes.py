"""Goals on imported business outcomes: the latest period's figure for the goal's unit; lower-is-better metrics
are met at or below the target; no interval and no anonymity threshold (the sentence says so)."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from surveys.goals import service
from surveys.ingestion import import_outcomes
from surveys.insights import goal_progress, metric_values
from surveys.models import Goal

TODAY = dt.date(2026, 12, 1)
FILE = ("period,unit,metric,value,n\n"
        "2026-09,A,churn_rate,2.0,100\n2026-10,A,churn_rate,3.0,100\n2026-10,B,churn_rate,4.0,100\n"
        "2026-10,TPB,complaints,3,\n2026-10,B,retention,80,100\n")


@pytest.fixture
def world(db_session, make):
    dept = make.team(code="DEPT")
    a, b = make.team(code="A", parent=dept), make.team(code="B", parent=dept)
    tpb = make.touchpoint(team=b, code="TPB")
    assert import_outcomes(db_session, io.BytesIO(FILE.encode()), today=TODAY).ok
    db_session.flush()
    return dept, a, b, tpb


def goal(db_session, metric, target, team=None):
    return service.create_goal(db_session, metric=metric, team_id=None if team is None else team.id, target=target,
                               due_on="2027-03-31", today=TODAY)


def test_lower_is_better_goals_are_met_at_or_below_the_target(db_session, world):
    dept, a, b, _tp = world
    goals = [goal(db_session, "outcome:churn_rate", 3.5), goal(db_session, "outcome:churn_rate", 3.5, b),
             goal(db_session, "outcome:churn_rate", 3.0, a), goal(db_session, "outcome:retention", 85, b)]
    org, on_b, on_a, retention = goal_progress.progress(db_session, goals, 5, today=TODAY)
    # Organisation, October: (3*100 + 4*100) / 200 = 3.5, at the target: met (lower is better).
    assert (org.now.value, org.now.n, org.now.period, org.status, org.check.distance) == \
        (3.5, 200, "2026-10", "met", 0.0)
    assert (on_b.now.value, on_b.status, on_b.check.distance) == (4.0, "below", 0.5)
    assert (on_a.now.value, on_a.status) == (3.0, "met")
    assert (retention.now.value, retention.status, retention.check.distance) == (80.0, "below", -5.0)
    assert org.label == "Churn rate" and org.unit == "%, lower is better"
    assert "at or below the target" in org.status_text and "no anonymity threshold applies" in org.status_text
    assert "above the target (lower is better)" in on_b.status_text
    assert org.now.low is None and org.when_set is None


def test_touchpoint_goal_and_action_baseline_read_the_latest_figure(db_session, world):
    _dept, _a, b, tpb = world
    g = goal(db_session, "outcome:complaints", 5, b)
    g.touchpoint_id = tpb.id
    db_session.flush()
    p, = goal_progress.progress(db_session, [db_session.get(Goal, g.id)], 5, today=TODAY)
    assert (p.now.value, p.status) == (3.0, "met")
    v = metric_values.latest(db_session, "outcome:churn_rate", [b.id], 5)
    assert (v.value, v.n, v.period, v.low) == (4.0, 100, "2026-10", None)
    assert "no anonymity threshold" in v.note
    none = metric_values.latest(db_session, "outcome:revenue", None, 5)
    assert none.value is None and "not imported" in none.note


def test_the_goal_form_offers_imported_outcomes(client, login, db_session, world):
    db_session.commit()
    login("hr_admin")
    page = client.get("/goals/new").get_data(as_text=True)
    assert 'value="outcome:churn_rate"' in page and "Churn rate (business outcome, lower is better)" in page
    response = client.post("/goals/new", data={"metric": "outcome:churn_rate", "team_id": "", "target": "3.2",
                                               "due_on": "2099-01-31", "note": ""})
    assert response.status_code == 302
    listing = client.get("/goals/").get_data(as_text=True)
    assert "Churn rate" in listing and "3.5" in listing and "lower is better" in listing
