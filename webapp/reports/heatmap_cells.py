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


def _cell(f, cls: str, hidden: str, at: dict) -> str:
    if f.suppressed:
        return f'<td class="num heat-cell {_text(cls)}">{hidden}</td>'
    extra = f.extra  # (name, value) pairs in the report's order; `at`: each name's position
    value, n = _text(f.value), _text(f.n)
    low = _text(f.ci_low if f.ci_low is not None else "—")
    high = _text(f.ci_high if f.ci_high is not None else "—")
    title = f"{value} (95% interval {low} to {high}), n = {n}"
    if extra:
        if extra[at["change"]][1] is not None:
            title += (f"; difference {_text(extra[at['change']][1])} ({_text(extra[at['change_low']][1])} to "
                      f"{_text(extra[at['change_high']][1])}), q = {_text(extra[at['q_value']][1])}")
        if "raw_value" in at and extra[at["raw_value"]][1] is not None:
            title += f"; unshrunken {_text(extra[at['raw_value']][1])}, weight {_text(extra[at['weight']][1])}"
        mark = FLAG if extra[at["flagged"]][1] else ""
    else:
        mark = ""
    return f'<td class="num heat-cell {_text(cls)}" title="{title}">{mark}<b>{value}</b><small>n {n}</small></td>'


@bp.app_template_global("heat_cells")
def heat_cells(report, code: str) -> Markup:
    """The <td> cells of the grid row of unit `code`, one per column of the report."""
    ctx = report.context
    figures, classes = ctx["rows"][code]
    empty = ctx["empty"]
    hidden = f'<span class="muted">fewer than {_text(report.threshold)}</span>'
    at = {name: i for i, (name, _v) in enumerate(figures[0].extra)} if figures else {}
    return Markup("".join(EMPTY if (code, f.metric) in empty else _cell(f, cls, hidden, at)  # nosec B704
                          for f, cls in zip(figures, classes)))
