"""The heatmap's array path (heatmap_sums, heatmap_grid) gives exactly the figures, colours and blank
customer cells of the cell-by-cell computation it replaced (tests/webapp/heatmap_oracle.py), on the demo
organisation, for every comparison, shrinkage, filters, a lead's scope and a threshold that hides many.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

import demo
from surveys.insights.reports import build
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope
from surveys.models import Team, Wave
from surveys.org import hierarchy
from tests.webapp import heatmap_oracle

VARIANTS = [
    {}, {"compare": "parent"}, {"compare": "previous"},
    {"options": {"shrink": "1"}}, {"compare": "parent", "options": {"shrink": "1"}},
    {"compare": "previous", "options": {"shrink": "1"}},
    {"options": {"dimension": "people"}}, {"compare": "previous", "options": {"dimension": "process", "shrink": "1"}},
]


def _same(db_session, params: dict, scope: Scope, settings: ReportSettings) -> None:
    report = build(db_session, "heatmap", ReportParams(**params), scope, settings)
    opts = {k: dict(v) if k == "options" else v for k, v in params.items()}
    figures, classes, empty = heatmap_oracle.build(db_session, ReportParams(**opts), scope, settings)
    # repr: every field, floats to the last bit (and -0.0 apart from 0.0), None apart from NaN
    assert repr(report.figures) == repr(figures), params
    rows = report.context["rows"]
    assert {(f.unit, f.metric): css for figs, csss in rows.values() for f, css in zip(figs, csss)} == classes
    assert report.context["empty"] == empty


@pytest.mark.parametrize("k", [5, 12])
def test_array_path_matches_the_cell_by_cell_oracle(db_session, k):
    demo.build_demo(db_session, seed=7, teams=40, waves=6)
    settings = ReportSettings(min_group_size=k)
    for params in VARIANTS:
        _same(db_session, params, Scope(None), settings)
    waves = db_session.scalars(select(Wave).where(Wave.status == "closed").order_by(Wave.opens_at)).all()
    _same(db_session, {"wave": waves[1].label, "compare": "previous", "options": {"shrink": "1"}}, Scope(None),
          settings)
    dept = db_session.scalars(select(Team).where(Team.parent_id.is_(None)).order_by(Team.code)).first()
    child = db_session.scalars(select(Team).where(Team.parent_id == dept.id).order_by(Team.code)).first()
    for params in ({"unit": dept.code, "compare": "parent", "options": {"shrink": "1"}},
                   {"unit": child.code, "compare": "previous"}):
        _same(db_session, params, Scope(None), settings)
    lead = Scope(frozenset(hierarchy.team_scope(db_session, dept.id)))  # a department lead's subtree
    for params in ({}, {"compare": "parent", "options": {"shrink": "1"}}, {"compare": "previous"}):
        _same(db_session, params, lead, settings)


def test_a_survey_with_no_column_gives_an_empty_grid(db_session, make, client, login):
    """Only a free-text question: no column, every unit listed with no cell (as the cell-by-cell code did)."""
    program = make.program(survey=make.survey(questions=[{"code": "c", "qtype": "text", "dimension": "comment"}]),
                           code="TXT")
    make.wave(program, status="closed", label="T1")
    make.team(code="SOLO", name="Solo")
    db_session.commit()
    report = build(db_session, "heatmap", ReportParams(program="TXT"), Scope(None), ReportSettings())
    assert report.figures == () and report.context["columns"] == []
    assert report.context["rows"]["SOLO"] == ((), ())
    login("executive")
    assert client.get("/reports/heatmap?program=TXT").status_code == 200
