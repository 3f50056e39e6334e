"""Heatmap report: teams (hierarchy order) x dimensions, eNPS, items and the customer outcomes of the
touchpoints each team owns, for one wave.

Every cell is a unit's subtree total with its n and interval, and its difference from the comparison
(`compare`: the rest of the organisation, the rest of the parent's subtree, or the unit's previous wave),
an independent-groups difference (analysis.summaries.difference). Cells are flagged only when the
difference survives Benjamini-Hochberg over every cell of the grid. `shrink=1` shows empirical Bayes
estimates pulled towards the parent (analysis.shrinkage), so a small team does not top the grid by chance.

The cells are computed a column at a time on arrays (heatmap_sums: sums, subtree totals, suppression;
heatmap_grid: comparisons, q-values, shrinkage, figures): a large organisation's grid has 50,000 cells, and
the same numbers computed cell by cell (tests/webapp/heatmap_oracle.py, which the tests hold it to) took
several times as long.
"""
from __future__ import annotations

import dataclasses

import numpy as np
from sqlalchemy.orm import Session

from analysis.metrics import AGREEMENT_TYPES, EX_DIMENSIONS
from surveys.insights.figures import ORG, Report
from surveys.insights.reports import heatmap_grid as grid_cells
from surveys.insights.reports import heatmap_sums as grid_sums
from surveys.insights.reports.cells import hierarchy_rows
from surveys.insights.reports.common import (ReportParams, ReportSettings, Scope, Tree, resolve_unit, unit_label,
                                             wave_context)
from surveys.insights.reports.heatmap_grid import EXTRAS, SHRINK_EXTRAS

