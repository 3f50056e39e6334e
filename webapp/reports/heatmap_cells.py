"""The heatmap's cells as HTML, one row at a time: the grid of a large organisation has 100,000+ cells,
and a Jinja macro call per cell cost more than building the whole report. The markup is exactly what the
template's cell macro wrote; what a cell shows (hidden, empty, colour, flag) is decided by the report
(surveys/insights/reports/heatmap.py), never here.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from webapp.reports.views import bp

EMPTY = ('<td class="num heat-cell heat-none" title="No customer answers at this unit\'s touchpoints over the '
         'wave\'s period"><span class="muted">—</span></td>')
FLAG = '<span class="heat-mark" aria-hidden="true">◆</span><span class="visually-hidden">flagged: </span>'


PLAIN = (int, float, type(None))  # print as str() does: nothing in them to escape


def _text(value) -> str:
    """A value as Jinja's {{ value }} prints it (None as 'None'), escaped."""
    return str(value) if type(value) in PLAIN else str(escape(value))


def _cell(f, cls: str, empty: set, hidden: str) -> str:
    if (f.unit, f.metric) in empty:
        return EMPTY
    if f.suppressed:
        return f'<td class="num heat-cell {_text(cls)}">{hidden}</td>'
    extra = dict(f.extra)
    value, n = _text(f.value), _text(f.n)
    low = _text(f.ci_low if f.ci_low is not None else "—")
    high = _text(f.ci_high if f.ci_high is not None else "—")
    title = f"{value} (95% interval {low} to {high}), n = {n}"
    change = extra.get("change")
    if change is not None:
        title += (f"; difference {_text(change)} ({_text(extra.get('change_low'))} to "
                  f"{_text(extra.get('change_high'))}), q = {_text(extra.get('q_value'))}")
    if extra.get("raw_value") is not None:
        title += f"; unshrunken {_text(extra.get('raw_value'))}, weight {_text(extra.get('weight'))}"
    mark = FLAG if extra.get("flagged") else ""
    return f'<td class="num heat-cell {_text(cls)}" title="{title}">{mark}<b>{value}</b><small>n {n}</small></td>'


@bp.app_template_global("heat_cells")
def heat_cells(report, code: str) -> Markup:
    """The <td> cells of the grid row of unit `code`, one per column of the report."""
    ctx = report.context
    cells, classes, empty = ctx["cells"], ctx["classes"], ctx["empty"]
    hidden = f'<span class="muted">fewer than {_text(report.threshold)}</span>'
    return Markup("".join(_cell(cells[(code, col.metric)], classes[(code, col.metric)], empty, hidden)  # nosec B704
                          for col in ctx["columns"]))
