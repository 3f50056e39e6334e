"""Helpers shared by the heatmap and questions reports: customer sums per employee wave, suppression of
a whole hierarchy of unit totals, and the comparison group of a unit.

Suppression is decided over the whole organisation's tree, whatever the user's scope or filter, so a
unit is hidden or shown identically on every page and for every reader: nobody can recover a hidden
team by putting two filtered views side by side.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from analysis.privacy import hidden_in_tree
from analysis.results import ChangeResult
from analysis.summaries import Estimate, Sums, difference
from analysis.summaries_many import difference_many, estimate_many
from surveys.insights import datasets
from surveys.insights.figures import ORG
from surveys.insights.reports.common import TeamSums, Tree

CX_KINDS = {"csat": ("share", 100.0), "nps": ("net", 100.0), "ces": ("mean", 1.0)}


def cx_sums(session: Session, program_code: str, wave_ids: list[int]) -> TeamSums:
    """Per employee wave, owning team and customer metric (csat, nps, ces): the customer answers dated in
    the wave's customer period (datasets.employee_waves: from its opening to the next wave's)."""
    waves = [w for w in datasets.employee_waves(session, program_code) if w.wave_id in wave_ids]
    frame = datasets.team_customer_outcomes(session, waves)
    wave_of = {w.index: w.wave_id for w in waves}
    out: TeamSums = {}
    for row in frame.itertuples(index=False):
        if row.metric not in CX_KINDS or row.n <= 0:
            continue
        kind, scale = CX_KINDS[row.metric]
        s1, s2 = {"share": (row.top2, row.top2_sq), "net": (row.prom - row.det, row.net_sq),
                  "mean": (row.mean, row.mean_sq)}[kind]
        out[(wave_of[row.wave], int(row.team_id), row.metric)] = Sums(kind, int(row.n), float(s1), float(s2), scale)
    return out


def _n(s: Sums | None) -> int:
    return 0 if s is None else int(round(s.n))


Totals = dict  # unit (team id, None for the organisation) -> Sums of its whole subtree, or None


def subtree_totals(tree: Tree, sums: TeamSums, wave_id: int, metric: str) -> Totals:
    """Every unit's subtree sums for one wave and metric, in one bottom-up pass over the tree."""
    out: Totals = {}
    for tid in reversed(tree.order):  # hierarchy order lists parents first: reversed, children come first
        total = sums.get((wave_id, tid, metric))
        for child in tree.children[tid]:
            part = out.get(child.id)
            if part is not None:
                total = part if total is None else total + part
        out[tid] = total
    org = None
    for root in tree.children[None]:
        part = out.get(root.id)
        if part is not None:
            org = part if org is None else org + part
    out[None] = org
    return out


def hidden_units(tree: Tree, totals: Totals, own: Callable[[int], Sums | None], k: int,
                 drop_empty: bool = False) -> set:
    """Units (team ids, and ORG for the organisation) whose total must not be shown.

    Every team's row is its subtree total and its parent is the team above (the organisation above the
    roots). A team whose own members answered besides its children's enters as a pseudo-child, so the
    family equation parent = own members + children stays whole and a small own group is protected
    like a small child. `drop_empty` leaves out teams with no answers at all (customer outcomes: a team
    that owns no touchpoint is a fact of the organisation chart, not about anyone).
    """
    # Plain lists into analysis.privacy.hidden_in_tree (suppress's decisions without a frame): a heatmap
    # asks this for every column and wave, and a frame each time cost more than the rest of the report.
    ids, parents, counts = [ORG], [None], [_n(totals.get(None))]
    for tid in tree.order:
        node = tree.nodes[tid]
        count = _n(totals.get(tid))
        if drop_empty and count == 0:
            continue
        ids.append(tid)
        parents.append(ORG if node.parent_id is None else node.parent_id)
        counts.append(count)
        if tree.children[tid]:
            mine = _n(own(tid))
            if mine:
                ids.append(f"own:{tid}")
                parents.append(tid)
                counts.append(mine)
    mask = hidden_in_tree(ids, parents, counts, k)
    return {h for h, hide in zip(ids, mask) if hide and not (isinstance(h, str) and h.startswith("own:"))}


def hidden_for(tree: Tree, sums: TeamSums, wave_id: int, metric: str, k: int, drop_empty: bool = False) -> set:
    """`hidden_units` straight from per-team sums."""
    return hidden_units(tree, subtree_totals(tree, sums, wave_id, metric),
                        lambda tid: sums.get((wave_id, tid, metric)), k, drop_empty)


def reference(now: Totals, before: Totals | None, team_id: int | None, compare: str,
              parent_id: int | None = None) -> Sums | None:
    """The group a unit is compared with: the rest of the organisation, the rest of `parent_id`'s subtree
    (None: the organisation), or the unit itself in the previous wave. None when there is none."""
    if compare == "previous":
        return None if before is None else before.get(team_id)
    own = now.get(team_id)
    if team_id is None or own is None:
        return None
    whole = now.get(parent_id if compare == "parent" else None)
    rest = None if whole is None else whole - own
    return rest if rest is not None and rest.n > 0 else None


def hierarchy_rows(tree: Tree, top: int | None, allowed: Callable[[int], bool]) -> list[int]:
    """The teams a page lists, in hierarchy order: the subtree of `top` (every team when None) in scope."""
    teams = tree.order if top is None else tree.subtree(top)
    return [t for t in teams if allowed(t)]


def estimates(groups: list[Sums | None], confidence: float) -> list[Estimate | None]:
    """`estimate` of each group (None for None), computed at once per kind, scale and bounds."""
    out: list[Estimate | None] = [None] * len(groups)
    batches: dict[tuple, list[int]] = {}
    for i, g in enumerate(groups):
        if g is not None:
            batches.setdefault((g.kind, g.scale, g.bounds), []).append(i)
    for (kind, scale, bounds), idx in batches.items():
        many = estimate_many(kind, [groups[i].n for i in idx], [groups[i].s1 for i in idx],
                             [groups[i].s2 for i in idx], scale, bounds, confidence)
        for i, result in zip(idx, many.results()):
            out[i] = result
    return out


def differences(pairs: list[tuple[Sums, Sums]], confidence: float) -> list[ChangeResult]:
    """`difference(group, reference)` of each pair, computed at once per kind and scale."""
    out: list[ChangeResult | None] = [None] * len(pairs)
    batches: dict[tuple, list[int]] = {}
    for i, (g, ref) in enumerate(pairs):
        if (g.kind, g.scale) == (ref.kind, ref.scale):
            batches.setdefault((g.kind, g.scale), []).append(i)
        else:  # not a pair a grid makes; the scalar function decides what it means
            out[i] = difference(g, ref, confidence)
    for (kind, scale), idx in batches.items():
        g = [pairs[i][0] for i in idx]
        ref = [pairs[i][1] for i in idx]
        many = difference_many(kind, [x.n for x in g], [x.s1 for x in g], [x.s2 for x in g],
                               [x.n for x in ref], [x.s1 for x in ref], [x.s2 for x in ref], scale, confidence)
        for i, result in zip(idx, many.results()):
            out[i] = result
    return out
