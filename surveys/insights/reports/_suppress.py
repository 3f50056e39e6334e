"""Which units of the hierarchy a report must hide, decided over the whole tree, so that no page (and
no pair of pages) lets a hidden team be worked out by subtracting visible units from their parent.

A unit's count is its whole subtree's; each unit's family is its parent and its siblings (the roots'
parent is the organisation). `analysis.privacy.suppress` hides every unit below k and then further
siblings (or the parent) wherever a family would have exactly one unknown. The decision depends only
on the counts, so every report that shows units of the tree can reach the same one.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.privacy import suppress
from surveys.insights.figures import ORG
from surveys.insights.reports.common import Tree


def subtree_counts(tree: Tree, own: Mapping[int, float]) -> dict[int, float]:
    """Each team's count summed over its subtree, from the teams' own counts."""
    total = {tid: float(own.get(tid, 0.0)) for tid in tree.order}
    for tid in reversed(tree.order):  # children come after their parent in hierarchy order
        parent = tree.nodes[tid].parent_id
        if parent is not None and parent in total:
            total[parent] += total[tid]
    return total


def hidden_units(tree: Tree, own: Mapping[int, float], k: int) -> set:
    """Team ids (and ORG) hidden under primary and complementary suppression of subtree counts."""
    counts = subtree_counts(tree, own)
    rows = [(ORG, None, sum(float(v) for t, v in own.items() if t in counts))]
    rows += [(tid, tree.nodes[tid].parent_id if tree.nodes[tid].parent_id is not None else ORG, counts[tid])
             for tid in tree.order]
    frame = pd.DataFrame(rows, columns=["id", "parent", "n"]).astype({"id": object, "parent": object})
    result = suppress(frame, "n", k, parent="parent", value_columns=[], id_column="id").frame
    return set(result.loc[result["suppressed"], "id"])
