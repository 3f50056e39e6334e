"""The report registry's shared machinery: one build behind the page, the CSV, the JSON and the CLI."""
from __future__ import annotations

import csv
import io
import json

import pytest

from surveys.insights.figures import Figure, ParamError, Report, figure, hidden
from surveys.insights.reports.params import ReportParams


def test_a_suppressed_figure_carries_no_numbers():
    with pytest.raises(ValueError):
        Figure("A", "Alpha", "engagement", 50.0, 3, suppressed=True)
    f = hidden("A", "Alpha", "engagement", "W1", ("change",))
    assert f.as_dict() == {"unit": "A", "unit_name": "Alpha", "metric": "engagement", "period": "W1",
                           "value": None, "n": None, "ci_low": None, "ci_high": None, "suppressed": True,
                           "change": None}


def test_figure_hides_below_the_threshold_and_rounds():
    from analysis.summaries import share

    shown = figure("A", "Alpha", "item", share(4, 6), k=5, change=1.23456)
    assert (shown.value, shown.n, shown.get("change")) == (66.7, 6, 1.2)
    assert figure("A", "Alpha", "item", share(4, 4), k=5).suppressed


def test_report_rows_share_one_set_of_columns():
    rep = Report("x", "X", {}, (Figure("A", "Alpha", "m", 1.0, 5, extra=(("q", 0.5),)),
                               hidden("B", "Beta", "m", extra_names=("flag",))))
    assert rep.columns()[-2:] == ("q", "flag")
    assert rep.rows()[1][:5] == ["B", "Beta", "m", None, None]


def test_bad_compare_names_the_parameter():
    with pytest.raises(ParamError) as err:
        ReportParams(compare="sideways")
    assert err.value.param == "compare"


def test_unknown_report_is_404_and_bad_parameter_is_400(client, login, db_session, make):
    make.wave(make.program(code="EX"), status="closed", label="W1")
    db_session.commit()
    login("executive")
    assert client.get("/reports/nonsense").status_code == 404
    page = client.get("/reports/participation?unit=NOPE")
    assert page.status_code == 400
    assert b"No team with code" in page.data and b"unit" in page.data
    assert client.get("/reports/participation.csv?unit=NOPE").status_code == 400


def test_participation_agrees_across_page_csv_json_and_cli(client, login, runner, db_session, make):
    dept = make.team(code="DEPT", name="Department")
    a = make.team(code="A", name="Alpha", parent=dept)
    wave = make.wave(make.program(code="EX"), status="closed", label="W1")
    for _ in range(8):
        make.invitation(wave, make.person(team=a))
    db_session.commit()
    login("executive")
    page = client.get("/reports/participation")
    assert page.status_code == 200 and b"Alpha" in page.data
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/participation.csv").get_data(as_text=True))))
    data = json.loads(client.get("/reports/participation.json").data)
    cli = json.loads(runner.invoke(args=["report", "participation", "--format", "json"]).output)
    assert data["figures"] == cli["figures"]
    assert [r["unit"] for r in rows] == [f["unit"] for f in data["figures"]] == ["A"]
    assert rows[0]["suppressed"] == "True" and data["figures"][0]["suppressed"] is True  # nobody answered
    assert data["parameters"]["wave"] == "W1"


def test_team_lead_sees_only_their_subtree(client, login, db_session, make):
    dept = make.team(code="DEPT", name="Department")
    a, b = make.team(code="A", name="Alpha", parent=dept), make.team(code="B", name="Beta")
    wave = make.wave(make.program(code="EX"), status="closed", label="W1")
    for team in (a, b):
        for _ in range(6):
            make.invitation(wave, make.person(team=team))
    lead = login("team_lead", team=a)
    a.lead_id = lead.id
    db_session.commit()
    data = json.loads(client.get("/reports/participation.json").data)
    assert [f["unit"] for f in data["figures"]] == ["A"]
    assert client.get("/reports/participation?unit=B").status_code == 400
    assert client.get("/reports/linkage").status_code == 403


def test_a_parameter_no_report_reads_is_refused_not_ignored(client, login, runner, db_session, make):
    make.wave(make.program(code="EX"), status="closed", label="W1")
    db_session.commit()
    login("executive")
    page = client.get("/reports/participation?colour=red")
    assert page.status_code == 400 and b"no parameter" in page.data and b"colour" in page.data
    result = runner.invoke(args=["report", "participation", "--option", "colour=red"])
    assert result.exit_code == 1 and "(colour)" in result.output
