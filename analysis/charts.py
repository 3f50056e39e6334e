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

from .linkage_results import CorrelationResult, DriverResult

_DIVERGING = alt.Scale(scheme="redblue", domain=[-1, 1], reverse=True)

# Every encoding is given as a channel object (alt.X, alt.Tooltip, ...), never as a bare string or dict:
# Altair 6.3 turns a bare value into a channel through from_dict, which hashes its ~570 schema classes on
# every call (vega/altair#3547), 5 ms each; the linkage report's two charts took 70 ms that way.


def _tooltips(frame: pd.DataFrame) -> list[alt.Tooltip]:
    """A tooltip of every column of `frame`."""
    return [alt.Tooltip(str(column)) for column in frame.columns]


def _when(lag: int) -> str:
    return "same wave" if lag == 0 else ("next wave" if lag == 1 else f"{lag} waves later")


def linkage_heatmap(report, labels: dict | None = None) -> alt.Chart:
    """EX x CX grid of r per lag; a cell is coloured only when its pair is linked after FDR control.

    Unlinked cells are grey with their r written in, so colour never suggests a link the tests did not
    establish. ``labels`` maps metric codes to readable names.
    """
    labels = labels or {}
    df = report.to_frame()
    df["when"] = df["lag"].map(_when)
    df["employee"] = df["ex_metric"].map(lambda m: labels.get(m, m))
    df["customer"] = df["cx_metric"].map(lambda m: labels.get(m, m))
    df["r_text"] = df["r"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    df["shade"] = df["r"].where(df["linked"])
    base = alt.Chart().encode(
        x=alt.X("customer:N", title="Customer metric", sort=None),
        y=alt.Y("employee:N", title="Employee metric", sort=None),
    )
    tooltip = [alt.Tooltip("employee"), alt.Tooltip("customer"), alt.Tooltip("when"), alt.Tooltip("r:Q", format=".2f"),
               alt.Tooltip("ci_low:Q", format=".2f"), alt.Tooltip("ci_high:Q", format=".2f"),
               alt.Tooltip("q_value:Q", format=".3f"), alt.Tooltip("n"), alt.Tooltip("linked")]
    grey = base.mark_rect(color="#eef0f3", stroke="#ffffff").encode(tooltip=tooltip)
    shaded = base.mark_rect(stroke="#ffffff").encode(
        color=alt.Color("shade:Q", scale=_DIVERGING, title="r (linked)"), tooltip=tooltip
    ).transform_filter("isValid(datum.shade)")
    text = base.mark_text(baseline="middle").encode(text=alt.Text("r_text:N"))
    return alt.layer(grey, shaded, text, data=df).facet(column=alt.Column("when:N", title=None, sort=None))


def linkage_forest(report, labels: dict | None = None, lag: int = 1) -> alt.Chart:
    """Forest plot of one lag, both directions side by side: employee scores first, customer scores first.

    Each pair's r with its interval, a dashed rule at 0; linked pairs in a strong colour.
    """
    labels = labels or {}
    df = report.to_frame()
    df = df[df["lag"] == lag]
    pair = df["ex_metric"].map(lambda m: labels.get(m, m)) + " ↔ " + df["cx_metric"].map(lambda m: labels.get(m, m))
    fwd = pd.DataFrame({"pair": pair, "direction": "Employee scores first", "r": df["r"], "ci_low": df["ci_low"],
                        "ci_high": df["ci_high"], "n": df["n"], "linked": df["linked"]})
    rev = pd.DataFrame({"pair": pair, "direction": "Customer scores first", "r": df["reverse_r"],
                        "ci_low": df["reverse_ci_low"], "ci_high": df["reverse_ci_high"], "n": df["reverse_n"],
                        "linked": df["reverse_linked"]})
    frame = pd.concat([fwd, rev], ignore_index=True)
    frame["verdict"] = frame["linked"].map({True: "Linked", False: "Not linked"})
    colour = alt.Color("verdict:N", title=None, scale=alt.Scale(domain=["Linked", "Not linked"],
                                                                range=["#1f6f8b", "#9aa5b1"]))
    axis = alt.Axis(values=[-1, -0.5, 0, 0.5, 1], format=".1f")
    x = alt.X("ci_low:Q", title="correlation r with its interval", scale=alt.Scale(domain=[-1, 1]), axis=axis)
    base = alt.Chart().encode(y=alt.Y("pair:N", sort=None, title=None))
    bars = base.mark_rule(strokeWidth=2).encode(x=x, x2=alt.X2("ci_high:Q"), color=colour)
    points = base.mark_point(filled=True, size=60).encode(
        x=alt.X("r:Q"), color=colour,
        tooltip=[alt.Tooltip("pair"), alt.Tooltip("direction"), alt.Tooltip("r:Q", format=".2f"),
                 alt.Tooltip("ci_low:Q", format=".2f"), alt.Tooltip("ci_high:Q", format=".2f"), alt.Tooltip("n")])
    zero = base.mark_rule(strokeDash=[4, 4], color="#5b6775").encode(x=alt.XDatum(0))
    return alt.layer(bars, points, zero, data=frame).facet(
        column=alt.Column("direction:N", title=None, sort=["Employee scores first", "Customer scores first"]))


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
        x2=alt.X2("ci_high:Q"), color=colour)
    points = base.mark_point(filled=True, size=60).encode(
        x=alt.X("r:Q"), color=colour,
        tooltip=[alt.Tooltip("test"), alt.Tooltip("r:Q", format=".2f"), alt.Tooltip("q_value:Q", format=".3f"),
                 alt.Tooltip("n")])
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 4]).encode(x=alt.X("x:Q"))
    return alt.layer(bars, points, zero)


