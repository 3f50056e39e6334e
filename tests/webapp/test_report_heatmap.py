"""Heatmap report: hand-worked cells, Benjamini-Hochberg flags, shrinkage, suppression, scope, formats."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import numpy as np
import pytest

from analysis.linkage import benjamini_hochberg
from surveys.collection import submission
from surveys.insights.figures import ParamError
from surveys.insights.reports import build
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope
from tests.webapp.test_security_headers import assert_no_inline_code

QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
             {"code": "p1", "qtype": "likert5", "dimension": "people"},
             {"code": "enps", "qtype": "scale0_10", "dimension": "enps"}]


def answer(db_session, wave, team, favourable: int, n: int, day=dt.date(2026, 1, 3)):
    """`n` respondents of `team`, the first `favourable` answering 5 to every item (and 9 on eNPS), the rest 1."""
    e1, p1, enps = wave.survey.questions
    for i in range(n):
        fav = i < favourable
        submission.store_response(db_session, wave=wave, team_id=team.id, source="import",
                                  parsed={e1: (5 if fav else 1, None), p1: (5 if fav else 1, None),
                                          enps: (9 if fav else 3, None)}, today=day)


def run(db_session, **kw):
    opts = kw.pop("options", {})
    scope = kw.pop("scope", Scope(None))
    return build(db_session, "heatmap", ReportParams(program="EXH", options=opts, **kw), scope, ReportSettings())


def cell(report, unit, metric):
    return next(f for f in report.figures if f.unit == unit and f.metric == metric)


@pytest.fixture
def weak(db_session, make):
    """A department of six teams of 20: team A has 2 favourable, B-F have 12 each (60%)."""
    program = make.program(survey=make.survey(questions=QUESTIONS), code="EXH")
    wave = make.wave(program, opens_at=dt.datetime(2026, 1, 1), status="closed", label="W1")
    dept = make.team(code="DEPT", name="Department", parent=make.team(code="CO", name="Company"))
    teams = {code: make.team(code=code, name=f"Team {code}", parent=dept) for code in "ABCDEF"}
    for code, team in teams.items():
        answer(db_session, wave, team, 2 if code == "A" else 12, 20)
    db_session.commit()
    return wave, dept, teams


def test_cells_against_the_rest_of_the_organisation_by_hand(db_session, weak):
    rep = run(db_session)
    a, b = cell(rep, "A", "item.e1"), cell(rep, "B", "item.e1")
    # A: 2/20 = 10%; the rest of the organisation: 5 x 12 / 100 = 60% -> -50 points.
    assert (a.value, a.n, a.get("change")) == (10.0, 20, -50.0)
    # B: 12/20 = 60%; the rest: (2 + 4 x 12) / 100 = 50% -> +10 points, an interval across 0.
    assert (b.value, b.get("change")) == (60.0, 10.0) and b.get("change_low") < 0 < b.get("change_high")
    assert cell(rep, "DEPT", "item.e1").value == pytest.approx(100 * 62 / 120, abs=0.05)
    assert cell(rep, "ORG", "item.e1").get("change") is None  # nothing to compare the whole with
    assert cell(rep, "A", "engagement").value == 10.0  # the respondent's index over e1: 100 or 0


def test_only_the_weak_team_is_flagged_after_benjamini_hochberg(db_session, weak):
    rep = run(db_session)
    tested = [f for f in rep.figures if f.get("p_value") is not None]
    # Tested cells: six teams x (engagement, people, eNPS, e1, p1) = 30 (CO and DEPT are the whole organisation).
    assert len(tested) == 30
    flagged = {f.unit for f in tested if f.get("flagged")}
    assert flagged == {"A"}
    assert all(f.get("flagged") for f in tested if f.unit == "A")
    # The q-values are Benjamini-Hochberg's over all 30 (checked on the rounded p-values: 4 decimals).
    q = benjamini_hochberg([f.get("p_value") for f in tested])
    assert [f.get("q_value") for f in tested] == pytest.approx(q, abs=2e-3)
    # B-F: +10 points on 20 people against 100 is well inside chance (q >= .05).
    assert min(f.get("q_value") for f in tested if f.unit != "A") >= 0.05


def test_shrinkage_pulls_a_team_of_six_off_the_top(db_session, make):
    program = make.program(survey=make.survey(questions=QUESTIONS), code="EXH")
    wave = make.wave(program, opens_at=dt.datetime(2026, 1, 1), status="closed", label="W1")
    dept = make.team(code="DEPT", name="Department")
    sizes = {"S": (6, 6), "L": (34, 40), "M1": (12, 20), "M2": (13, 20), "M3": (11, 20)}
    for code, (fav, n) in sizes.items():
        answer(db_session, wave, make.team(code=code, parent=dept), fav, n)
    db_session.commit()
    raw = run(db_session)
    assert max(("S", "L", "M1"), key=lambda u: cell(raw, u, "item.e1").value) == "S"  # 100% on six people
    rep = run(db_session, options={"shrink": "1"})
    s, big = cell(rep, "S", "item.e1"), cell(rep, "L", "item.e1")
    assert s.get("raw_value") == 100.0 and s.value < big.value
    # By hand: centre = DEPT = 76/106; v_i = c(1-c)/n_i (x 100^2); tau2 = mean squared deviation of the
    # organisation's visible teams (and DEPT against the organisation, deviation 0) minus their mean variance.
    c = 76 / 106
    n = np.array([6, 40, 20, 20, 20, 106])
    y = 100 * np.array([1, 34 / 40, 12 / 20, 13 / 20, 11 / 20, c])
    v = c * (1 - c) * 1e4 / n
    tau2 = max(0.0, float(np.mean((y - 100 * c) ** 2) - v.mean()))
    w = tau2 / (tau2 + v[0])
    assert s.get("weight") == pytest.approx(w, abs=1e-3)
    assert s.value == pytest.approx(100 * c + w * (100 - 100 * c), abs=0.05)


def test_suppression_and_its_complement(db_session, make):
    program = make.program(survey=make.survey(questions=QUESTIONS), code="EXH")
    wave = make.wave(program, opens_at=dt.datetime(2026, 1, 1), status="closed", label="W1")
    dept = make.team(code="DEPT")
    for code, n in (("A", 3), ("B", 9), ("C", 12)):
        answer(db_session, wave, make.team(code=code, parent=dept), 1, n)
    db_session.commit()
    rep = run(db_session)
    # A (3 people) is below k = 5; the department's total is shown, so B (the smallest visible sibling)
    # is hidden too: otherwise A = DEPT - B - C.
    assert cell(rep, "A", "engagement").suppressed and cell(rep, "B", "engagement").suppressed
    assert not cell(rep, "C", "engagement").suppressed and not cell(rep, "DEPT", "engagement").suppressed
    assert cell(rep, "B", "engagement").get("change") is None
    # No customer answered over the period: no customer columns; no culture item: no culture column.
    assert not {"csat", "nps", "ces", "culture"} & {f.metric for f in rep.figures}


def test_previous_wave_comparison_and_options(db_session, weak, make):
    wave, dept, teams = weak
    later = make.wave(wave.program, opens_at=dt.datetime(2026, 2, 1), status="closed", label="W2")
    for code, team in teams.items():
        answer(db_session, later, team, 12, 20, day=dt.date(2026, 2, 3))
    db_session.commit()
    rep = run(db_session, compare="previous")
    assert rep.params["wave"] == "W2"
    assert cell(rep, "A", "item.e1").get("change") == 50.0  # 10% -> 60%
    assert cell(rep, "B", "item.e1").get("change") == 0.0
    narrowed = run(db_session, options={"dimension": "people"})
    assert {f.metric for f in narrowed.figures if f.metric.startswith("item.")} == {"item.p1"}
    with pytest.raises(ParamError) as err:
        run(db_session, options={"dimension": "nonsense"})
    assert err.value.param == "dimension"
    with pytest.raises(ParamError) as err:
        run(db_session, options={"shrink": "yes"})
    assert err.value.param == "shrink"


def test_page_csv_json_and_cli_agree(client, login, runner, db_session, weak):
    login("executive")
    page = client.get("/reports/heatmap?program=EXH")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Team A" in html and "heat-flag" in html and "<details open" in html
    assert_no_inline_code("report page", html)  # CSP: no inline script, handler or style
    assert "fewer than 5</span>" not in html  # no team is small; customer cells of teams without touchpoints read —
    data = json.loads(client.get("/reports/heatmap.json?program=EXH").data)
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/heatmap.csv?program=EXH").get_data(as_text=True))))
    cli = json.loads(runner.invoke(args=["report", "heatmap", "--program", "EXH", "--format", "json"]).output)
    assert data["figures"] == cli["figures"]
    assert len(rows) == len(data["figures"])
    for row, fig in zip(rows, data["figures"]):
        assert (row["unit"], row["metric"]) == (fig["unit"], fig["metric"])
        assert row["value"] == ("" if fig["value"] is None else str(fig["value"]))
        assert row["flagged"] == ("" if fig["flagged"] is None else str(fig["flagged"]))
    a = next(f for f in data["figures"] if f["unit"] == "A" and f["metric"] == "item.e1")
    assert f">{a['value']}<" in html.replace("<b>", ">").replace("</b>", "<")
    shrunk = client.get("/reports/heatmap?program=EXH&shrink=1&compare=parent")
    assert shrunk.status_code == 200 and "Shrunken estimates" in shrunk.get_data(as_text=True)
    bad = client.get("/reports/heatmap?program=EXH&dimension=nope")
    assert bad.status_code == 400 and b"dimension" in bad.data
    assert client.get("/reports/heatmap.csv?program=EXH&shrink=2").status_code == 400


def test_team_lead_sees_only_their_subtree(client, login, db_session, weak, make):
    wave, dept, teams = weak
    lead = login("team_lead", team=teams["B"])
    teams["B"].lead_id = lead.id
    db_session.commit()
    data = json.loads(client.get("/reports/heatmap.json?program=EXH").data)
    assert {f["unit"] for f in data["figures"]} == {"ORG", "B"}
    assert client.get("/reports/heatmap?program=EXH&unit=A").status_code == 400
    assert client.get("/reports/heatmap?program=EXH").status_code == 200


def test_customer_outcomes_of_the_touchpoints_a_team_owns(client, login, db_session, weak, make):
    wave, dept, teams = weak
    cx = make.wave(make.program(survey=make.survey(audience="customer", questions=[
        {"code": "csat", "qtype": "likert5", "dimension": "csat"}])), opens_at=dt.datetime(2026, 1, 1), days=60)
    tp = make.touchpoint(team=teams["B"])
    for i in range(8):  # 6 of 8 satisfied (4 or 5) on 5 January, inside W1's customer period
        submission.store_response(db_session, wave=cx, team_id=teams["B"].id, source="import",
                                  parsed={cx.survey.questions[0]: (5 if i < 6 else 2, None)},
                                  today=dt.date(2026, 1, 5), touchpoint=tp)
    submission.store_response(db_session, wave=cx, team_id=teams["B"].id, source="import",  # next period
                              parsed={cx.survey.questions[0]: (1, None)}, today=dt.date(2026, 2, 5), touchpoint=tp)
    db_session.commit()
    rep = run(db_session)
    b = cell(rep, "B", "csat")
    assert (b.value, b.n) == (75.0, 8)
    assert cell(rep, "DEPT", "csat").value == 75.0 and cell(rep, "A", "csat").suppressed
    login("executive")
    html = client.get("/reports/heatmap?program=EXH").get_data(as_text=True)
    assert "No customer answers at this unit" in html


def test_the_page_and_exports_read_only_rollups(client, login, db_session, weak, statements):
    from tests.webapp.test_reports_read_rollups import RAW

    login("hr_admin")
    statements.clear()
    for path in ("/reports/heatmap?program=EXH&shrink=1", "/reports/heatmap.csv?program=EXH&compare=parent"):
        assert client.get(path).status_code == 200
    seen = statements
    assert seen and [s for s in seen if RAW.search(s)] == []


def test_a_lead_compared_with_the_parent_gets_the_rest_of_the_organisation(db_session, weak, make):
    wave, dept, teams = weak
    other = make.team(code="X", parent=dept.parent)  # a second unit under the company: 20 of 20 favourable
    answer(db_session, wave, other, 20, 20)
    db_session.commit()
    everyone = run(db_session, compare="parent")
    # For an executive B's parent is DEPT: its rest is A + C..F = (2 + 4 x 12) / 100 = 50% -> +10.
    assert cell(everyone, "B", "item.e1").get("change") == 10.0
    # DEPT against the rest of the company (X, 100%): 62/120 = 51.7% -> -48.3.
    assert cell(everyone, "DEPT", "item.e1").get("change") == pytest.approx(100 * 62 / 120 - 100, abs=0.05)
    lead = run(db_session, compare="parent", scope=Scope(frozenset({teams["B"].id})))
    # DEPT is outside a lead of B's scope: B is compared with the rest of the organisation instead,
    # (50 + 20) / 120 = 58.3% -> +1.7, never with DEPT's rest (which the difference would give away).
    assert cell(lead, "B", "item.e1").get("change") == pytest.approx(60 - 100 * 70 / 120, abs=0.05)
