"""The heatmap's cells a column at a time, on arrays (heatmap_sums): visibility, comparison group,
difference, p- and q-value, shrinkage, and finally each cell's figure and colour class.

Every number is computed by the same functions and formulas the per-cell code used (estimate_many and
difference_many, which give `estimate` and `difference` bit for bit; p from the interval with math.erfc;
Benjamini-Hochberg over the whole grid; Python's round), only on whole columns instead of cell by cell:
the figures are identical, the time per cell is a fraction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from analysis.linkage import benjamini_hochberg
from analysis.shrinkage import between_variance, shrink
from analysis.summaries_many import difference_many, estimate_many
from surveys.insights.figures import Figure
from surveys.insights.reports.heatmap_sums import Shape, WaveSums, counts, hidden
from surveys.insights.rounding import round_list

EXTRAS = ("change", "change_low", "change_high", "p_value", "q_value", "flagged")
SHRINK_EXTRAS = ("raw_value", "weight", "shrunk_change")
# Colour steps of |difference|: percentage points for % favourable, points for net scores (-100..100),
# scale points for CES (a 1-7 mean).
STEPS = {"share": (3.0, 6.0, 10.0), "mean": (3.0, 6.0, 10.0), "net": (5.0, 10.0, 20.0), "ces": (0.2, 0.4, 0.8)}
KINDS = {"csat": ("share", 100.0, None), "nps": ("net", 100.0, None), "ces": ("mean", 1.0, (1.0, 7.0)),
         "enps": ("net", 100.0, None)}
NAN = math.nan


def kind_of(col) -> tuple[str, float, tuple[float, float] | None]:
    """(kind, scale, bounds) of a column's sums, as ex_sums, item_sums and cx_sums make them."""
    if col.metric in KINDS:
        return KINDS[col.metric]
    return ("share", 100.0, None) if col.group == "Items" else ("mean", 1.0, (0.0, 100.0))


@dataclass
class Col:
    """One column's cells: arrays over every row of the tree (the organisation last) and, for the rows
    the page shows (`units`), the comparison and its results."""

    est: dict  # value, ci_low, ci_high, n (int), sd: arrays over rows, NaN / 0 where no sums
    has: np.ndarray
    hidden_rows: np.ndarray  # suppression of the whole tree
    shown_hidden: np.ndarray  # per page row: hidden (suppressed, no sums or n < k)
    compared: np.ndarray  # page-row indices with a difference
    change: list = field(default_factory=list)  # per compared cell (Python floats), NaN when none
    low: list = field(default_factory=list)
    high: list = field(default_factory=list)
    significant: list = field(default_factory=list)
    p: list = field(default_factory=list)
    ref_value: list | None = None
    q: np.ndarray | None = None  # per page row: the q-value (NaN: none) and the flag, set by `flag`
    flagged: np.ndarray | None = None
    shrunk: dict = field(default_factory=dict)  # page row -> (value, low, high, weight)


def _estimates(s: WaveSums, kinds: list[tuple], confidence: float) -> dict:
    """Every cell's estimate as (rows, columns) matrices (NaN, n 0 where no sums): one estimate_many per
    kind of column, whose numbers are element by element what it gives column by column."""
    size = s.n.shape
    out = {"value": np.full(size, NAN), "ci_low": np.full(size, NAN), "ci_high": np.full(size, NAN),
           "n": np.zeros(size, dtype=np.int64), "sd": np.full(size, NAN)}
    for kind in dict.fromkeys(kinds):
        js = [j for j, x in enumerate(kinds) if x == kind]
        has = s.has[:, js]
        if not has.any():
            continue
        many = estimate_many(kind[0], s.n[:, js][has], s.s1[:, js][has], s.s2[:, js][has], kind[1], kind[2],
                             confidence)
        for name, matrix in out.items():
            part = matrix[:, js]
            part[has] = getattr(many, name)
            matrix[:, js] = part
    return out


