"""Trends report: a metric over waves, weeks or months with intervals; a team's history follows its id."""
from __future__ import annotations

import csv
import io
import json

import pytest

from surveys.insights.figures import ParamError
from surveys.insights.reports import trends
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope
from tests.webapp.test_report_dashboard import AS_OF, org  # noqa: F401  (the same organisation)


def _build(db_session, scope=Scope(None), unit=None, **options):
    return trends.build(db_session, ReportParams(unit=unit, options=options), scope, ReportSettings())


def test_engagement_over_waves_with_t_intervals(db_session, org):  # noqa: F811
    rep = _build(db_session, unit="A")
    assert [(f.period, f.value, f.n) for f in rep.figures] == [("W1", 33.3, 6), ("W2", 66.7, 6)]
    # 2 of 6 respondents at 100, 4 at 0: sd = sqrt(2666.7) = 51.64, t(0.975, 5) = 2.571 (t table):
    # 33.33 -/+ 2.571*51.64/sqrt(6) = 33.33 -/+ 54.19 -> -20.9 .. 87.5, cut at 0: an index cannot go below 0%.
    assert (rep.figures[0].ci_low, rep.figures[0].ci_high) == (0.0, 87.5)
    assert rep.chart("trend") is not None


def test_an_item_by_code_and_enps(db_session, org):  # noqa: F811
    item = _build(db_session, unit="A", metric="qe1")
    assert [f.value for f in item.figures] == [33.3, 66.7]  # % favourable of the one item
    assert [f.value for f in _build(db_session, unit="DEPT", metric="enps").figures] == [0.0, 0.0]
    with pytest.raises(ParamError) as err:
        _build(db_session, metric="qnothere")
    assert err.value.param == "metric"


def test_history_follows_the_team_through_a_rename_and_a_move(db_session, org):  # noqa: F811
    dept, a, _b = org
    before = [(f.value, f.n) for f in _build(db_session, unit="A").figures]
    a.name, a.parent_id = "Alpha Renamed", None
    db_session.flush()
    rep = _build(db_session, unit="A")
    assert [(f.value, f.n) for f in rep.figures] == before
    assert {f.unit_name for f in rep.figures} == {"Alpha Renamed"}
    assert any("current name" in n for n in rep.notes)
    assert [f.n for f in _build(db_session, unit="DEPT").figures] == [6, 6]  # the department keeps only B now


def test_customer_months_and_weeks(db_session, org):  # noqa: F811
    months = _build(db_session, unit="A", metric="csat", period="month", periods="3", as_of=AS_OF)
    # January: no answer; February: 5 of 5 satisfied; March (to the 31st): 6 of 9 (8 on the 10th, 1 on the 1st).
    assert [(f.period, f.value, f.n) for f in months.figures] == [
        ("2026-01-01/2026-01-31", None, None), ("2026-02-01/2026-02-28", 100.0, 5), ("2026-03-01/2026-03-31", 66.7, 9)]
    weeks = _build(db_session, unit="A", metric="csat", as_of=AS_OF)
    assert len(weeks.figures) == 26 and weeks.figures[-1].period == "2026-03-25/2026-03-31"
    assert sum(f.n for f in weeks.figures if not f.suppressed) == 13  # 5 on 10 Feb, 8 on 10 Mar; 1 March hidden


@pytest.mark.parametrize("option,value", [("metric", "happiness"), ("period", "year"), ("periods", "1"),
                                          ("periods", "x"), ("as_of", "2026-13-01")])
@pytest.mark.parametrize("metric", ["csat", "engagement"])
def test_bad_options_name_themselves(db_session, org, option, value, metric):  # noqa: F811
    if option == "periods" and metric == "engagement":
        return  # periods counts customer weeks or months; employees go by wave
    base = {"metric": metric}
    with pytest.raises(ParamError) as err:
        _build(db_session, **{**base, option: value})
    assert err.value.param == option


def test_team_lead_sees_their_subtree_only(client, login, db_session, org):  # noqa: F811
    _dept, a, _b = org
    lead = login("team_lead", team=a)
    a.lead_id = lead.id
    db_session.commit()
    data = json.loads(client.get("/reports/trends.json").data)
    assert {f["unit"] for f in data["figures"]} == {"A"}
    assert client.get("/reports/trends?unit=B").status_code == 400
    assert client.get("/reports/trends?unit=DEPT").status_code == 400


def test_page_csv_json_and_cli_agree(client, login, runner, db_session, org):  # noqa: F811
    login("hr_admin")
    query = f"unit=A&metric=csat&period=month&periods=3&as_of={AS_OF}"
    page = client.get(f"/reports/trends?{query}")
    assert page.status_code == 200 and b"Alpha" in page.data and b"66.7" in page.data and b"vega-spec" in page.data
    data = json.loads(client.get(f"/reports/trends.json?{query}").data)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/reports/trends.csv?{query}").get_data(as_text=True))))
    cli = runner.invoke(args=["report", "trends", "--format", "json", "--unit", "A", "--option", "metric=csat",
                              "--option", "period=month", "--option", "periods=3", "--option", f"as_of={AS_OF}"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.output)["figures"] == data["figures"]
    assert [(r["period"], r["value"], r["ci_low"]) for r in rows] == [
        (f["period"], "" if f["value"] is None else str(f["value"]), "" if f["ci_low"] is None else str(f["ci_low"]))
        for f in data["figures"]]
    bad = client.get("/reports/trends?metric=happiness")
    assert bad.status_code == 400 and b"metric" in bad.data
    assert client.get("/reports/trends.csv?period=year&metric=csat").status_code == 400
