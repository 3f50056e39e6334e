"""Render Altair charts to inline SVG offline (vl-convert), for report pages, each with a text alternative."""
from __future__ import annotations

import math
from dataclasses import dataclass

import altair as alt
import vl_convert as vlc
from markupsafe import Markup, escape


@dataclass(frozen=True)
class Figure:
    """A chart as accessible SVG, and the figures it plots as table rows (already formatted)."""

    svg: Markup
    summary: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def to_svg(chart, summary: str | None = None) -> Markup:
    """SVG markup of a chart; with `summary`, the SVG is an image named by it (role, aria-label, title)."""
    svg = vlc.vegalite_to_svg(chart.to_dict())
    if summary:
        end = svg.index(">", svg.index("<svg"))
        label = str(escape(summary))
        svg = f'{svg[:end]} role="img" aria-label="{label}">' f"<title>{label}</title>{svg[end + 1:]}"
    # vl-convert escapes every text node and attribute of the SVG and the summary is escaped above
    # (tests/webapp/test_chart_figures.py checks a team named <script>).
    return Markup(svg)  # nosec B704 # markup built by vl-convert from escaped text


def to_figure(chart, summary: str, columns: dict[str, str], digits: int = 2) -> Figure:
    """The chart as SVG plus a table of the data frame it was drawn from (the first layer's, for layers).

    `columns` maps the frame's column names to table headers; numbers are rounded to `digits`.
    """
    frame = chart.data
    if frame is alt.Undefined and isinstance(chart, alt.LayerChart):
        frame = chart.layer[0].data
    rows = tuple(tuple(_cell(row[name], digits) for name in columns) for _i, row in frame.iterrows())
    return Figure(to_svg(chart, summary), summary, tuple(columns.values()), rows)


def _cell(value, digits: int) -> str:
    if isinstance(value, bool) or value is None:
        return "—" if value is None else ("yes" if value else "no")
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)
