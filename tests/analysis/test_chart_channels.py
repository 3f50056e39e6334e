"""Every chart builder gives Altair channel objects, never bare strings: a bare string or dict goes through
Altair's from_dict, which hashes all of its ~570 schema classes on each call (5 ms each; vega/altair#3547).

The specs stay valid Vega-Lite (to_dict validates by default) and keep the field types Altair infers from the
data for untyped fields."""
import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace

import altair.utils.schemapi as schemapi
import pandas as pd
import pytest

from analysis import charts
from analysis.alert_charts import evidence_chart
from analysis.drivers import bootstrap_drivers, relative_importance
from analysis.linkage import correlate, linkage_matrix
from tests.analysis.test_charts import _units


@contextmanager
def no_from_dict(monkeypatch):
    """Fail the test if anything builds Altair's from_dict class table."""
    def refuse(self, *args, **kwargs):
        raise AssertionError("a chart encoding was given as a bare string or dict (Altair from_dict)")

    with monkeypatch.context() as patch:
        patch.setattr(schemapi._FromDict, "__init__", refuse)
        yield


def _builders():
    units = _units()
    rep = linkage_matrix(units, ["engagement", "process"], ["csat"], lags=(0, 1))
    drivers = relative_importance(units, "csat", ["engagement", "process"], bootstrap=20, seed=1)
    boot = bootstrap_drivers(units.assign(team=units["unit"]), "csat", ["engagement", "process"], cluster="team",
                             samples=20, seed=1)
    series = pd.DataFrame({"touchpoint": ["a"] * 3, "wave": [1, 2, 3], "score": [70, 72, 65],
                           "lo": [65, 67, 60], "hi": [75, 77, 70]})
    bars = pd.DataFrame({"team": ["A", "B"], "rate": [60.0, 70.0], "low": [50.0, 60.0], "high": [70.0, 80.0]})
    weeks = pd.DataFrame({"week": pd.to_datetime(["2026-01-05", "2026-01-12"]), "theme": ["Wait", "Staff"],
                          "n": [3, 4], "mean_sentiment": [-0.4, 0.3]})
    evidence = pd.DataFrame({"start": ["2026-01-05", "2026-01-12"], "value": [80.0, 61.0], "low": [70.0, None],
                             "high": [90.0, None], "n": [30, 12]})
    return {
        "linkage_heatmap": lambda: charts.linkage_heatmap(rep, labels={"csat": "CSAT"}),
        "linkage_forest": lambda: charts.linkage_forest(rep, lag=1),
        "forest_plot": lambda: charts.forest_plot(rep, lags=[1]),
        "linkage_scatter": lambda: charts.linkage_scatter(units, "engagement", "csat",
                                                          correlate(units["engagement"], units["csat"]), label="unit"),
        "driver_bars": lambda: charts.driver_bars(drivers),
        "driver_shares": lambda: charts.driver_shares([boot]),
        "trend_chart": lambda: charts.trend_chart(series, ci_low="lo", ci_high="hi", target=75),
        "figure_bars": lambda: charts.figure_bars(bars, "team", "rate", "Response rate", "low", "high"),
        "interval_line": lambda: charts.interval_line(bars, "team", "rate", "low", "high", x_title="Team",
                                                      y_title="Rate"),
        "theme_weeks": lambda: charts.theme_weeks(weeks),
        "evidence_chart": lambda: evidence_chart(evidence, y_title="CSAT %", baseline=(80.0, 75.0, 85.0),
                                                 began=dt.date(2026, 1, 12), detected=dt.date(2026, 1, 12)),
    }


@pytest.mark.parametrize("name", sorted(_builders()))
def test_builder_uses_channel_objects_and_stays_valid(name, monkeypatch):
    build = _builders()[name]
    with no_from_dict(monkeypatch):
        chart = build()
        spec = chart.to_dict(validate=False)
    assert chart.to_dict() == spec  # the validated spec is the same


def test_untyped_tooltips_still_get_their_type_from_the_data():
    spec = charts.figure_bars(pd.DataFrame({"team": ["A"], "rate": [60.0]}), "team", "rate", "Rate").to_dict()
    assert spec["encoding"]["tooltip"] == [{"field": "team", "type": "nominal"},
                                           {"field": "rate", "type": "quantitative"}]


def test_report_sparkline_and_trend_use_channel_objects(monkeypatch):
    from surveys.insights.reports._charts import sparkline, trend

    figures = [SimpleNamespace(period=f"2026/W{i}", value=70.0 + i, ci_low=60.0 + i, ci_high=80.0 + i, n=10 + i,
                               unit_name="Team A") for i in range(3)]
    with no_from_dict(monkeypatch):
        made = [sparkline(figures, "CSAT"), trend(figures, "Score", "Week")]
    for chart in made:
        assert chart.to_dict()["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
