"""The heatmap's sums as arrays: every team's own sums per wave and column, their subtree totals, and the
units each column must hide, without a `Sums` object per team and metric.

A large organisation's grid has 2,000 teams x 25 columns; building, adding and subtracting a `Sums` per
cell cost more than the SQL. Here a wave's sums are three float matrices (n, s1, s2), one row per team
in hierarchy order plus one for the organisation, one column per grid column, and a mask of the cells
that have any. Each value is what `common.ex_sums`, `common.item_sums` and `cells.cx_sums` give and
each total is added in the order `cells.subtree_totals` adds it (own sums, then the children in tree
order), with IEEE additions as Python's, so every total is bit for bit the one the `Sums` path gives.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.privacy import hidden_in_tree
from surveys.insights import datasets
from surveys.insights.figures import ORG
from surveys.insights.reports.cells import CX_KINDS
from surveys.insights.reports.common import EX_METRICS, Tree
from surveys.models import RollupDimension, RollupItem


@dataclass(frozen=True)
class Shape:
    """The tree as arrays: row i is team `ids[i]` (hierarchy order), row `org` the organisation."""

    ids: list[int]
    row: dict[int, int]  # team id -> row
    parent: np.ndarray  # each team's parent row (the organisation's row for a root)
    depth: np.ndarray
    steps: list[tuple[np.ndarray, np.ndarray]]  # (parent rows, child rows) to add, deepest first
    roots: list[int]  # rows of the top teams, in tree order
    has_children: np.ndarray
    node_ids: np.ndarray  # hidden_in_tree's keys and parent keys of the teams and their own members
    node_parents: np.ndarray
    own_ids: np.ndarray

    @property
    def org(self) -> int:
        """The organisation's row."""
        return len(self.ids)


def shape_of(tree: Tree) -> Shape:
    """The arrays of `tree`."""
    ids = list(tree.order)
    row = {t: i for i, t in enumerate(ids)}
    org = len(ids)
    parent = np.array([org if tree.nodes[t].parent_id is None else row[tree.nodes[t].parent_id] for t in ids],
                      dtype=np.int64)
    depth = np.array([tree.nodes[t].depth for t in ids], dtype=np.int64)
    kids = [[row[c.id] for c in tree.children[t]] for t in ids]
    steps = []
    for d in range(int(depth.max(initial=0)), -1, -1):
        # The r-th child of every parent at depth d in one step: children before their parents, and each
        # parent's children in tree order, as subtree_totals adds them one by one.
        parents = [i for i in np.flatnonzero(depth == d).tolist() if kids[i]]
        for r in range(max((len(kids[i]) for i in parents), default=0)):
            have = [i for i in parents if len(kids[i]) > r]
            steps.append((np.array(have, dtype=np.int64), np.array([kids[i][r] for i in have], dtype=np.int64)))
    node_ids = np.empty(len(ids), dtype=object)
    node_ids[:] = ids
    node_parents = np.empty(len(ids), dtype=object)
    node_parents[:] = [ORG if tree.nodes[t].parent_id is None else tree.nodes[t].parent_id for t in ids]
    own_ids = np.empty(len(ids), dtype=object)
    own_ids[:] = [f"own:{t}" for t in ids]
    return Shape(ids, row, parent, depth, steps, [row[r.id] for r in tree.children[None]],
                 np.array([bool(k) for k in kids], dtype=bool), node_ids, node_parents, own_ids)


@dataclass
class WaveSums:
    """One wave's sums: (rows, columns) matrices n, s1, s2 and `has` (False where a cell has no sums)."""

    n: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    has: np.ndarray

    def copy(self) -> WaveSums:
        return WaveSums(self.n.copy(), self.s1.copy(), self.s2.copy(), self.has.copy())


def customer_rows(session: Session, program_code: str, wave_ids: list[int]) -> list[tuple]:
    """`cells.cx_sums`'s entries as (wave id, team id, metric, n, s1, s2) tuples."""
    waves = [w for w in datasets.employee_waves(session, program_code) if w.wave_id in wave_ids]
    frame = datasets.team_customer_outcomes(session, waves)
    wave_of = {w.index: w.wave_id for w in waves}
    out = []
    for row in frame.itertuples(index=False):
        if row.metric not in CX_KINDS or row.n <= 0:
            continue
        s1, s2 = {"share": (row.top2, row.top2_sq), "net": (row.prom - row.det, row.net_sq),
                  "mean": (row.mean, row.mean_sq)}[CX_KINDS[row.metric][0]]
        out.append((wave_of[row.wave], int(row.team_id), row.metric, int(row.n), float(s1), float(s2)))
    return out


