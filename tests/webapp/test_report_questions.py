"""Questions report: answer distributions by hand, Newcombe change, suppression, scope, formats; and the
rollup_item_options table it reads, kept by every write path."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from surveys import rollups
from surveys.collection import submission
from surveys.insights.figures import ParamError
from surveys.insights.reports import build
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope
from tests.webapp.test_security_headers import assert_no_inline_code
from surveys.models.rollups import RollupItem, RollupItemOption

QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
             {"code": "r1", "qtype": "likert5", "dimension": "people", "reverse_keyed": True},
             {"code": "enps", "qtype": "scale0_10", "dimension": "enps"},
             {"code": "where", "qtype": "single_choice", "dimension": "other", "choices": ["Office", "Home", "Mixed"]}]
# Team A, wave 2: e1 -> favourable 5 (4-5), neutral 2 (3), unfavourable 3 (1-2) of 10.
A_W2 = {"e1": [5, 5, 4, 4, 3, 3, 2, 1, 1, 5], "r1": [1, 1, 2, 5, 3, 4, 4, 5, 5, 5],
        "enps": [10, 9, 9, 8, 7, 6, 0, 3, 10, 8], "where": [0, 0, 0, 1, 1, 2, 2, 2, 2, 2]}
A_W1 = {"e1": [5, 1, 1, 1, 1, 3, 3, 2, 2, 4], "r1": [3] * 10, "enps": [5] * 10, "where": [0] * 10}


def store(db_session, wave, team, columns: dict, day):
    qs = {q.code: q for q in wave.survey.questions}
    for i in range(len(next(iter(columns.values())))):
        submission.store_response(db_session, wave=wave, team_id=team.id, source="import",
                                  parsed={qs[c]: (v[i], None) for c, v in columns.items()}, today=day)


def run(db_session, **kw):
    scope = kw.pop("scope", Scope(None))
    return build(db_session, "questions", ReportParams(program="EXQ", options=kw.pop("options", {}), **kw),
                 scope, ReportSettings())


def fig(report, metric):
    return next(f for f in report.figures if f.metric == metric)


@pytest.fixture
def org(db_session, make):
    program = make.program(survey=make.survey(questions=QUESTIONS), code="EXQ")
    w1 = make.wave(program, opens_at=dt.datetime(2026, 1, 1), status="closed", label="W1")
    w2 = make.wave(program, opens_at=dt.datetime(2026, 2, 1), status="closed", label="W2")
    dept = make.team(code="DEPT", name="Department")
    teams = {c: make.team(code=c, name=f"Team {c}", parent=dept) for c in "ABC"}
    store(db_session, w1, teams["A"], A_W1, dt.date(2026, 1, 3))
    store(db_session, w2, teams["A"], A_W2, dt.date(2026, 2, 3))
    store(db_session, w2, teams["B"], {c: v[:8] for c, v in A_W2.items()}, dt.date(2026, 2, 3))
    store(db_session, w2, teams["C"], {c: v[:3] for c, v in A_W2.items()}, dt.date(2026, 2, 3))
    db_session.commit()
    return teams


def test_the_option_rollup_is_kept_at_write_time_and_verified(db_session, org):
    a = org["A"]
    rows = db_session.execute(select(RollupItemOption.value, RollupItemOption.n)
                              .join(RollupItem, (RollupItem.question_id == RollupItemOption.question_id)
                                    & (RollupItem.wave_id == RollupItemOption.wave_id)
                                    & (RollupItem.team_id == RollupItemOption.team_id))
                              .where(RollupItemOption.team_id == a.id, RollupItem.total == 33)).all()
    # Team A's e1 in wave 2 (total 5+5+4+4+3+3+2+1+1+5 = 33): 1 twice, 2 once, 3 twice, 4 twice, 5 three times.
    assert sorted(rows) == [(1, 2), (2, 1), (3, 2), (4, 2), (5, 3)]
    assert rollups.verify(db_session) is None
    db_session.execute(RollupItemOption.__table__.update().values(n=RollupItemOption.n + 1))
    assert rollups.verify(db_session).table == "rollup_item_options"
    rollups.rebuild(db_session)
    assert rollups.verify(db_session) is None


def test_team_distribution_and_change_by_hand(db_session, org):
    rep = run(db_session, unit="A")
    assert rep.params["wave"] == "W2"
    fav, neu, unf = (fig(rep, f"e1.{b}") for b in ("favourable", "neutral", "unfavourable"))
    assert (fav.value, neu.value, unf.value, fav.n) == (50.0, 20.0, 30.0, 10)
    # Change 2/10 -> 5/10: +30 points. Newcombe (1998, method 10) by hand from the Wilson intervals
    # [.0567, .5098] and [.2366, .7634]: .3 - sqrt(.2634^2 + .3098^2) = -.107, .3 + sqrt(.2634^2 + .1433^2) = .600.
    assert (fav.get("previous"), fav.get("change")) == (20.0, 30.0)
    assert fav.get("change_low") == pytest.approx(-10.7, abs=0.1)
    assert fav.get("change_high") == pytest.approx(60.0, abs=0.1)
    assert fav.get("significant") is False
    # Reverse-keyed r1: 1-2 favourable (3 of 10), 4-5 unfavourable (6), 3 neutral (1).
    assert [fig(rep, f"r1.{b}").value for b in ("favourable", "neutral", "unfavourable")] == [30.0, 10.0, 60.0]
    # eNPS item: promoters 9-10 (4), passives 7-8 (3), detractors 0-6 (3).
    assert [fig(rep, f"enps.{b}").value for b in ("favourable", "neutral", "unfavourable")] == [40.0, 30.0, 30.0]
    assert [fig(rep, f"where.option.{v}").value for v in (0, 1, 2)] == [30.0, 20.0, 50.0]
    assert fig(rep, "where.option.1").get("answer") == "Home"
    assert fig(rep, "e1.option.5").get("answer") == "5 Strongly agree"
    assert not any(f.metric.startswith("where.favourable") for f in rep.figures)  # a choice has no bands


def test_organisation_totals_and_complementary_suppression(db_session, org):
    rep = run(db_session)
    assert fig(rep, "e1.favourable").n == 21 and fig(rep, "e1.favourable").unit == "ORG"
    # Favourable e1 in W2: A 5 + B 4 (5,5,4,4) + C 3 (5,5,4) = 12 of 21; W1's organisation is A alone, 2 of 10.
    assert fig(rep, "e1.favourable").value == pytest.approx(100 * 12 / 21, abs=0.05)
    assert fig(rep, "e1.favourable").get("change") == pytest.approx(100 * 12 / 21 - 20, abs=0.05)
    # C has 3 answers (< 5) and the department's total is shown, so B is hidden too.
    for unit in ("C", "B"):
        assert all(f.suppressed for f in run(db_session, unit=unit).figures)
    assert not any(f.suppressed for f in run(db_session, unit="A").figures)


def test_page_csv_json_and_cli_agree(client, login, runner, db_session, org):
    login("executive")
    page = client.get("/reports/questions?program=EXQ&unit=A")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert_no_inline_code("report page", html)  # CSP: no inline script, handler or style
    assert "Each answer" in html and "50.0%" in html and "+30.0 (-10.7 to 60.0)" in html
    data = json.loads(client.get("/reports/questions.json?program=EXQ&unit=A").data)
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/questions.csv?program=EXQ&unit=A")
                                           .get_data(as_text=True))))
    cli = json.loads(runner.invoke(args=["report", "questions", "--program", "EXQ", "--unit", "A",
                                         "--format", "json"]).output)
    assert data["figures"] == cli["figures"] and len(rows) == len(data["figures"])
    for row, f in zip(rows, data["figures"]):
        assert (row["metric"], row["value"], row["n"]) == (f["metric"], "" if f["value"] is None else str(f["value"]),
                                                          "" if f["n"] is None else str(f["n"]))
        assert f["suppressed"] or f"{f['value']}%" in html
    bad = client.get("/reports/questions?program=EXQ&dimension=nope")
    assert bad.status_code == 400 and b"dimension" in bad.data
    assert client.get("/reports/questions.json?program=EXQ&unit=NOPE").status_code == 400
    hidden = client.get("/reports/questions?program=EXQ&unit=C").get_data(as_text=True)
    assert "fewer than 5" in hidden and "%</span>" not in hidden


def test_bad_option_names_it(db_session, org):
    with pytest.raises(ParamError) as err:
        run(db_session, options={"dimension": "sideways"})
    assert err.value.param == "dimension"


def test_team_lead_sees_only_their_subtree(client, login, db_session, org):
    lead = login("team_lead", team=org["A"])
    org["A"].lead_id = lead.id
    db_session.commit()
    data = json.loads(client.get("/reports/questions.json?program=EXQ").data)
    assert {f["unit"] for f in data["figures"]} == {"A"}
    assert client.get("/reports/questions?program=EXQ&unit=B").status_code == 400
    assert client.get("/reports/questions?program=EXQ&unit=ORG").status_code == 200  # ORG -> their own team


def test_the_page_and_exports_read_only_rollups(client, login, db_session, org, statements):
    from tests.webapp.test_reports_read_rollups import RAW

    login("executive")
    statements.clear()
    for path in ("/reports/questions?program=EXQ", "/reports/questions.csv?program=EXQ&unit=A"):
        assert client.get(path).status_code == 200
    seen = statements
    assert seen and [s for s in seen if RAW.search(s)] == []
