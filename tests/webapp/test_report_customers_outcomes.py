"""The customers report's "Business outcomes": latest period per team, touchpoint and organisation (rates as
n-weighted means, counts as sums), the previous period and the change; the same figures in CSV and JSON."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from surveys.ingestion import import_outcomes
from surveys.insights.reports import customers
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope

FILE = ("period,unit,metric,value,n\n"
        "2026-02,A,churn_rate,2.0,100\n2026-02,B,churn_rate,5.0,300\n"
        "2026-03,A,churn_rate,3.0,100\n2026-03,B,churn_rate,4.0,100\n"
        "2026-02,TPA,complaints,2,\n2026-03,TPA,complaints,4,\n2026-03,TPB,complaints,6,\n"
        "2026-04,A,churn_rate,1.0,50\n")  # after the report's range: not shown
QUERY = {"from": "2026-01-01", "to": "2026-03-31"}


@pytest.fixture
def world(db_session, make):
    """DEPT > A (touchpoint TPA) and B (TPB), with churn per team and complaints per touchpoint."""
    dept = make.team(code="DEPT", name="Department")
    a, b = make.team(code="A", name="Alpha", parent=dept), make.team(code="B", name="Beta", parent=dept)
    make.touchpoint(team=a, code="TPA")
    make.touchpoint(team=b, code="TPB")
    result = import_outcomes(db_session, io.BytesIO(FILE.encode()), today=dt.date(2026, 12, 1))
    assert result.ok, result.report_lines()
    db_session.commit()
    return dept, a, b


def outcome_rows(report) -> dict:
    return {(f.metric, f.unit): (f.value, f.n, f.get("previous"), f.get("change"), f.get("improved"))
            for f in report.figures if f.get("breakdown") == "outcome"}


def test_latest_period_previous_and_change_match_hand_worked_values(db_session, world):
    report = customers.build(db_session, ReportParams(options=dict(QUERY)), Scope(None), ReportSettings())
    rows = outcome_rows(report)
    # Organisation March: (3*100 + 4*100) / 200 = 3.5; February: (2*100 + 5*300) / 400 = 4.25; change -0.75 (better).
    assert rows[("outcome:churn_rate", "ORG")] == (3.5, 200, 4.25, -0.75, True)
    assert rows[("outcome:churn_rate", "DEPT")] == (3.5, 200, 4.25, -0.75, True)
    assert rows[("outcome:churn_rate", "B")] == (4.0, 100, 5.0, -1.0, True)
    # Complaints add up: March 4 + 6 = 10 against February's 2 (worse); each team takes its touchpoints'.
    assert rows[("outcome:complaints", "ORG")] == (10.0, None, 2.0, 8.0, False)
    assert rows[("outcome:complaints", "A")] == (4.0, None, 2.0, 2.0, False)
    assert rows[("outcome:complaints", "TPB")] == (6.0, None, None, None, None)
    periods = {f.period for f in report.figures if f.get("breakdown") == "outcome"}
    assert periods == {"2026-03"}
    assert any("no anonymity threshold applies" in n for n in report.notes)


def test_a_unit_shows_its_own_subtree(db_session, world):
    report = customers.build(db_session, ReportParams(unit="A", options=dict(QUERY)), Scope(None), ReportSettings())
    rows = outcome_rows(report)
    assert rows[("outcome:churn_rate", "A")][:2] == (3.0, 100)
    assert not any(unit in ("B", "TPB", "ORG") for _m, unit in rows)


def test_page_csv_and_json_carry_the_outcomes(client, login, db_session, world):
    login("executive")
    query = "?from=2026-01-01&to=2026-03-31"
    page = client.get("/reports/customers" + query).get_data(as_text=True)
    assert "Business outcomes" in page and "Churn rate (%): lower is better" in page and "n-weighted mean" in page
    data = json.loads(client.get("/reports/customers.json" + query).data)
    mine = [f for f in data["figures"] if f["breakdown"] == "outcome"]
    assert {(f["unit"], f["metric"], f["value"], f["previous"]) for f in mine} >= {
        ("ORG", "outcome:churn_rate", 3.5, 4.25), ("ORG", "outcome:complaints", 10.0, 2.0)}
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/customers.csv" + query).get_data(as_text=True))))
    org = next(r for r in rows if r["unit"] == "ORG" and r["metric"] == "outcome:churn_rate")
    assert (org["value"], org["previous"], org["change"], org["direction"]) == ("3.5", "4.25", "-0.75",
                                                                                 "lower is better")