def grid(shape: Shape, now: WaveSums, own: WaveSums, before: WaveSums | None, own_before: WaveSums | None,
         cols: list, units: np.ndarray, against: np.ndarray | None, k: int, compare: str, confidence: float,
         shrunk: bool) -> list[Col]:
    """Every column's estimates, suppression and comparisons. `units`: the page's rows; `against`: each
    one's comparison row (its parent, or the organisation) for compare=org/parent. Suppression is decided
    column by column; estimates and differences for all columns of one kind at once."""
    kinds = [kind_of(col) for col in cols]
    est = _estimates(now, kinds, confidence)
    out, pending = [], []
    for j, col in enumerate(cols):
        drop = col.group == "Customers"
        hid = hidden(shape, counts(now, j), counts(own, j), k, drop)
        mine = {name: matrix[:, j] for name, matrix in est.items()}
        shown_hidden = hid[units] | ~now.has[units, j] | (mine["n"][units] < k)
        if compare == "previous":
            if before is None:
                ok = np.zeros(len(units), dtype=bool)
                ref = (np.zeros(len(units)),) * 3
            else:
                hid_prev = hidden(shape, counts(before, j), counts(own_before, j), k, drop)
                ref = (before.n[units, j], before.s1[units, j], before.s2[units, j])
                ok = before.has[units, j] & (ref[0] >= k) & ~hid_prev[units]
        else:
            whole = against
            ref = (now.n[whole, j] - now.n[units, j], now.s1[whole, j] - now.s1[units, j],
                   now.s2[whole, j] - now.s2[units, j])
            ok = (units != shape.org) & now.has[units, j] & now.has[whole, j] & (ref[0] > 0) & (ref[0] >= k)
        compared = np.flatnonzero(~shown_hidden & ok)
        out.append(Col(mine, now.has[:, j], hid, shown_hidden, compared))
        if compared.size:
            rows = units[compared]
            pending.append((j, out[-1], (now.n[rows, j], now.s1[rows, j], now.s2[rows, j]),
                            tuple(part[compared] for part in ref)))
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    for kind in dict.fromkeys(kinds):
        group = [item for item in pending if kinds[item[0]] == kind]
        if not group:
            continue
        own_sums = [np.concatenate([item[2][x] for item in group]) for x in range(3)]
        ref_sums = [np.concatenate([item[3][x] for item in group]) for x in range(3)]
        d = difference_many(kind[0], *own_sums, *ref_sums, kind[1], confidence)
        change, low, high = d.change.tolist(), d.ci_low.tolist(), d.ci_high.tolist()
        significant, p = d.significant.tolist(), _ps(d.change, d.ci_low, d.ci_high, z)
        ref_value = estimate_many(kind[0], *ref_sums, kind[1], kind[2], confidence).value.tolist() if shrunk else None
        at = 0
        for _j, c, _own, _ref in group:
            part = slice(at, at + len(c.compared))
            c.change, c.low, c.high, c.significant, c.p = (change[part], low[part], high[part], significant[part],
                                                          p[part])
            c.ref_value = ref_value[part] if shrunk else None
            at = part.stop
    return out


def _ps(change: np.ndarray, low: np.ndarray, high: np.ndarray, z: float) -> list[float]:
    """Two-sided p of each difference from the side of its interval facing zero (Newcombe's intervals are
    lopsided near 0% and 100%; the far side would overstate the evidence); `z` the interval's quantile;
    NaN where the difference or that side is missing. The arithmetic is IEEE's as in Python; the normal
    tail is math.erfc's, one number at a time (scipy's erfc need not agree with it in the last bit)."""
    with np.errstate(all="ignore"):
        near = np.where(change >= 0, change - low, high - change)
        tail = (np.abs(change) / (near / z) / math.sqrt(2)).tolist()  # |change| / se, over sqrt(2)
    out = np.where(change != 0, 0.0, 1.0)  # where near <= 0: an interval that touches its own point
    out[~np.isfinite(change) | ~np.isfinite(near)] = NAN
    p = out.tolist()
    for i in np.flatnonzero(np.isfinite(change) & np.isfinite(near) & (near > 0)).tolist():
        p[i] = math.erfc(tail[i])  # twice the normal tail beyond |change| / se
    return p


def flag(cols: list[Col], alpha: float) -> None:
    """Benjamini-Hochberg q over every shown cell's difference (column by column, rows in page order);
    flagged when q < alpha and the interval excludes 0."""
    tested = [np.isfinite(np.asarray(c.p, dtype=float)) for c in cols]
    ps = np.concatenate([np.asarray(c.p, dtype=float)[t] for c, t in zip(cols, tested)] + [np.zeros(0)])
    q = benjamini_hochberg(ps) if ps.size else ps
    at = 0
    for c, t in zip(cols, tested):
        size = len(c.shown_hidden)
        c.q, c.flagged = np.full(size, NAN), np.zeros(size, dtype=bool)
        count = int(t.sum())
        if count:
            mine = q[at:at + count]
            c.q[c.compared[t]] = mine
            c.flagged[c.compared[t]] = (mine < alpha) & np.asarray(c.significant, dtype=bool)[t]
        at += count


def tau2(shape: Shape, c: Col) -> float:
    """Between-team variance of one column: every visible team of the organisation against its parent
    (the organisation for a root), whatever the page shows, so a filter of two teams still gets a
    variance estimated from many."""
    t = shape.org
    value, n, sd = c.est["value"], c.est["n"], c.est["sd"]
    parent = shape.parent
    use = c.has[:t] & ~c.hidden_rows[:t] & ~c.hidden_rows[parent] & np.isfinite(sd[parent]) & (n[:t] > 0)
    rows = np.flatnonzero(use)
    if not rows.size:
        return NAN
    centre = parent[rows]
    v = [x ** 2 / m for x, m in zip(sd[centre].tolist(), n[rows].tolist())]  # Python's ** as before
    return between_variance(value[rows].tolist(), v, centres=value[centre].tolist())


