"""The evidence chart of a breakdown alert, built from values computed elsewhere. Nothing here computes."""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd


def evidence_chart(frame: pd.DataFrame, *, y_title: str, baseline: tuple[float, float, float] | None,
                   began: dt.date, detected: dt.date) -> alt.LayerChart:
    """The metric by period with its interval, the baseline band, and the start and detection days marked.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per period: ``start`` (ISO date text), ``value``, ``low``, ``high`` (may be empty), ``n``.
    y_title : str
        The metric and its unit, for the y axis.
    baseline : tuple of float, optional
        (value, low, high) of the baseline window, drawn as a grey band with a dashed line; None draws none.
    began, detected : datetime.date
        The estimated start of the shift and the day it was detected, drawn as labelled vertical rules.

    Returns
    -------
    altair.LayerChart
        Band, interval bars, line and markers, 640 x 260 pixels.
    """
    x = alt.X("start:T", title=None, axis=alt.Axis(format="%d %b"))
    y_scale = alt.Scale(zero=False)
    layers = []
    if baseline is not None:
        value, low, high = baseline
        band = pd.DataFrame({"low": [low], "high": [high], "value": [value]})
        layers.append(alt.Chart(band).mark_rect(color="#9aa5b1", opacity=0.25).encode(
            y=alt.Y("low:Q", scale=y_scale), y2=alt.Y2("high:Q")))
        layers.append(alt.Chart(band).mark_rule(color="#5b6775", strokeDash=[4, 4]).encode(y=alt.Y("value:Q")))
    with_interval = frame.dropna(subset=["low", "high"])
    if len(with_interval):
        layers.append(alt.Chart(with_interval).mark_rule(color="#1f6f8b", opacity=0.5).encode(
            x=x, y=alt.Y("low:Q", scale=y_scale), y2=alt.Y2("high:Q")))
    layers.append(alt.Chart(frame).mark_line(point=True, color="#1f6f8b").encode(
        x=x, y=alt.Y("value:Q", title=y_title, scale=y_scale), tooltip=[alt.Tooltip(str(c)) for c in frame.columns]))
    marks = pd.DataFrame({"start": [began.isoformat(), detected.isoformat()], "what": ["began", "detected"]})
    layers.append(alt.Chart(marks).mark_rule(color="#a12a2a", strokeDash=[2, 3]).encode(
        x=alt.X("start:T"), tooltip=[alt.Tooltip("what:N"), alt.Tooltip("start:T")]))
    layers.append(alt.Chart(marks).mark_text(align="left", dx=3, dy=-115, color="#a12a2a").encode(
        x=alt.X("start:T"), text=alt.Text("what:N")))
    # The frame also at the top: it is the chart's table (webapp.reports.charts.to_figure reads chart.data).
    return alt.layer(*layers, data=frame).properties(width=640, height=260)
