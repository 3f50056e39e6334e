"""Altair charts built from result objects. Nothing here computes statistics.

Each builder returns an ``altair.Chart`` (or layer); ``chart.to_dict()`` is
the Vega-Lite spec and ``vl_convert.vegalite_to_svg`` renders it offline.
Suppressed units must already be removed from frames passed in (the
privacy rules are applied before charting, never in templates).
"""
from __future__ import annotations

from dataclasses import asdict

import altair as alt
import pandas as pd

from .results import CorrelationResult, DriverResult

_DIVERGING = alt.Scale(scheme="redblue", domain=[-1, 1], reverse=True)


def linkage_heatmap(report) -> alt.Chart:
    """EX x CX grid of r per lag; a dot marks pairs that are linked after FDR control."""
    df = report.to_frame()
    df["lag_label"] = df["lag"].map(lambda v: "same wave" if v == 0 else f"lag {v}")
    df["r_text"] = df["r"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    df["mark"] = df["linked"].map(lambda v: "\u25cf" if v else "")
    base = alt.Chart(df).encode(
        x=alt.X("cx_metric:N", title="Customer metric"),
        y=alt.Y("ex_metric:N", title="Employee metric"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("r:Q", scale=_DIVERGING, title="r"),
        tooltip=["ex_metric", "cx_metric", "lag", alt.Tooltip("r:Q", format=".2f"),
                 alt.Tooltip("ci_low:Q", format=".2f"), alt.Tooltip("ci_high:Q", format=".2f"),
                 alt.Tooltip("q_value:Q", format=".3f"), "n", "linked"],
    )
    text = base.mark_text(baseline="middle").encode(text="r_text:N")
    dots = base.mark_text(dy=-12, fontSize=9).encode(text="mark:N")
    return alt.layer(cells, text, dots, data=df).facet(column=alt.Column("lag_label:N", title=None))


def forest_plot(report, labels: dict | None = None, lags=None) -> alt.Chart:
    """Each test's r with its interval and a dashed rule at 0; linked pairs in a strong colour.

    ``labels`` maps metric codes to readable names; ``lags`` keeps only those lags (default: all).
    """
    labels = labels or {}
    df = report.to_frame()
    if lags is not None:
        df = df[df["lag"].isin(list(lags))]
    when = df["lag"].map(lambda v: "same wave" if v == 0 else ("next wave" if v == 1 else f"{v} waves later"))
    df["test"] = (df["ex_metric"].map(lambda m: labels.get(m, m)) + " \u2192 "
                  + df["cx_metric"].map(lambda m: labels.get(m, m)) + " (" + when + ")")
    df["verdict"] = df["linked"].map({True: "Linked", False: "Not linked"})
    colour = alt.Color("verdict:N", title=None, scale=alt.Scale(domain=["Linked", "Not linked"],
                                                                range=["#1f6f8b", "#9aa5b1"]))
    base = alt.Chart(df).encode(y=alt.Y("test:N", sort=None, title=None))
    axis = alt.Axis(values=[-1, -0.5, 0, 0.5, 1], format=".1f")
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title="correlation r with its interval", scale=alt.Scale(domain=[-1, 1]), axis=axis),
        x2="ci_high:Q", color=colour)
    points = base.mark_point(filled=True, size=60).encode(
        x="r:Q", color=colour,
        tooltip=["test", alt.Tooltip("r:Q", format=".2f"), alt.Tooltip("q_value:Q", format=".3f"), "n"])
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    return alt.layer(bars, points, zero)


def linkage_scatter(units: pd.DataFrame, x: str, y: str, result: CorrelationResult | None = None,
                    label: str | None = None) -> alt.Chart:
    """Team-waves as points; the title carries r, its interval and n from ``result``."""
    title = f"{y} by {x}"
    if result is not None:
        title += f" (r = {result.r:.2f}, CI {result.ci_low:.2f} to {result.ci_high:.2f}, n = {result.n})"
    tooltip = [x, y] + ([label] if label else [])
    points = alt.Chart(units).mark_circle(opacity=0.6).encode(
        x=alt.X(f"{x}:Q", scale=alt.Scale(zero=False)), y=alt.Y(f"{y}:Q", scale=alt.Scale(zero=False)),
        tooltip=tooltip)
    line = points.transform_regression(x, y).mark_line(color="black")
    return alt.layer(points, line).properties(title=title)