def read(session: Session, shape: Shape, wave_ids: list[int], keys: list[str], cx: list[tuple]) -> dict:
    """wave id -> WaveSums of its teams' own sums for the columns `keys` (the Column.key of each column):
    the rows `ex_sums` and `item_sums` keep, and the customer rows `cx` (customer_rows)."""
    col = {key: j for j, key in enumerate(keys)}
    wave = {w: i for i, w in enumerate(wave_ids)}
    size = (len(wave_ids), shape.org + 1, len(keys))
    out = WaveSums(np.zeros(size), np.zeros(size), np.zeros(size), np.zeros(size, dtype=bool))
    r = RollupDimension
    # Core rows (session.connection()): the ORM's per-row result processing cost more than the query.
    ex = session.connection().execute(select(r.wave_id, r.team_id, r.dimension, r.n_fav, r.fav_sum, r.fav_sq, r.n,
                                             r.prom, r.det, r.net_sq)
                                      .where(r.wave_id.in_(wave_ids), r.dimension.in_(EX_METRICS))).all()
    if ex:
        w, t, dim, n_fav, fav_sum, fav_sq, n, prom, det, net_sq = zip(*ex)
        enps = np.array([d == "enps" for d in dim], dtype=bool)
        # ex_sums: eNPS (n, promoters - detractors, net_sq) where n; a dimension (n_fav, fav_sum, fav_sq) where n_fav
        count = np.where(enps, np.array(n, dtype=float), np.array(n_fav, dtype=float))
        net = np.array(prom, dtype=float) - np.array(det, dtype=float)
        _place(out, shape, wave, w, t, [col.get(d, -1) for d in dim], count,
               np.where(enps, net, np.array(fav_sum, dtype=float)),
               np.where(enps, np.array(net_sq, dtype=float), np.array(fav_sq, dtype=float)), count != 0)
    i = RollupItem
    items = session.connection().execute(select(i.wave_id, i.team_id, i.question_id, i.n, i.favourable)
                                         .where(i.wave_id.in_(wave_ids), i.n > 0)).all()
    if items:
        w, t, q, n, fav = zip(*items)
        # item_sums keys a question as f"q{id}": the columns whose key is exactly that
        by_id = {int(key[1:]): j for key, j in col.items() if key[:1] == "q" and key[1:].isdigit()
                 and key == f"q{int(key[1:])}"}
        _place(out, shape, wave, w, t, [by_id.get(x, -1) for x in q], np.array(n, dtype=float),
               np.array(fav, dtype=float), np.zeros(len(n)), None)
    if cx:
        w, t, metric, n, s1, s2 = zip(*cx)
        _place(out, shape, wave, w, t, [col.get(m, -1) for m in metric], np.array(n, dtype=float),
               np.array(s1, dtype=float), np.array(s2, dtype=float), None)
    return {w: WaveSums(out.n[x], out.s1[x], out.s2[x], out.has[x]) for w, x in wave.items()}


def _place(out: WaveSums, shape: Shape, wave: dict, w, t, j: list[int], n, s1, s2, keep) -> None:
    """Rows (wave ids `w`, team ids `t`, column indices `j`, sums) into the matrices; rows of teams outside
    the tree, of metrics that are no column, or not in `keep` left out. Integer counts and sums become
    floats here: exact (far below 2**53), as when estimate_many reads them."""
    wi = np.array([wave[x] for x in w], dtype=np.int64)
    ri = np.array([shape.row.get(x, -1) for x in t], dtype=np.int64)
    ji = np.array(j, dtype=np.int64)
    ok = (ri >= 0) & (ji >= 0) & (True if keep is None else keep)
    at = (wi[ok], ri[ok], ji[ok])
    out.n[at], out.s1[at], out.s2[at], out.has[at] = n[ok], s1[ok], s2[ok], True


def totals(shape: Shape, own: WaveSums) -> WaveSums:
    """Every unit's subtree sums (the organisation's in row `shape.org`), every column at once."""
    out = own.copy()
    for parents, children in shape.steps:
        _add(out, parents, children)
    for root in shape.roots:
        _add(out, np.array([shape.org]), np.array([root]))
    return out


def _add(s: WaveSums, a: np.ndarray, b: np.ndarray) -> None:
    """Rows a += rows b as `Sums` add: a sum where both have sums, else whichever has them."""
    ha, hb = s.has[a], s.has[b]
    both = ha & hb
    for m in (s.n, s.s1, s.s2):
        x, y = m[a], m[b]
        m[a] = np.where(both, x + y, np.where(hb, y, x))
    s.has[a] = ha | hb


def counts(s: WaveSums, j: int) -> np.ndarray:
    """`cells._n` of column j's cells: the rounded n, 0 where there are no sums."""
    return np.where(s.has[:, j], np.round(s.n[:, j]), 0.0)


def hidden(shape: Shape, total: np.ndarray, own: np.ndarray, k: int, drop_empty: bool) -> np.ndarray:
    """`cells.hidden_units` as a mask over the rows (the organisation last): the same cells in the same
    order into analysis.privacy.hidden_in_tree. `total`, `own`: the column's counts (`counts`)."""
    t = shape.org
    kept = np.ones(t, dtype=bool) if not drop_empty else total[:t] != 0
    mine = kept & shape.has_children & (own[:t] != 0)
    ids, parents, cnt = (np.empty(2 * t, dtype=object) for _ in range(3))
    ids[0::2], ids[1::2] = shape.node_ids, shape.own_ids
    parents[0::2], parents[1::2] = shape.node_parents, shape.node_ids
    cnt[0::2], cnt[1::2] = total[:t], own[:t]
    chosen = np.empty(2 * t, dtype=bool)
    chosen[0::2], chosen[1::2] = kept, mine
    mask = hidden_in_tree(np.concatenate([[ORG], ids[chosen]]), np.concatenate([[None], parents[chosen]]),
                          np.concatenate([[total[t]], cnt[chosen]]).astype(float), k)
    slots = np.zeros(2 * t, dtype=bool)
    slots[chosen] = mask[1:]
    return np.append(slots[0::2], mask[0])
