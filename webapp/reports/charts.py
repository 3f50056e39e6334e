"""Render Altair charts to inline SVG offline (vl-convert), for report pages, each with a text alternative."""
from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
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


# Rendered SVG by the SHA-1 of its Vega-Lite spec: rendering costs far more than building the spec, and
# a report whose data has not changed since the last request gives the very same spec. A memo of a pure
# function, keyed by its whole input, so it never serves a stale chart.
_SVG_CACHE: OrderedDict[str, str] = OrderedDict()
SVG_CACHE_SIZE = 32
_SVG_LOCK = threading.Lock()


def _render(spec: dict) -> str:
    # A cache key, not a security measure.
    key = hashlib.sha1(json.dumps(spec, sort_keys=True, default=str).encode(), usedforsecurity=False).hexdigest()
    with _SVG_LOCK:
        svg = _SVG_CACHE.get(key)
        if svg is not None:
            _SVG_CACHE.move_to_end(key)
            return svg
    svg = vlc.vegalite_to_svg(spec)
    with _SVG_LOCK:
        _SVG_CACHE[key] = svg
        while len(_SVG_CACHE) > SVG_CACHE_SIZE:
            _SVG_CACHE.popitem(last=False)
    return svg


def warm_up(app=None) -> None:
    """Prepare a worker process before its first request (webapp/gunicorn_conf.py's post_worker_init hook).

    Imports the statistics stack, every report module and the export writers (fpdf with fontTools and
    xlsxwriter: 0.23 s and 22 MB, paid by a worker's first PDF or XLSX otherwise), starts vl-convert's
    JavaScript engine with one tiny chart (about 2 s on the first chart of a process otherwise), compiles
    every template of `app` (the first page of each kind otherwise compiles its templates: 60-110 ms) and
    then moves every object alive so far out of the garbage collector's sight (gc.freeze): a linkage
    report allocates enough to trigger full collections, each of which would otherwise walk the ~200,000
    objects of the imported libraries. Not run at import: every `tandem` command imports the app.
    """
    import gc
    import importlib

    import pandas as pd

    import analysis.charts  # pandas, scipy, statsmodels, Altair
    import surveys.exports.pdf  # noqa: F401
    import surveys.exports.reports  # noqa: F401
    import surveys.exports.xlsx  # noqa: F401
    from surveys.insights.reports import REPORTS, available

    for name in REPORTS:  # 1-15 ms each, at the first page of each report otherwise
        if available(name):
            importlib.import_module(f"surveys.insights.reports.{name}")

    # Altair's first spec of a process fills its own caches (about 10 ms); vl-convert starts its engine (2 s).
    frame = pd.DataFrame({"unit": ["A"], "value": [1.0], "low": [0.5], "high": [1.5]})
    spec = analysis.charts.figure_bars(frame, "unit", "value", "value", "low", "high").to_dict(validate=False)
    vlc.vegalite_to_svg(spec)
    env = getattr(app, "jinja_env", None)
    for name in env.list_templates(extensions=["html"]) if env is not None else ():
        env.get_template(name)  # compiled once and kept in the environment's cache
    gc.collect()
    gc.freeze()


def to_svg(chart, summary: str | None = None) -> Markup:
    """SVG markup of a chart; with `summary`, the SVG is an image named by it (role, aria-label, title)."""
    svg = _render(chart.to_dict())
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