def driver_bars(result: DriverResult) -> alt.Chart:
    """Predictors by share of explained variance (percent), with bootstrap intervals if present."""
    df = pd.DataFrame(result.rescaled, columns=["predictor", "share"])
    df["weight"] = [w for _, w in result.weights]
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("share:Q", title=f"% of R\u00b2 ({result.r2:.2f}, n = {result.n})"),
        y=alt.Y("predictor:N", sort="-x", title=None),
        tooltip=["predictor", alt.Tooltip("share:Q", format=".1f"), alt.Tooltip("weight:Q", format=".3f")])
    if not result.ci:
        return bars
    scale = 100 / result.r2 if result.r2 > 0 else float("nan")
    ci = pd.DataFrame([(p, lo * scale, hi * scale) for p, lo, hi in result.ci],
                      columns=["predictor", "low", "high"])
    rules = alt.Chart(ci).mark_rule().encode(x="low:Q", x2="high:Q", y=alt.Y("predictor:N", sort=None))
    return alt.layer(bars, rules)


def trend_chart(frame: pd.DataFrame, x: str = "wave", y: str = "score", color: str | None = "touchpoint",
                ci_low: str | None = None, ci_high: str | None = None, target: float | None = None) -> alt.Chart:
    """Lines of a score over waves, optional interval band and target rule."""
    enc = {"x": alt.X(f"{x}:O", title="Wave"), "y": alt.Y(f"{y}:Q", scale=alt.Scale(zero=False))}
    if color:
        enc["color"] = alt.Color(f"{color}:N")
    layers = [alt.Chart(frame).mark_line(point=True).encode(**enc, tooltip=list(frame.columns))]
    if ci_low and ci_high:
        band = {k: v for k, v in enc.items() if k != "y"}
        layers.insert(0, alt.Chart(frame).mark_area(opacity=0.2).encode(
            **band, y=f"{ci_low}:Q", y2=f"{ci_high}:Q"))
    if target is not None:
        layers.append(alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[4, 4])
                      .encode(y="target:Q"))
    return alt.layer(*layers)


def breakdown_table(results) -> pd.DataFrame:
    """Breakdown results as a frame for templates (no computation, just layout)."""
    return pd.DataFrame([asdict(r) for r in results])


def figure_bars(frame: pd.DataFrame, category: str, value: str, title: str,
                ci_low: str | None = None, ci_high: str | None = None) -> alt.Chart:
    """Horizontal bars of one value per category (in the frame's order), with interval rules if given."""
    order = list(frame[category])
    y = alt.Y(f"{category}:N", sort=order, title=None)
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=title), y=y, tooltip=list(frame.columns))
    if not (ci_low and ci_high):
        return bars
    rules = alt.Chart(frame).mark_rule().encode(x=f"{ci_low}:Q", x2=f"{ci_high}:Q", y=y)
    return alt.layer(bars, rules)


def interval_line(frame: pd.DataFrame, x: str, y: str, ci_low: str, ci_high: str, *, x_title: str,
                  y_title: str) -> alt.Chart:
    """A line of one score over ordered periods with its interval as a band (tooltips: every column).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per period, already free of suppressed periods, in display order.
    x, y, ci_low, ci_high : str
        Columns of the period label, the value and the interval bounds.
    x_title, y_title : str
        Axis titles.

    Returns
    -------
    altair.LayerChart
        The band under the line.
    """
    order = list(frame[x]) if len(frame) else None
    xenc = alt.X(f"{x}:O", title=x_title, sort=order)
    band = alt.Chart(frame).mark_area(opacity=0.2).encode(x=xenc, y=alt.Y(f"{ci_low}:Q", title=y_title,
                                                                            scale=alt.Scale(zero=False)),
                                                         y2=f"{ci_high}:Q")
    line = alt.Chart(frame).mark_line(point=True).encode(x=xenc, y=f"{y}:Q", tooltip=list(frame.columns))
    return alt.layer(band, line)