HEADINGS = {"engagement": "Engagement", "culture": "Culture", "people": "People", "process": "Process",
            "technology": "Technology", "enps": "eNPS", "csat": "CSAT", "nps": "NPS", "ces": "CES"}


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of the grid: its metric key (the figures' `metric`), heading, group and hover text."""

    metric: str
    heading: str
    group: str
    title: str
    key: str  # key in the sums


def columns(wave, dimension: str | None, customers: bool) -> list[Column]:
    """The grid's columns: the survey's dimensions and eNPS, its agreement items (of one dimension if
    asked), and the customer outcomes when any customer answered over the wave's period."""
    asked = {q.dimension for q in wave.survey.questions}
    cols = [Column(d, HEADINGS[d], "Dimensions", f"{HEADINGS[d]} index, % favourable", d)
            for d in EX_DIMENSIONS if d in asked]
    if "enps" in asked:
        cols.append(Column("enps", "eNPS", "Dimensions", "Employee Net Promoter Score", "enps"))
    for q in sorted(wave.survey.questions, key=lambda q: q.position):
        if q.qtype in AGREEMENT_TYPES and (dimension is None or q.dimension == dimension):
            cols.append(Column(f"item.{q.code}", q.code, "Items", f"{q.text} (% favourable)", f"q{q.id}"))
    outcomes = (("csat", "CSAT, % satisfied"), ("nps", "Net Promoter Score"), ("ces", "Customer effort, mean 1-7"))
    for m, title in outcomes:
        if customers:
            cols.append(Column(m, HEADINGS[m], "Customers", f"{title}, over the wave's customer period", m))
    return cols


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """The heatmap for one wave, the user's subtree (or the `unit` filter) only."""
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
    cx = grid_sums.customer_rows(session, program.code, ids)
    cols = columns(wave, dimension, any(row[0] == wave.id for row in cx))
    shape = grid_sums.shape_of(tree)
    own = grid_sums.read(session, shape, ids, [c.key for c in cols], cx)
    now = grid_sums.totals(shape, own[wave.id])
    then = grid_sums.totals(shape, own[before.id]) if before else None
    teams = hierarchy_rows(tree, top, scope.allows)
    units = np.array([shape.org] + [shape.row[t] for t in teams], dtype=np.int64)
    against = None if params.compare == "previous" else np.array(
        [shape.org] + [shape.org if params.compare == "org" else _against(tree, shape, t, scope) for t in teams],
        dtype=np.int64)
    grid = grid_cells.grid(shape, now, own[wave.id], then, own[before.id] if before else None, cols, units,
                           against, k, params.compare, settings.confidence, shrunk)
    grid_cells.flag(grid, 1 - settings.confidence)
    if shrunk:
        ancestors = _ancestors(tree, [None] + teams)
        for c in grid:
            grid_cells.shrink_column(c, units, ancestors, grid_cells.tau2(shape, c))
    names = EXTRAS + (SHRINK_EXTRAS if shrunk else ())
    blank = tuple((n, None) for n in names)  # the extras of a hidden cell, or of one with nothing to add
    labels = [unit_label(tree, None)] + [(tree.nodes[t].code, tree.nodes[t].name) for t in teams]
    made = [grid_cells.figures(c, col, units, labels, wave.label, names, blank) for c, col in zip(grid, cols)]
    # Row by row, as the page lists them: every unit's cells in column order.
    figures = tuple(f for row in zip(*(figs for figs, _css in made)) for f in row)
    rows = {code: ((), ()) for code, _name in labels}  # a grid with no column still lists its units
    rows.update({code: (figs, css) for (code, _name), figs, css in
                 zip(labels, zip(*(figs for figs, _css in made)), zip(*(css for _figs, css in made)))})
    # customer cells of teams that own no touchpoint with answers: a blank, not a secret
    empty = {(labels[i][0], col.metric) for j, col in enumerate(cols) if col.group == "Customers"
             for i in np.flatnonzero(~now.has[units, j]).tolist()}
    params_out = {"program": program.code, "wave": wave.label, "unit": params.unit or None,
                  "compare": params.compare, "dimension": dimension, "shrink": "1" if shrunk else "0"}
    return Report("heatmap", "Heatmap", params_out, figures, _notes(k, params.compare, prev, shrunk),
                  context={"program": program, "wave": wave, "columns": cols, "blocks": _blocks(tree, teams),
                           "rows": rows, "dimensions": dims, "previous": prev, "empty": empty},
                  threshold=k)


def _against(tree: Tree, shape, team_id: int, scope: Scope) -> int:
    """The row a team is compared with under compare=parent: its parent, or the organisation when the
    parent is outside the reader's scope (a lead's top team: the difference would give the rest away)."""
    parent = tree.nodes[team_id].parent_id
    return shape.row[parent] if parent is not None and scope.allows(parent) else shape.org


def _ancestors(tree: Tree, units: list) -> list[list[int]]:
    """Each page row's ancestors that are on the page (page rows), nearest first."""
    at = {u: i for i, u in enumerate(units)}
    out = []
    for u in units:
        chain, parent = [], None if u is None else tree.nodes[u].parent_id
        while parent is not None:
            if parent in at:
                chain.append(at[parent])
            parent = tree.nodes[parent].parent_id
        out.append(chain)
    return out


def _blocks(tree: Tree, units) -> list[dict]:
    """The page's row blocks: the organisation and the top team(s) first, then one collapsible block per
    unit one level down that has teams under it (its whole subtree); lone teams stay in plain blocks."""
    shown = [u for u in units if u is not None]
    base = min((tree.nodes[u].depth for u in shown), default=0)
    blocks = [{"title": None, "rows": [{"code": ORG, "name": "Organisation", "depth": 0}]}]
    for u in shown:
        node = tree.nodes[u]
        depth = node.depth - base
        row = {"code": node.code, "name": node.name, "depth": depth}
        if depth == 0:
            blocks[0]["rows"].append(row)
        elif depth == 1 and tree.children[u]:
            blocks.append({"title": node.name, "rows": [row]})
        elif depth == 1 and blocks[-1]["title"] is not None:
            blocks.append({"title": None, "rows": [row]})
        else:
            blocks[-1]["rows"].append(row)
    return blocks


def _notes(k: int, compare: str, prev, shrunk: bool) -> tuple[str, ...]:
    against = {"org": "the rest of the organisation (everyone outside the team)",
               "parent": "the rest of the team's parent unit (the rest of the organisation for a top team you lead)",
               "previous": "the same unit in the previous wave"}
    notes = [f"Each cell is a unit's score (its whole subtree) with its number of respondents n; cells with fewer "
             f"than {k} respondents are hidden, and so is one more where a hidden one could otherwise be worked "
             "out from a department's total.",
             f"Colour: the difference from {against[compare]}. A flag marks a difference that stays significant "
             "after Benjamini–Hochberg false-discovery control across every cell of this grid."]
    if compare == "previous" and prev is None:
        notes.append("This is the program's first wave: there is no previous wave to compare with.")
    if shrunk:
        notes.append("Shrunken estimates: each team's score is pulled towards its parent's by how little its "
                     "own n tells (empirical Bayes), so small teams do not top the grid by chance; flags "
                     "still come from the unshrunken differences.")
    return tuple(notes)
