"""The dashboard's goal figures: progress against each open goal that applies to the unit shown.

The organisation's dashboard shows the organisation's goals; a department's or team's shows the goals on
it, on everything under it, on the units above it and on the organisation. Each goal is one Figure
(metric "goal:<key>") with its latest value, n and interval as goal_progress finds them, and extras
goal_id, target, due_on, distance, status and overdue, so the page, CSV, JSON and API carry the same.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from surveys.goals import service
from surveys.goals.metrics import metric_info
from surveys.insights import goal_progress
from surveys.insights.figures import Figure
from surveys.insights.reports.common import Tree

PREFIX = "goal:"


def goals_for_unit(session: Session, tree: Tree, unit: int | None) -> list:
    """Open goals that apply to a unit (None: the organisation's own goals)."""
    if unit is None:
        return service.list_goals(session, set())
    related = set(tree.subtree(unit))
    node = tree.nodes.get(unit)
    while node is not None:  # the unit itself and the units above it
        related.add(node.id)
        node = tree.nodes.get(node.parent_id) if node.parent_id is not None else None
    return service.list_goals(session, related)


def goal_figures(session: Session, tree: Tree, unit: int | None, k: int, confidence: float,
                 today: dt.date | None = None) -> tuple[list[Figure], dict]:
    """(one Figure per goal, page context: labels and the status sentence of each goal)."""
    rows = goal_progress.progress(session, goals_for_unit(session, tree, unit), k, confidence, today,
                                  when_set=False)
    figures, context = [], {}
    for p in rows:
        g, now = p.goal, p.now
        extra = (("goal_id", g.id), ("target", g.target), ("due_on", g.due_on.isoformat()),
                 ("distance", p.check.distance), ("status", p.status), ("overdue", p.overdue))
        figures.append(Figure(p.unit_code, p.unit_name, PREFIX + g.metric, now.value, now.n, now.low, now.high,
                              now.suppressed, now.period or None, extra))
        context[g.id] = {"label": metric_info(g.metric).label, "unit": p.unit, "text": p.status_text}
    return figures, context
