"""Chart builders produce valid Vega-Lite and render offline."""
import numpy as np
import pandas as pd
import vl_convert as vlc

from analysis import charts
from analysis.drivers import relative_importance
from analysis.linkage import correlate, linkage_matrix


def _units():
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame({"unit": range(40), "wave": w, "engagement": rng.normal(size=40),
                            "process": rng.normal(size=40), "csat": rng.normal(size=40)}) for w in (1, 2)]
    return pd.concat(frames, ignore_index=True)


def test_linkage_charts_to_dict_and_svg():
    units = _units()
    rep = linkage_matrix(units, ["engagement", "process"], ["csat"], lags=(0, 1))
    for chart in (charts.linkage_heatmap(rep), charts.forest_plot(rep)):
        spec = chart.to_dict()
        assert "$schema" in spec
    svg = vlc.vegalite_to_svg(charts.forest_plot(rep).to_dict())
    assert svg.lstrip().startswith("<svg")
    # The readers' charts: the matrix shades linked cells only; the forest plot shows both directions.
    for chart in (charts.linkage_heatmap(rep, labels={"csat": "CSAT"}), charts.linkage_forest(rep, lag=1)):
        assert vlc.vegalite_to_svg(chart.to_dict()).lstrip().startswith("<svg")
    forest = charts.linkage_forest(rep, lag=1).to_dict()
    assert {row["direction"] for row in forest["datasets"][next(iter(forest["datasets"]))]} == {
        "Employee scores first", "Customer scores first"}
    res = correlate(units["engagement"], units["csat"])
    scatter = charts.linkage_scatter(units, "engagement", "csat", res)
    assert "r = " in scatter.to_dict()["title"]


def test_driver_and_trend_charts():
    units = _units()
    dr = relative_importance(units, "csat", ["engagement", "process"], bootstrap=20, seed=1)
    assert charts.driver_bars(dr).to_dict()["layer"]
    from analysis.drivers import bootstrap_drivers

    boot = bootstrap_drivers(units.assign(team=units["unit"]), "csat", ["engagement", "process"], cluster="team",
                             samples=30, seed=1)
    assert vlc.vegalite_to_svg(charts.driver_shares([boot]).to_dict()).lstrip().startswith("<svg")
    series = pd.DataFrame({"touchpoint": ["a"] * 3, "wave": [1, 2, 3], "score": [70, 72, 65],
                           "lo": [65, 67, 60], "hi": [75, 77, 70]})
    chart = charts.trend_chart(series, ci_low="lo", ci_high="hi", target=75)
    png = vlc.vegalite_to_png(chart.to_dict())
    assert png[:4] == b"\x89PNG"
