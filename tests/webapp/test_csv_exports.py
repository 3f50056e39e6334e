"""Every CSV Tandem writes goes through surveys.exports.csvsafe: a touchpoint code like =HYPERLINK(...) is
written as text, never as a formula (contact-link download, `tandem links public`, `tandem report linkage`)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace

import pandas as pd
import pytest

from surveys.models import utcnow

EVIL = '=HYPERLINK("http://e.example","x")'  # a touchpoint code is at most 40 characters


@pytest.fixture
def evil(make, db_session):
    program = make.program(audience="customer", code="CX")
    make.wave(program=program, opens_at=utcnow() - dt.timedelta(days=1))
    make.touchpoint(code=EVIL)
    db_session.commit()


def test_contact_link_download(client, login, evil):
    login("hr_admin")
    response = client.post("/admin/touchpoints/contact-links", data={"program": "CX", "touchpoint": EVIL, "count": "2"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["url", "program", "touchpoint"] and len(rows) == 3
    assert all(row[2] == "'" + EVIL and row[1] == "CX" for row in rows[1:])
    assert '"' not in response.headers["Content-Disposition"].split('filename="', 1)[1][:-1]


def test_cli_public_links(runner, evil):
    result = runner.invoke(args=["links", "public", "--program", "CX", "--base-url", "https://f.example"])
    assert result.exit_code == 0, result.output
    row = next(csv.reader(io.StringIO(result.output), delimiter="\t"))
    assert row[:2] == ["CX", "'" + EVIL] and row[2].startswith("https://f.example/r/c/CX/")


def test_cli_linkage_csv(runner, monkeypatch, tmp_path):
    row = SimpleNamespace(ex_metric="engagement", cx_metric="csat", lag=1, r=-0.31, ci_low=-0.5, ci_high=-0.1,
                          q_value=0.01, n=120, reverse_r=-0.2, linked=True, reverse_linked=False,
                          sentence="-1+1 " + EVIL)
    frame = pd.DataFrame([{"ex_metric": "@engagement", "r": -0.31, "n": 120, "sentence": row.sentence}])
    report = SimpleNamespace(rows=[row], n_tests=1, to_frame=lambda: frame)
    result = SimpleNamespace(report=report, units=SimpleNamespace(frame=frame, suppressed=0), waves=[1, 2],
                             min_group_size=5, too_few_teams=False, teams=12, min_teams=10, labels={})
    monkeypatch.setattr("surveys.insights.reports.linkage.linkage_analysis", lambda *a, **k: result)
    out = tmp_path / "linkage.csv"
    cli = runner.invoke(args=["report", "linkage", "--program", "P", "--csv", str(out)])
    assert cli.exit_code == 0, cli.output
    rows = list(csv.reader(out.open(newline="")))
    assert rows == [["ex_metric", "r", "n", "sentence"], ["'@engagement", "-0.31", "120", "'-1+1 " + EVIL]]