def linkage_scatter(units: pd.DataFrame, x: str, y: str, result: CorrelationResult | None = None,
                    label: str | None = None) -> alt.Chart:
    """Team-waves as points; the title carries r, its interval and n from ``result``."""
    title = f"{y} by {x}"
    if result is not None:
        title += f" (r = {result.r:.2f}, CI {result.ci_low:.2f} to {result.ci_high:.2f}, n = {result.n})"
    tooltip = [alt.Tooltip(c) for c in [x, y] + ([label] if label else [])]
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
        tooltip=[alt.Tooltip("predictor"), alt.Tooltip("share:Q", format=".1f"), alt.Tooltip("weight:Q", format=".3f")])
    if not result.ci:
        return bars
    scale = 100 / result.r2 if result.r2 > 0 else float("nan")
    ci = pd.DataFrame([(p, lo * scale, hi * scale) for p, lo, hi in result.ci],
                      columns=["predictor", "low", "high"])
    rules = alt.Chart(ci).mark_rule().encode(x=alt.X("low:Q"), x2=alt.X2("high:Q"), y=alt.Y("predictor:N", sort=None))
    return alt.layer(bars, rules)


def driver_shares(results, labels: dict | None = None) -> alt.Chart:
    """Each driver's share of R^2 (percent) with its bootstrap interval, one row of panels per outcome.

    ``results`` is a sequence of :class:`analysis.linkage_results.DriverBootstrap`; ``labels`` maps outcome and
    predictor codes to readable names.
    """
    labels = labels or {}
    rows = [{"outcome": labels.get(res.outcome, res.outcome), "driver": labels.get(d.predictor, d.predictor),
             "share": d.share, "low": d.share_low, "high": d.share_high, "top": 100 * d.top_share}
            for res in results for d in res.drivers]
    df = pd.DataFrame(rows, columns=["outcome", "driver", "share", "low", "high", "top"])
    base = alt.Chart().encode(y=alt.Y("driver:N", sort=None, title=None))
    bars = base.mark_bar(color="#1f6f8b", opacity=0.75).encode(
        x=alt.X("share:Q", title="% of explained variance (R\u00b2), with 95% interval",
                scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("outcome"), alt.Tooltip("driver"), alt.Tooltip("share:Q", format=".0f"), alt.Tooltip("low:Q", format=".0f"),
                 alt.Tooltip("high:Q", format=".0f"), alt.Tooltip("top:Q", format=".0f", title="% top three")])
    rules = base.mark_rule(color="#1d2733").encode(x=alt.X("low:Q"), x2=alt.X2("high:Q"))
    return alt.layer(bars, rules, data=df).facet(row=alt.Row("outcome:N", title=None, sort=None)).resolve_scale(
        y="independent")


def trend_chart(frame: pd.DataFrame, x: str = "wave", y: str = "score", color: str | None = "touchpoint",
                ci_low: str | None = None, ci_high: str | None = None, target: float | None = None) -> alt.Chart:
    """Lines of a score over waves, optional interval band and target rule."""
    enc = {"x": alt.X(f"{x}:O", title="Wave"), "y": alt.Y(f"{y}:Q", scale=alt.Scale(zero=False))}
    if color:
        enc["color"] = alt.Color(f"{color}:N")
    layers = [alt.Chart(frame).mark_line(point=True).encode(**enc, tooltip=_tooltips(frame))]
    if ci_low and ci_high:
        band = {k: v for k, v in enc.items() if k != "y"}
        layers.insert(0, alt.Chart(frame).mark_area(opacity=0.2).encode(
            **band, y=alt.Y(f"{ci_low}:Q"), y2=alt.Y2(f"{ci_high}:Q")))
    if target is not None:
        layers.append(alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[4, 4])
                      .encode(y=alt.Y("target:Q")))
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
        x=alt.X(f"{value}:Q", title=title), y=y, tooltip=_tooltips(frame))
    if not (ci_low and ci_high):
        return bars
    rules = alt.Chart(frame).mark_rule().encode(x=alt.X(f"{ci_low}:Q"), x2=alt.X2(f"{ci_high}:Q"), y=y)
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
                                                         y2=alt.Y2(f"{ci_high}:Q"))
    line = alt.Chart(frame).mark_line(point=True).encode(x=xenc, y=alt.Y(f"{y}:Q"), tooltip=_tooltips(frame))
    return alt.layer(band, line)


def theme_weeks(frame: pd.DataFrame) -> alt.Chart:
    """Weekly comment volume per theme (one line each), tooltips with the week's mean sentiment.

    ``frame`` comes from ``analysis.text.weekly_volume`` with a ``theme`` column of names added.
    """
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("week:T", title="Week"), y=alt.Y("n:Q", title="Comments"),
        color=alt.Color("theme:N", title="Theme"),
        tooltip=[alt.Tooltip("week"), alt.Tooltip("theme"), alt.Tooltip("n"), alt.Tooltip("mean_sentiment:Q", format=".2f")])
