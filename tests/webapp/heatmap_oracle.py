"""The heatmap as it was computed before its array path (surveys/insights/reports/heatmap_sums.py and
heatmap_grid.py): cell by cell, with a `Sums` per unit and an Estimate and ChangeResult per cell, kept as
the oracle the array path must match figure for figure (tests/webapp/test_heatmap_arrays.py).
"""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from sqlalchemy.orm import Session

from analysis.linkage import benjamini_hochberg
from analysis.metrics import AGREEMENT_TYPES
from analysis.shrinkage import between_variance, shrink
from surveys.insights.figures import ORG, Figure
from surveys.insights.reports.cells import (CX_KINDS, cx_sums, differences, estimates, hidden_units,
                                            hierarchy_rows, reference, subtree_totals)
from surveys.insights.reports.common import (ReportParams, ReportSettings, Scope, Tree, ex_sums, item_sums,
                                             resolve_unit, unit_label, wave_context)
from surveys.insights.reports.heatmap import columns

EXTRAS = ("change", "change_low", "change_high", "p_value", "q_value", "flagged")
SHRINK_EXTRAS = ("raw_value", "weight", "shrunk_change")
STEPS = {"share": (3.0, 6.0, 10.0), "mean": (3.0, 6.0, 10.0), "net": (5.0, 10.0, 20.0), "ces": (0.2, 0.4, 0.8)}


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings):
    """(figures, colour class per (unit code, metric), empty customer cells), computed cell by cell."""
    program, waves, wave, prev = wave_context(session, params)
    shrunk = params.option("shrink", "0", ("0", "1")) == "1"
    dims = sorted({q.dimension for q in wave.survey.questions if q.qtype in AGREEMENT_TYPES and q.dimension})
    dimension = params.option("dimension", None, dims)
    tree = Tree(session)
    top = resolve_unit(tree, params.unit, scope)
    k = max(settings.min_group_size, wave.min_group_size)
    # The previous wave's sums are read only when the page compares with it: nothing else shows them.
    before = prev if params.compare == "previous" else None
    ids = [wave.id] + ([before.id] if before else [])
    sums = {**ex_sums(session, ids), **item_sums(session, ids), **cx_sums(session, program.code, ids)}
    cols = columns(wave, dimension, any(key[0] == wave.id and key[2] in CX_KINDS for key in sums))
    units: list[int | None] = [None] + hierarchy_rows(tree, top, scope.allows)
    cells = {}
    spread = {}
    for col in cols:
        column, ests, hidden = _column(tree, sums, wave, before, col, units, k, params.compare, settings.confidence,
                                      scope, shrunk)
        cells.update(column)
        if shrunk:
            spread[col.metric] = _tau2(tree, ests, hidden)
    _flag(cells, 1 - settings.confidence)
    for col in cols if shrunk else ():
        _shrink(tree, cells, col, units, spread[col.metric])
    names = EXTRAS + (SHRINK_EXTRAS if shrunk else ())
    blank = tuple((n, None) for n in names)  # the extras of a hidden cell, or of one with nothing to add
    figures = tuple(_figure(tree, cells[(u, c.metric)], c, wave.label, k, names, blank)
                    for u in units for c in cols)
    by_cell = {(f.unit, f.metric): f for f in figures}
    customer = {c.metric for c in cols if c.group == "Customers"}
    empty = {(unit_label(tree, u)[0], m) for (u, m), cell in cells.items() if m in customer and cell["sums"] is None}
    return figures, {key: _css(f) for key, f in by_cell.items()}, empty


def _parent(tree: Tree, team_id: int | None, scope: Scope) -> int | None:
    """The unit a team is compared with under compare=parent: its parent, or the organisation when the
    parent is outside the reader's scope (a lead's top team: the difference would give the rest away)."""
    if team_id is None:
        return None
    parent = tree.nodes[team_id].parent_id
    return parent if parent is not None and scope.allows(parent) else None


