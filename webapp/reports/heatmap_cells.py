"""The heatmap's cells as HTML, one row at a time: the grid of a large organisation has 100,000+ cells,
and a Jinja macro call per cell cost more than building the whole report. The markup is exactly what the
template's cell macro wrote; what a cell shows (hidden, empty, colour, flag) is decided by the report
(surveys/insights/reports/heatmap.py and heatmap_grid.py: context["rows"] holds each row's figures and
colour classes), never here.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from webapp.reports.views import bp

EMPTY = ('<td class="num heat-cell heat-none" title="No customer answers at this unit\'s touchpoints over the '
         'wave\'s period"><span class="muted">—</span></td>')
FLAG = '<span class="heat-mark" aria-hidden="true">◆</span><span class="visually-hidden">flagged: </span>'


PLAIN = (int, float, type(None))  # print as str() does: nothing in them to escape
_CLASSES: dict[str, str] = {}  # a colour class -> its escaped text (a dozen distinct ones)


def _text(value) -> str:
    """A value as Jinja's {{ value }} prints it (None as 'None'), escaped."""
    return str(value) if type(value) in PLAIN else str(escape(value))


def heat_row(figures, classes, code: str, empty: set, threshold) -> str:
    """The <td> cells of one grid row: `figures` and their colour `classes` in column order."""
    hidden = f'<span class="muted">fewer than {_text(threshold)}</span>'
    at = {name: i for i, (name, _v) in enumerate(figures[0].extra)} if figures else {}
    change, low_at, high_at, q_at, flag_at = (at.get(name) for name in ("change", "change_low", "change_high",
                                                                          "q_value", "flagged"))
    raw_at, weight_at = at.get("raw_value"), at.get("weight")
    css = _CLASSES
    out = []
    for f, cls in zip(figures, classes):
        if empty and (code, f.metric) in empty:
            out.append(EMPTY)
            continue
        c = css.get(cls)
        if c is None:
            c = css[cls] = _text(cls)
        if f.suppressed:
            out.append(f'<td class="num heat-cell {c}">{hidden}</td>')
            continue
        # _text inlined (a call per number was a third of the page): numbers print as str() does.
        value, n, low, high = f.value, f.n, f.ci_low, f.ci_high
        value = str(value) if type(value) in PLAIN else _text(value)
        n = str(n) if type(n) in PLAIN else _text(n)
        low = "—" if low is None else str(low) if type(low) in PLAIN else _text(low)
        high = "—" if high is None else str(high) if type(high) in PLAIN else _text(high)
        title = f"{value} (95% interval {low} to {high}), n = {n}"
        extra = f.extra  # (name, value) pairs in the report's order, the same names in every cell
        mark = ""
        if extra:
            diff = extra[change][1]
            if diff is not None:
                lo, hi, q = extra[low_at][1], extra[high_at][1], extra[q_at][1]
                title += (f"; difference {str(diff) if type(diff) in PLAIN else _text(diff)} "
                          f"({str(lo) if type(lo) in PLAIN else _text(lo)} to "
                          f"{str(hi) if type(hi) in PLAIN else _text(hi)}), "
                          f"q = {str(q) if type(q) in PLAIN else _text(q)}")
            if raw_at is not None and extra[raw_at][1] is not None:
                title += f"; unshrunken {_text(extra[raw_at][1])}, weight {_text(extra[weight_at][1])}"
            if extra[flag_at][1]:
                mark = FLAG
        out.append(f'<td class="num heat-cell {c}" title="{title}">{mark}<b>{value}</b><small>n {n}</small></td>')
    return "".join(out)


@bp.app_template_global("heat_cells")
def heat_cells(report, code: str) -> Markup:
    """The <td> cells of the grid row of unit `code`, one per column of the report."""
    figures, classes = report.context["rows"][code]
    return Markup(heat_row(figures, classes, code, report.context["empty"], report.threshold))  # nosec B704
