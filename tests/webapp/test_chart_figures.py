"""Report charts carry a text alternative: an SVG named by its summary and a table of the plotted data."""
from __future__ import annotations

import altair as alt
import pandas as pd

from webapp.reports.charts import to_figure, to_svg


def test_table_rows_are_the_frame_the_chart_plots():
    frame = pd.DataFrame({"test": ["Engagement → CSAT", "Culture → NPS"], "r": [0.4123, float("nan")],
                          "n": [120, 80], "linked": [True, False]})
    points = alt.Chart(frame).mark_point().encode(x="r:Q", y="test:N")
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule().encode(x="x:Q")
    figure = to_figure(alt.layer(points, zero), "Two tests; one linked.",
                       {"test": "Test", "r": "r", "n": "n", "linked": "Linked"})
    assert figure.headers == ("Test", "r", "n", "Linked")
    assert figure.rows == (("Engagement → CSAT", "0.41", "120", "yes"), ("Culture → NPS", "—", "80", "no"))
    assert figure.svg.startswith("<svg") and 'role="img" aria-label="Two tests; one linked."' in figure.svg
    assert "<title>Two tests; one linked.</title>" in figure.svg


def test_chart_text_is_escaped_in_the_svg():
    """Why charts.to_svg may return Markup (bandit B704): labels from the data never become markup."""
    frame = pd.DataFrame({"team": ["<script>alert(1)</script>", 'a"b&c'], "v": [1, 2]})
    chart = alt.Chart(frame).mark_bar().encode(x="team", y="v").properties(title="<img src=x onerror=1>")
    svg = str(to_svg(chart, summary='<b>"x"</b>'))
    assert "<script>" not in svg and "<img" not in svg and "<b>" not in svg and "&lt;script&gt;" in svg
