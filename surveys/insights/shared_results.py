"""What employees see of a closed wave ("What you told us") and of the published actions ("You said, we did").

A results link names a wave and a storage team. The page shows the organisation, the team's department
and the team, each only where it is shown in the heatmap too: its own n reaches the wave's threshold and
the whole-tree complementary suppression (`cells.hidden_units`) does not hide it, so no small group can
be worked out by subtracting one visible unit from another. Hidden units are left out entirely (no row,
no n). Only dimension scores and eNPS: no items, no comments, no response rates, nothing about a person.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.summaries import estimate
from surveys.goals.metrics import metric_info
from surveys.insights.figures import ORG, Figure, figure
from surveys.insights.reports.cells import hidden_units, subtree_totals
from surveys.insights.reports.common import EX_METRICS, Tree, ex_sums, unit_label
from surveys.models import Action, Wave
from surveys.models.actions import action_teams

HEADINGS = {"engagement": "Engagement", "culture": "Culture", "people": "People", "process": "Process",
            "technology": "Technology", "enps": "eNPS"}
STATUS_ORDER = {"in_progress": 0, "planned": 1, "done": 2, "abandoned": 3}


@dataclass(frozen=True)
class SharedUnit:
    """One unit shown on the page: its level, name and figures (never empty: hidden units are left out)."""

    level: str  # "organisation", "department" or "team"
    code: str
    name: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class SharedResults:
    """The page of one results link."""

    program_title: str
    wave_label: str
    closed_on: dt.date
    threshold: int
    units: tuple[SharedUnit, ...]
    notes: tuple[str, ...]
    actions: tuple[Action, ...]


def chain(tree: Tree, team_id: int) -> list[tuple[str, int | None]]:
    """(level, team id) of the organisation, the team's department and the team (department and team
    collapse when equal). A single root is the organisation itself, so departments sit below it."""
    path, tid = [], team_id
    while tid is not None and tid in tree.nodes:
        path.append(tid)
        tid = tree.nodes[tid].parent_id
    path.reverse()
    if len(tree.children[None]) == 1:
        path = path[1:]
    out: list[tuple[str, int | None]] = [("organisation", None)]
    if path and path[0] != path[-1]:
        out.append(("department", path[0]))
    if path:
        out.append(("team", path[-1]))
    return out


def results_for(session: Session, wave: Wave, team_id: int, k: int, confidence: float = 0.95) -> SharedResults:
    """The organisation's, the department's and the team's dimension scores in `wave`, where shown."""
    tree = Tree(session)
    k = max(k, wave.min_group_size)
    sums = ex_sums(session, [wave.id])
    measured = [m for m in EX_METRICS if any(key[0] == wave.id and key[2] == m for key in sums)]
    levels = chain(tree, team_id)
    shown: dict[int | None, list[Figure]] = {unit: [] for _level, unit in levels}
    for metric in measured:
        totals = subtree_totals(tree, sums, wave.id, metric)
        hide = hidden_units(tree, totals, lambda t, m=metric: sums.get((wave.id, t, m)), k)
        for _level, unit in levels:
            total = totals.get(unit)
            if total is None or total.n < k or (ORG if unit is None else unit) in hide:
                continue
            code, name = unit_label(tree, unit)
            shown[unit].append(figure(code, name, metric, estimate(total, confidence), k, period=wave.label))
    units, notes = [], []
    for level, unit in levels:
        if shown[unit]:
            code, name = unit_label(tree, unit)
            units.append(SharedUnit(level, code, name if unit is not None else "The whole organisation",
                                    tuple(shown[unit])))
        elif level != "organisation":
            # Saying so without a number: too few answers, or a smaller group it would give away.
            notes.append(f"Your {level}'s results are not shown: they would not keep everyone's answers anonymous "
                         f"(results appear only for groups of at least {k} people, and never where a smaller "
                         "group could be worked out from them).")
    if not units:
        notes.insert(0, f"Fewer than {k} people answered, so no results can be shown.")
    related = {t for _level, unit in levels if unit is not None for t in _around(tree, unit)}
    return SharedResults(wave.program.respondent_title, wave.label, wave.closes_at.date(), k, tuple(units),
                         tuple(notes), tuple(published_actions(session, related, everywhere=False)))


def _around(tree: Tree, team_id: int) -> set[int]:
    """The team, its ancestors (their actions cover it) and its subtree (teams pooled into it)."""
    out, tid = set(tree.subtree(team_id)), tree.nodes[team_id].parent_id
    while tid is not None:
        out.add(tid)
        tid = tree.nodes[tid].parent_id
    return out


def published_actions(session: Session, team_ids: Collection[int] = (), everywhere: bool = True) -> list[Action]:
    """Published actions, open ones first, then by due date: all of them, or those on `team_ids` and those
    on no team (the organisation's)."""
    query = (select(Action).where(Action.visibility == "published")
             .options(selectinload(Action.teams), selectinload(Action.steps)))
    if not everywhere:
        on_teams = select(action_teams.c.action_id).where(action_teams.c.team_id.in_(list(team_ids)))
        no_team = ~select(action_teams.c.action_id).where(action_teams.c.action_id == Action.id).exists()
        query = query.where(Action.id.in_(on_teams) | no_team)
    actions = list(session.scalars(query))
    return sorted(actions, key=lambda a: (STATUS_ORDER.get(a.status, 9), a.due_on or dt.date.max, a.id))


def metric_label(key: str) -> str:
    """How a targeted metric is named on the pages (the key itself when unknown)."""
    try:
        return metric_info(key).label
    except KeyError:
        return key


def team_names(actions: Collection[Action]) -> dict[int, str]:
    """{action id: its teams' names, or 'The whole organisation'}."""
    return {a.id: ", ".join(t.name for t in a.teams) or "The whole organisation" for a in actions}