def _column(tree, sums, wave, prev, col, units, k, compare, confidence, scope, shrunk) -> tuple[dict, dict, set]:
    """Each unit's cell of one column (its sums, estimate, visibility and comparison); also every unit's
    estimate and the column's hidden units. Estimates and differences are computed for the whole column
    at once (a large grid asks for thousands). `prev`: the previous wave when compare=previous, else None;
    the comparison's own estimate (`ref`) only when `shrunk` shows a shrunken difference."""
    drop = col.group == "Customers"
    now = subtree_totals(tree, sums, wave.id, col.key)
    hidden = hidden_units(tree, now, lambda t: sums.get((wave.id, t, col.key)), k, drop_empty=drop)
    before, hidden_prev = None, set()
    if prev is not None:
        before = subtree_totals(tree, sums, prev.id, col.key)
        hidden_prev = hidden_units(tree, before, lambda t: sums.get((prev.id, t, col.key)), k, drop_empty=drop)
    ests = dict(zip(now, estimates(list(now.values()), confidence)))
    out, compared = {}, []
    for u in units:
        key = ORG if u is None else u
        own, est = now.get(u), ests.get(u)
        cell = {"unit": u, "est": est, "hidden": key in hidden or est is None or est.n < k, "change": None,
                "p": math.nan, "sums": own}
        ref = reference(now, before, u, compare, _parent(tree, u, scope))
        usable = ref is not None and ref.n >= k and not (compare == "previous" and key in hidden_prev)
        if not cell["hidden"] and usable:
            compared.append((cell, own, ref))
        out[(u, col.metric)] = cell
    changes = differences([(own, ref) for _c, own, ref in compared], confidence)
    refs = estimates([ref for _c, _o, ref in compared], confidence) if shrunk else [None] * len(compared)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    for (cell, _own, _ref), change, ref_est in zip(compared, changes, refs):
        if math.isfinite(change.change):
            cell["change"], cell["p"] = change, _p(change, z)
            if ref_est is not None:
                cell["ref"] = ref_est.value
    return out, ests, hidden


def _p(change, z) -> float:
    """Two-sided p of a difference from the side of its interval facing zero (Newcombe's intervals are
    lopsided near 0% and 100%; the far side would overstate the evidence); `z` the interval's quantile."""
    near = change.change - change.ci_low if change.change >= 0 else change.ci_high - change.change
    if not math.isfinite(near):
        return math.nan
    if near <= 0:
        return 0.0 if change.change != 0 else 1.0
    se = near / z
    return math.erfc(abs(change.change) / se / math.sqrt(2))  # twice the normal tail beyond |change| / se


def _flag(cells: dict, alpha: float) -> None:
    """Benjamini-Hochberg q over every shown cell's difference; flagged when q < alpha."""
    keys = [key for key, c in cells.items() if not c["hidden"] and math.isfinite(c["p"])]
    q = benjamini_hochberg([cells[key]["p"] for key in keys]) if keys else []
    for key, value in zip(keys, q):
        cells[key]["q"] = float(value)
        cells[key]["flagged"] = bool(value < alpha) and cells[key]["change"].significant


def _tau2(tree, ests, hidden) -> float:
    """Between-team variance of one column: every visible team of the organisation against its parent
    (the organisation for a root), whatever the page shows, so a filter of two teams still gets a
    variance estimated from many. `ests`: every unit's estimate."""
    y, v, c = [], [], []
    for t in tree.order:
        parent = tree.nodes[t].parent_id
        if t in hidden or (ORG if parent is None else parent) in hidden or ests.get(t) is None:
            continue
        est, centre = ests[t], ests[parent]
        if math.isfinite(centre.sd) and est.n > 0:
            y.append(est.value)
            v.append(centre.sd ** 2 / est.n)
            c.append(centre.value)
    return between_variance(y, v, centres=c) if y else math.nan


