"""Small Altair charts of report figures (suppressed figures never reach them): dashboard sparklines and
the trend line with its interval band. They draw figures as given and compute nothing."""
from __future__ import annotations

import altair as alt
import pandas as pd


def _frame(figures) -> pd.DataFrame:
    return pd.DataFrame([{"period": f.period, "value": f.value, "low": f.ci_low, "high": f.ci_high, "n": f.n,
                          "unit": f.unit_name} for f in figures],
                        columns=["period", "value", "low", "high", "n", "unit"])


def sparkline(figures, title: str) -> alt.Chart:
    """A small line of weekly values, with each week's value and n in its tooltip."""
    frame = _frame(figures)
    frame["week"] = frame["period"].str.split("/").str[-1]
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("week:O", axis=None), y=alt.Y("value:Q", scale=alt.Scale(zero=False), axis=None),
        tooltip=[alt.Tooltip("period:N", title="week"), alt.Tooltip("value:Q", title=title), alt.Tooltip("n:Q")],
    ).properties(width=160, height=36)


def trend(figures, y_title: str, x_title: str) -> alt.LayerChart:
    """The line of a metric over periods with its interval as a band."""
    frame = _frame(figures)
    x = alt.X("period:O", title=x_title, sort=None)
    band = alt.Chart(frame).mark_area(opacity=0.2).encode(x=x, y=alt.Y("low:Q", title=y_title), y2=alt.Y2("high:Q"))
    line = alt.Chart(frame).mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", scale=alt.Scale(zero=False), title=y_title),
        tooltip=[alt.Tooltip(c) for c in ("period:N", "unit:N", "value:Q", "low:Q", "high:Q", "n:Q")])
    return alt.layer(band, line).properties(width=560, height=260)