def shrink_column(c: Col, units: np.ndarray, ancestors: list[list[int]], t2: float) -> None:
    """Shrink the shown teams of one column towards their nearest shown ancestor on the page (the
    organisation, page row 0, for a top team): never towards a unit the reader may not see, whose value
    the shrunken value, the raw value and the weight would give away. `ancestors`: each page row's
    ancestors that are on the page, nearest first."""
    hid = c.shown_hidden.tolist()
    teams = [i for i in range(1, len(units)) if not hid[i]]
    if not teams or not math.isfinite(t2):
        return
    value, n, sd = c.est["value"], c.est["n"], c.est["sd"]
    y, v, centres = [], [], []
    for i in teams:
        centre = next((a for a in ancestors[i] if not hid[a]), 0)
        own, at = int(units[i]), int(units[centre])
        y.append(float(value[own]))
        # Sampling variance from the centre's respondent-level spread: a small team's own spread can be 0
        # (six people all favourable), which would make it look certain and leave it unshrunk.
        ok = not hid[centre] and math.isfinite(sd[at])
        v.append(float(sd[at]) ** 2 / int(n[own]) if ok else NAN)
        centres.append(float(value[at]) if ok else NAN)
    res = shrink(np.array(y), np.array(v), centres=np.array(centres), tau2=t2)
    low, high = res.interval()
    for i, team in enumerate(teams):
        if math.isfinite(res.values[i]):
            c.shrunk[team] = (float(res.values[i]), float(low[i]), float(high[i]), float(res.weights[i]))


def figures(c: Col, col, units: np.ndarray, labels: list[tuple[str, str]], period, names: tuple[str, ...],
            blank: tuple) -> tuple[list[Figure], list[str]]:
    """The page rows' figures of one column and their colour classes (from the difference, shrunk when
    shown so, plus the flag). `names`: the extras' names (with the shrinkage ones when shrunk), `blank`
    them all empty. Figures are built directly (figures.figure's rule): a large grid has 50,000+ cells;
    every number is rounded as Python's round rounds it (rounding.round_list), a column at a time."""
    metric, size = col.metric, len(units)
    digits = 2 if metric == "ces" else 1
    steps = STEPS["ces" if metric == "ces" else ("net" if metric in ("enps", "nps") else "share")]
    value = c.est["value"][units]
    dead = (c.shown_hidden | ~np.isfinite(value)).tolist()
    shown = [round_list(c.est[name][units], digits) for name in ("value", "ci_low", "ci_high")]
    ns = c.est["n"][units].tolist()
    keep = [i for i, x in enumerate(c.change) if math.isfinite(x)]  # compared cells with a difference
    rows = c.compared[keep]
    changed = np.zeros(size, dtype=bool)
    changed[rows] = True
    at = np.full(size, -1)
    at[rows] = np.arange(len(keep))

    def spread(values, d=digits) -> list:  # one number per compared cell -> rounded, per page row
        full = np.full(size, NAN)
        full[rows] = np.asarray(values, dtype=float)[keep] if len(keep) else []
        return round_list(full, d)

    change, low, high, p = spread(c.change), spread(c.low), spread(c.high), spread(c.p, 4)
    q, flagged = round_list(c.q, 4), c.flagged.tolist()
    shrinking = len(names) > len(EXTRAS)
    if shrinking:
        moved = np.full(size, NAN)
        sh = np.full((4, size), NAN)
        for i, values in c.shrunk.items():
            sh[:, i] = values
            if changed[i]:
                moved[i] = values[0] - c.ref_value[keep[at[i]]]
        raw, weight, moved = shown[0], round_list(sh[3], 3), round_list(moved, digits)
        shrunk = [round_list(sh[x], digits) for x in range(3)]
    out, classes = [], []
    changed = changed.tolist()  # Python bools: indexing a numpy array per cell costs more than the cell
    for i, (code, name) in enumerate(labels):
        if dead[i]:
            out.append(Figure(code, name, metric, None, None, None, None, True, period, blank))
            classes.append("heat-hidden")
            continue
        was_shrunk = shrinking and i in c.shrunk
        if not changed[i] and not was_shrunk:
            out.append(Figure(code, name, metric, shown[0][i], ns[i], shown[1][i], shown[2][i], False, period, blank))
            classes.append("heat-none")
            continue
        if changed[i]:
            extra = [change[i], low[i], high[i], p[i], q[i], flagged[i]]
        else:
            extra = [None] * len(EXTRAS)
        diff, values = extra[0], (shown[0][i], shown[1][i], shown[2][i])
        if shrinking:
            if was_shrunk:
                extra += [raw[i], weight[i], moved[i]]
                values = (shrunk[0][i], shrunk[1][i], shrunk[2][i])
                if moved[i] is not None:
                    diff = moved[i]
            else:
                extra += [None, None, None]
        out.append(Figure(code, name, metric, values[0], ns[i], values[1], values[2], False, period,
                          tuple(zip(names, extra))))
        if diff is None:
            classes.append("heat-none")
            continue
        level = (abs(diff) >= steps[0]) + (abs(diff) >= steps[1]) + (abs(diff) >= steps[2])
        css = "heat-0" if level == 0 else f"heat-{'hi' if diff > 0 else 'lo'}{level}"
        classes.append(css + (" heat-flag" if extra[5] else ""))
    return out, classes