def _shrink(tree, cells, col, units, tau2) -> None:
    """Shrink the shown teams of one column towards their nearest shown ancestor on the page (the
    organisation for a top team): never towards a unit the reader may not see, whose value the shrunken
    value, the raw value and the weight would give away."""
    teams = [u for u in units if u is not None and not cells[(u, col.metric)]["hidden"]]
    if not teams or not math.isfinite(tau2):
        return
    y, v, c = [], [], []
    for u in teams:
        est = cells[(u, col.metric)]["est"]
        centre = cells[(None, col.metric)]
        parent = tree.nodes[u].parent_id
        while parent is not None:
            cell = cells.get((parent, col.metric))
            if cell is not None and not cell["hidden"]:
                centre = cell
                break
            parent = tree.nodes[parent].parent_id
        y.append(est.value)
        # Sampling variance from the centre's respondent-level spread: a small team's own spread can be 0
        # (six people all favourable), which would make it look certain and leave it unshrunk.
        ok = not centre["hidden"] and math.isfinite(centre["est"].sd)
        v.append(centre["est"].sd ** 2 / est.n if ok else math.nan)
        c.append(centre["est"].value if ok else math.nan)
    res = shrink(np.array(y), np.array(v), centres=np.array(c), tau2=tau2)
    low, high = res.interval()
    for i, u in enumerate(teams):
        if math.isfinite(res.values[i]):
            cells[(u, col.metric)]["shrunk"] = (float(res.values[i]), float(low[i]), float(high[i]),
                                                float(res.weights[i]))


def _figure(tree, cell, col, period, k, names, blank) -> Figure:
    """One cell's figure; `names` the extras' names (with the shrinkage ones when shrunk), `blank` them
    all empty. Figures are built directly (figures.figure's rule): a large grid has 100,000+ cells."""
    code, name = unit_label(tree, cell["unit"])
    est = None if cell["hidden"] else cell["est"]
    if est is None or est.n < k or not math.isfinite(est.value):
        return Figure(code, name, col.metric, None, None, None, None, True, period, blank)
    change = cell["change"]
    digits = 2 if col.metric == "ces" else 1
    r = lambda x, d=digits: None if x is None or not math.isfinite(x) else round(float(x), d)  # noqa: E731
    shrunk = len(names) > len(EXTRAS) and "shrunk" in cell
    if change is None and not shrunk:
        return Figure(code, name, col.metric, r(est.value), int(est.n), r(est.ci_low), r(est.ci_high), False,
                      period, blank)
    extra = dict.fromkeys(names)
    if change is not None:
        extra.update(change=r(change.change), change_low=r(change.ci_low), change_high=r(change.ci_high),
                     p_value=r(cell["p"], 4), q_value=r(cell.get("q", math.nan), 4),
                     flagged=bool(cell.get("flagged", False)))
    shown = (r(est.value), r(est.ci_low), r(est.ci_high))
    if shrunk:
        value, low, high, weight = cell["shrunk"]
        extra.update(raw_value=shown[0], weight=r(weight, 3),
                     shrunk_change=r(value - cell["ref"]) if change is not None else None)
        shown = (r(value), r(low), r(high))
    return Figure(code, name, col.metric, shown[0], int(est.n), shown[1], shown[2], False, period,
                  tuple(extra.items()))


def _css(f: Figure) -> str:
    """The cell's colour class from its difference (shrunk when shown so), plus the flag."""
    if f.suppressed:
        return "heat-hidden"
    extra = dict(f.extra)
    diff = extra.get("shrunk_change") if extra.get("shrunk_change") is not None else extra.get("change")
    if diff is None:
        return "heat-none"
    kind = "ces" if f.metric == "ces" else ("net" if f.metric in ("enps", "nps") else "share")
    level = sum(abs(diff) >= step for step in STEPS[kind])
    css = "heat-0" if level == 0 else f"heat-{'hi' if diff > 0 else 'lo'}{level}"
    return css + (" heat-flag" if extra.get("flagged") else "")
