"""Every report's charts are valid Vega-Lite: pages, exports and chart downloads take the spec unchecked
(Chart.spec, to save 10-15 ms a chart), so the check against the schema is made here, on the demo data."""
from __future__ import annotations

from demo import build_demo
from surveys.insights.figures import ParamError
from surveys.insights.reports import REPORTS, available, build
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope

VARIANTS = [(name, {}) for name in REPORTS] + [("trends", {"metric": "csat"}), ("customers", {"period": "week"}),
                                               ("customers", {"channel": "web", "metric": "nps"})]


def test_every_report_chart_spec_is_valid_vega_lite(db_session):
    build_demo(db_session, seed=7, teams=40, waves=6)
    db_session.flush()
    drawn = set()
    for name, options in VARIANTS:
        if not available(name):
            continue
        try:
            report = build(db_session, name, ReportParams(options=options), Scope(), ReportSettings())
        except ParamError:
            continue
        for chart in report.charts:
            assert chart.chart.to_dict() == chart.spec(), (name, chart.name)  # to_dict() validates
            drawn.add(name)
    assert {"dashboard", "trends", "drivers", "customers", "participation", "linkage"} <= drawn
