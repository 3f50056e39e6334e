"""Customers report: CSAT, NPS and CES from the customer rollups, per period, touchpoint, channel (surveyed
and imported side by side) and owning team; suppression, scope, exports and verbatims."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest

from surveys.collection import submission
from surveys.ingestion import import_feedback
from surveys.insights.figures import ParamError
from surveys.insights.reports import customers
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope

CX = [{"code": "csat", "qtype": "likert5", "dimension": "csat"},
      {"code": "nps", "qtype": "scale0_10", "dimension": "nps"},
      {"code": "ces", "qtype": "likert7", "dimension": "ces"},
      {"code": "comment", "qtype": "text", "dimension": "comment", "required": False}]
RAW = re.compile(r"\b(answers|responses)\b", re.IGNORECASE)


@pytest.fixture
def cx(db_session, make):
    """DEPT > A (touchpoints TPA web, TPC store) and B (TPB phone).

    January: 6 surveyed answers at TPA. February: 5 imported rows at TPA on the email channel (CSAT 5)
    and 2 imported rows at TPB (CSAT 1). March: 6 surveyed answers at TPC (CSAT 4).
    """
    dept = make.team(code="DEPT", name="Department")
    a, b = make.team(code="A", name="Alpha", parent=dept), make.team(code="B", name="Beta", parent=dept)
    tpa = make.touchpoint(team=a, code="TPA", channel="web")
    make.touchpoint(team=b, code="TPB", channel="phone")
    tpc = make.touchpoint(team=a, code="TPC", channel="store")
    program = make.program(survey=make.survey(audience="customer", questions=CX), code="CXP", audience="customer")
    wave = make.wave(program, label="Q1", opens_at=dt.datetime(2026, 1, 1), days=95, status="open")
    csat, nps, ces, comment = wave.survey.questions
    for c, n, e in zip([5, 4, 3, 2, 5, 4], [10, 9, 8, 7, 6, 0], [7, 6, 5, 4, 3, 2]):
        submission.store_response(db_session, wave=wave, team_id=a.id, source="public_link", touchpoint=tpa,
                                  parsed={csat: (c, None), nps: (n, None), ces: (e, None)},
                                  today=dt.date(2026, 1, 10))
    for i in range(6):
        submission.store_response(db_session, wave=wave, team_id=a.id, source="public_link", touchpoint=tpc,
                                  parsed={csat: (4, None), comment: (None, f"store visit {i}")},
                                  today=dt.date(2026, 3, 3))
    rows = "".join(f"TPA,2026-02-10,email,5,,,Great call {i}\n" for i in range(5))
    rows += "TPB,2026-02-11,,1,,,B only comment\nTPB,2026-02-12,,1,,,\n"
    result = import_feedback(db_session, io.BytesIO(("touchpoint,date,channel,csat,nps,ces,comment\n" + rows).encode()),
                             program_code="CXP", now=dt.datetime(2026, 4, 1))
    assert result.ok, result.errors
    db_session.commit()
    return dept, a, b


def build(db_session, scope=Scope(None), **options):
    unit = options.pop("unit", None)
    return customers.build(db_session, ReportParams(unit=unit, options=options), scope, ReportSettings())


def fig(report, breakdown, unit, metric="csat", **extra):
    found = [f for f in report.figures if f.get("breakdown") == breakdown and f.unit == unit and f.metric == metric
             and all(f.get(k) == v for k, v in extra.items())]
    assert len(found) == 1, (breakdown, unit, found)
    return found[0]


def test_figures_match_hand_worked_values(db_session, cx):
    report = build(db_session, **{"from": "2026-01-01", "to": "2026-03-31"})
    # Surveyed web, January: CSAT 4 of 6 in the top two boxes. Wilson 95%: centre (p + z²/2n)/(1 + z²/n)
    # = 0.6016, half-width z·√(p(1-p)/n + z²/4n²)/(1 + z²/n) = 0.3016 -> 30.0 to 90.3 (worked by hand).
    web = fig(report, "channel", "web", origin="surveyed")
    assert (web.value, web.ci_low, web.ci_high, web.n) == (66.7, 30.0, 90.3, 6)
    # Phone (imported, 2 answers) is hidden, and email (imported, 5: the smallest visible) with it.
    assert fig(report, "channel", "phone", origin="imported").suppressed
    assert fig(report, "channel", "email", origin="imported").suppressed
    # At TPA alone nothing is hidden. Imported email: 5 of 5; Wilson lower bound n/(n + z²) = 5/8.8415.
    email = fig(build(db_session, touchpoint="TPA", **{"from": "2026-01-01", "to": "2026-03-31"}),
                "channel", "email", origin="imported")
    assert (email.value, email.ci_low, email.ci_high, email.n) == (100.0, 56.6, 100.0, 5)
    # NPS at web: 2 promoters (10, 9), 2 detractors (6, 0) of 6 -> 0; margin 1.96·√((2/6 + 2/6 - 0)/6) = 65.3.
    nps = fig(report, "channel", "web", "nps", origin="surveyed")
    assert (nps.value, nps.ci_low, nps.ci_high) == (0.0, -65.3, 65.3)
    # CES 7..2: mean 4.5, sd √3.5, t(5) 2.5706 · 0.7638 = 1.963 -> 2.5 to 6.5.
    ces = fig(report, "channel", "web", "ces", origin="surveyed")
    assert (ces.value, ces.ci_low, ces.ci_high) == (4.5, 2.5, 6.5)
    # Months: Jan 6 answers (66.7%), Feb 5 fives + 2 ones (5/7 = 71.4%), Mar 6 fours (100%).
    assert [(f.period, f.value, f.n) for f in report.figures
            if f.get("breakdown") == "period" and f.metric == "csat"] == [
        ("2026-01", 66.7, 6), ("2026-02", 71.4, 7), ("2026-03", 100.0, 6)]
    total = fig(report, "total", "ORG")  # 4 + 5 + 6 satisfied of 6 + 7 + 6
    assert (total.value, total.n) == (pytest.approx(15 / 19 * 100, abs=0.05), 19)
    # TPB has 2 answers: hidden; TPC (6) is then the smallest visible sibling and is hidden too, or TPB
    # would be the total minus TPA and TPC. Teams: B hidden, so A (the only sibling) is hidden as well.
    assert fig(report, "touchpoint", "TPB").suppressed and fig(report, "touchpoint", "TPC").suppressed
    tpa = fig(report, "touchpoint", "TPA")
    assert (tpa.value, tpa.n, tpa.get("team"), tpa.get("channel")) == (pytest.approx(81.8, abs=0.05), 11, "A", "web")
    assert fig(report, "team", "B").suppressed and fig(report, "team", "A").suppressed
    assert [c.name for c in report.charts] == ["csat", "nps", "ces"]


def test_weeks_filters_and_default_range(db_session, cx):
    report = build(db_session, period="week", metric="csat", channel="email")
    # Default: the 12 weeks up to the last day with feedback (Tuesday 3 March 2026; its Monday less 11 weeks).
    assert report.params["to"] == "2026-03-03" and report.params["from"] == "2025-12-15"
    assert {f.metric for f in report.figures} == {"csat"}
    assert [(f.period, f.n) for f in report.figures if f.get("breakdown") == "period"] == [("2026-W07", 5)]
    tp = build(db_session, touchpoint="TPC", **{"from": "2026-01-01", "to": "2026-03-31"})
    assert fig(tp, "total", "ORG").n == 6


@pytest.mark.parametrize("options, param", [
    ({"period": "day"}, "period"), ({"from": "2026-13-01"}, "from"), ({"metric": "x"}, "metric"),
    ({"channel": "pigeon"}, "channel"), ({"touchpoint": "NOPE"}, "touchpoint"), ({"score": "9"}, "score"),
    ({"metric": "nps", "score": "11"}, "score"), ({"page": "0"}, "page"),
    ({"from": "2026-03-01", "to": "2026-01-01"}, "from"), ({"period": "week", "from": "2000-01-01"}, "from")])
def test_bad_options_name_the_parameter(db_session, cx, options, param):
    with pytest.raises(ParamError) as err:
        build(db_session, **options)
    assert err.value.param == param


def test_team_lead_sees_the_touchpoints_their_subtree_owns(client, login, db_session, cx):
    _dept, a, _b = cx
    lead = login("team_lead", team=a)
    a.lead_id = lead.id
    db_session.commit()
    data = json.loads(client.get("/reports/customers.json?from=2026-01-01&to=2026-03-31").data)
    assert {f["unit"] for f in data["figures"] if f["breakdown"] == "touchpoint"} == {"TPA", "TPC"}
    assert {f["unit"] for f in data["figures"] if f["breakdown"] == "team"} == {"A"}
    total = next(f for f in data["figures"] if f["breakdown"] == "total" and f["metric"] == "csat")
    assert (total["unit"], total["n"]) == ("A", 17)
    assert client.get("/reports/customers?touchpoint=TPB").status_code == 400
    assert client.get("/reports/customers?unit=B").status_code == 400
    page = client.get("/reports/customers?verbatims=1&from=2026-01-01&to=2026-03-31&metric=csat&score=1")
    assert page.status_code == 200 and b"B only comment" not in page.data
    page = client.get("/reports/customers?verbatims=1&from=2026-01-01&to=2026-03-31")
    assert b"Great call" in page.data and b"store visit" in page.data and b"B only comment" not in page.data


@pytest.mark.parametrize("role", ["executive", "hr_admin"])
def test_page_csv_json_and_cli_agree(client, login, runner, db_session, cx, role):
    login(role)
    query = "?from=2026-01-01&to=2026-03-31"
    page = client.get("/reports/customers" + query)
    assert page.status_code == 200 and b"Over time" in page.data and b"vega-spec" in page.data
    data = json.loads(client.get("/reports/customers.json" + query).data)
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/customers.csv" + query).get_data(as_text=True))))
    cli = json.loads(runner.invoke(args=["report", "customers", "--format", "json", "--option", "from=2026-01-01",
                                         "--option", "to=2026-03-31"]).output)
    assert data["figures"] == cli["figures"]
    assert [(r["unit"], r["metric"], r["value"] or None) for r in rows] == \
        [(f["unit"], f["metric"], None if f["value"] is None else str(f["value"])) for f in data["figures"]]
    for f in data["figures"]:
        if not f["suppressed"] and f["breakdown"] in ("total", "touchpoint"):
            assert f"{f['value']}".encode() in page.data
    assert client.get("/reports/customers.csv?period=day").status_code == 400


def test_verbatims_page_and_filter_by_score(client, login, db_session, cx):
    login("executive")
    page = client.get("/reports/customers?verbatims=1&from=2026-02-01&to=2026-02-28&metric=csat&score=1")
    assert page.status_code == 200
    assert b"B only comment" in page.data and b"Great call" not in page.data
    page = client.get("/reports/customers?verbatims=1&from=2026-01-01&to=2026-03-31&page=2")
    assert page.status_code == 200 and b"Newer" in page.data
    report = build(db_session, verbatims="1", **{"from": "2026-01-01", "to": "2026-03-31"})
    texts = [v.text for v in report.context["verbatims"]]
    assert len(texts) == 12 and texts[0].startswith("store visit")  # newest first
    assert report.context["verbatims"][-1].origin == "imported"
    assert "B only comment" not in json.dumps(report.as_json())  # verbatims are never exported


@pytest.mark.parametrize("query", ["?from=2026-01-01&to=2026-03-31", "?from=2026-01-01&to=2026-03-31&touchpoint=TPA",
                                   "?period=week&channel=email", ""])
def test_the_aggregates_read_the_rollups_only(client, login, db_session, cx, statements, query):
    login("executive")
    statements.clear()
    assert client.get("/reports/customers" + query).status_code == 200
    assert client.get("/reports/customers.json" + query).status_code == 200
    assert any("rollup_customer" in s for s in statements), "the listener saw no rollup statement"
    raw = [s for s in statements if RAW.search(s)]
    assert raw == [], raw[0]
