"""Drivers report (issue 9): numbers against a hand-worked design, formats, roles and bad parameters.

Twelve teams of five respondents answer one item per dimension in one closed wave. Process, culture,
people and technology follow four columns of the 12-run Plackett-Burman design (Plackett & Burman, 1946),
so across teams they are exactly uncorrelated; a team's favourable count is 4 on "+" and 1 on "-". Its
engagement count is 2.5 + 1.0 p + 0.5 c (p, c = +-1): 4, 3, 2 or 1. Hand-worked: engagement is exactly
linear in process and culture, so R^2 = 1; with orthogonal predictors a predictor's general dominance weight
is its squared correlation with the outcome: process 1 / 1.25 = 0.8, culture 0.25 / 1.25 = 0.2, people and
technology 0. Shares of R^2: 80%, 20%, 0%, 0%.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from surveys.collection import submission

PB12 = "++-+++---+-"  # first row of the 12-run Plackett-Burman design; rows 2-11 are its cyclic shifts
DIMENSIONS = ("engagement", "culture", "people", "process", "technology")
QUESTIONS = [{"code": d[:3], "qtype": "likert5", "dimension": d, "text": f"The {d} item"} for d in DIMENSIONS]


def design():
    rows = [PB12[-i:] + PB12[:-i] for i in range(11)] + ["-" * 11]
    return [[1 if ch == "+" else -1 for ch in row] for row in rows]


@pytest.fixture
def org(db_session, make):
    """Departments D1 (teams 1-9) and D2 (teams 10-12), one closed wave, five respondents per team."""
    program = make.program(survey=make.survey(questions=QUESTIONS), code="EXD")
    wave = make.wave(program, label="W1", opens_at=dt.datetime(2026, 3, 1), days=10, status="closed")
    questions = {q.dimension: q for q in wave.survey.questions}
    d1, d2 = make.team(code="D1", name="Dept one"), make.team(code="D2", name="Dept two")
    teams = []
    for j, (p, c, q, t, *_rest) in enumerate(design()):
        team = make.team(code=f"T{j + 1:02d}", name=f"Team {j + 1}", parent=d1 if j < 9 else d2)
        teams.append(team)
        fav = {"process": 4 if p > 0 else 1, "culture": 4 if c > 0 else 1, "people": 4 if q > 0 else 1,
               "technology": 4 if t > 0 else 1, "engagement": int(2.5 + p + 0.5 * c)}
        for i in range(5):
            parsed = {questions[d]: (5 if i < fav[d] else 1, None) for d in DIMENSIONS}
            submission.store_response(db_session, wave=wave, team_id=team.id, source="import", parsed=parsed,
                                      today=dt.date(2026, 3, 3))
    db_session.commit()
    return {"d1": d1, "d2": d2, "teams": teams}


def test_design_is_orthogonal():
    cols = list(zip(*design()))[:4]
    assert all(sum(a * b for a, b in zip(cols[i], cols[j])) == 0 for i in range(4) for j in range(i + 1, 4))
    assert all(sum(col) == 0 for col in cols)


def test_build_matches_the_hand_worked_weights(db_session, org):
    from surveys.insights.reports import build
    from surveys.insights.reports.params import ReportParams, ReportSettings, Scope

    report = build(db_session, "drivers", ReportParams(program="EXD", options={"samples": "100"}), Scope(None),
                   ReportSettings())
    by = {f.metric: f for f in report.figures}
    assert by["R² engagement"].value == 100.0 and by["R² engagement"].n == 12
    assert by["process→engagement"].value == 80.0 and by["culture→engagement"].value == 20.0
    assert by["people→engagement"].value == 0.0 and by["technology→engagement"].value == 0.0
    assert by["process→engagement"].get("weight") == 0.8 and by["process→engagement"].get("rank") == 1
    assert by["process→engagement"].get("teams") == 12 and by["process→engagement"].get("samples") <= 100
    assert by["process→engagement"].unit == "ORG"
    for f in report.figures:
        assert f.ci_low <= f.value <= f.ci_high or f.value == 0.0
    assert by["process→engagement"].get("sentence").startswith(
        "Process explains 80% of the explained variance in engagement across teams (interval ")
    # One item per dimension: the item model gives the same split, named by the item's text.
    items = [f for f in report.figures if f.get("model") == "engagement-items" and f.get("driver")]
    assert [(f.get("driver_label"), f.value) for f in items][:2] == [("“The process item”", 80.0),
                                                                     ("“The culture item”", 20.0)]
    # No touchpoints: the customer models say why they are empty.
    assert any("No team owns a touchpoint with CSAT" in n for n in report.notes)
    # The rollup-only statement, on every export.
    assert report.notes[0].startswith("Tandem keeps sums per team and wave for reports, not individual answers")
    assert "at least 5 answers" in report.notes[0]


def test_page_csv_json_and_cli_agree(client, login, runner, org):
    login("executive")
    page = client.get("/reports/drivers?program=EXD&samples=50")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tandem keeps sums per team and wave for reports" in html and "team-waves" in html
    assert 'data-summary="Share of the explained variance' in html
    svg = client.get("/reports/drivers/charts/factors.svg?program=EXD&samples=50")
    assert svg.status_code == 200 and svg.data.lstrip().startswith(b"<svg")
    data = json.loads(client.get("/reports/drivers.json?program=EXD&samples=50").data)
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/drivers.csv?program=EXD&samples=50")
                                           .get_data(as_text=True))))
    cli = runner.invoke(args=["report", "drivers", "--program", "EXD", "--option", "samples=50", "--format", "json"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.output)["figures"] == data["figures"]
    table = runner.invoke(args=["report", "drivers", "--program", "EXD", "--option", "samples=50"])
    assert table.exit_code == 0 and "process→engagement" in table.output and "80.0" in table.output
    assert [r["metric"] for r in rows] == [f["metric"] for f in data["figures"]]
    for row, f in zip(rows, data["figures"]):
        assert float(row["value"]) == f["value"] and float(row["ci_low"]) == f["ci_low"]
        assert float(row["ci_high"]) == f["ci_high"] and int(row["n"]) == f["n"]
        if f.get("sentence"):
            assert f["sentence"] in html  # every driver's sentence is on the page
        if f["metric"].startswith("R²"):
            assert f"{f['value']}%" in html and f"{f['ci_low']}% to {f['ci_high']}%" in html


def test_team_lead_sees_drivers_over_their_subtree_only(client, login, db_session, org):
    from analysis.drivers import bootstrap_drivers

    lead = login("team_lead", team=org["d1"])
    org["d1"].lead_id = lead.id
    db_session.commit()
    client.application.config["LINKAGE_MIN_TEAMS"] = 5
    data = json.loads(client.get("/reports/drivers.json?samples=40").data)
    fig = {f["metric"]: f for f in data["figures"]}
    assert fig["process→engagement"]["unit"] == "D1" and fig["process→engagement"]["n"] == 9
    assert fig["process→engagement"]["teams"] == 9
    # The same numbers as the analysis on the nine teams of D1 alone (rows 1-9 of the design).
    import pandas as pd

    rows = []
    for p, c, q, t, *_ in design()[:9]:
        score = {"process": 80 if p > 0 else 20, "culture": 80 if c > 0 else 20, "people": 80 if q > 0 else 20,
                 "technology": 80 if t > 0 else 20}
        rows.append({**score, "engagement": 20 * int(2.5 + p + 0.5 * c)})
    frame = pd.DataFrame(rows).assign(unit=range(9))
    expected = bootstrap_drivers(frame, "engagement", ["culture", "people", "process", "technology"], cluster="unit",
                                 samples=40, seed=2003).driver("process")
    assert fig["process→engagement"]["value"] == round(expected.share, 1)
    assert fig["process→engagement"]["ci_low"] == round(expected.share_low, 1)
    assert client.get("/reports/drivers?unit=D2").status_code == 400  # outside the subtree
    assert client.get("/reports/linkage").status_code == 403


def test_too_few_teams_says_so(client, login, db_session, org):
    lead = login("team_lead", team=org["d2"])
    org["d2"].lead_id = lead.id
    db_session.commit()
    page = client.get("/reports/drivers")
    assert page.status_code == 200
    assert "Too few teams for drivers of engagement: 3 teams have enough answers, and at least 10 are needed" \
        in page.get_data(as_text=True)
    assert json.loads(client.get("/reports/drivers.json").data)["figures"] == []


@pytest.mark.parametrize("query, param", [("samples=abc", "samples"), ("samples=5", "samples"), ("samples=²", "samples"),
                                          ("lag=2", "lag"),
                                          ("wave=nope", "wave"), ("program=nope", "program"), ("unit=NOPE", "unit")])
def test_bad_parameters_are_400_naming_them(client, login, org, query, param):
    login("executive")
    page = client.get(f"/reports/drivers?{query}")
    assert page.status_code == 400 and f"<code>{param}</code>".encode() in page.data
    assert client.get(f"/reports/drivers.json?{query}").status_code == 400
