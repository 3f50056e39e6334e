"""Did an action work? Its measured effect: a difference in differences against comparable teams.

Before is the last closed wave that opened on or before the action's start (a wave opening the day
the action starts cannot show it yet), after the first closed wave that opened later; until that
wave closes the action is 'waiting'. Customer metrics use the customer periods paired with those
waves (feedback on the touchpoints each team owns, from the wave's opening to the next opening).

Units are storage teams with their own respondents: each team's own rollup rows, never a subtree's
sums, so no respondent counts twice when a parent unit has respondents of its own and a team below k
in either wave is simply left out (a group below k is never used).

- Treated: the teams of the action and the teams below them (an action on a unit covers its subtree).
- Comparison: teams that are not treated by this or any other action on the same metric that had
  started by the time the after wave opened. Abandoned actions do not count: an abandoned action
  mostly never happened, and dropping its teams would shrink an already small comparison group.
  Teams of the treated teams' department (their ancestor at depth 1) first; the whole organisation
  when the department has fewer than `MIN_COMPARISON` comparison teams.

The statistics (and the interval's choice) are `analysis.effects`.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.effects import MIN_COMPARISON, TOO_FEW, action_effect
from analysis.summaries import estimate
from surveys.goals.metrics import metric_info
from surveys.insights import datasets
from surveys.insights.metric_values import closed_waves, period_label, team_sums
from surveys.insights.reports.cells import hidden_for
from surveys.insights.reports.common import Tree
from surveys.models import Action
from surveys.models.actions import action_teams
from surveys.models.base import utcnow

STATUSES = ("measured", "waiting", "too_few", "not_measurable")


@dataclass(frozen=True)
class MeasuredEffect:
    """An action's measured effect, or why there is none yet (status and sentence say which)."""

    status: str                 # one of STATUSES
    effect: float | None        # after-minus-before change of the treated minus the comparison teams'
    low: float | None
    high: float | None
    n_treated: int | None
    n_comparison: int | None
    before: str | None          # the periods compared (wave labels, or the customer periods)
    after: str | None
    verdict: str                # worked / not shown to have worked / went the other way / too few teams to tell
    sentence: str
    compared_with: str | None = None   # "Sales" (the department) or "the organisation"


def _none(status: str, verdict: str, sentence: str, before: str | None = None, after: str | None = None,
          n_treated: int | None = None, n_comparison: int | None = None) -> MeasuredEffect:
    return MeasuredEffect(status, None, None, None, n_treated, n_comparison, before, after, verdict, sentence)


def _start(action: Action) -> dt.date:
    """When the action started: its start date, else the day it was created (an unsaved one: today)."""
    return action.starts_on or (action.created_at or utcnow()).date()


def measure(session: Session, actions: Iterable[Action], k: int, confidence: float = 0.95) -> dict[int, MeasuredEffect]:
    """{action id: MeasuredEffect} for these actions; reads the rollups once per metric."""
    actions = list(actions)
    if not actions:
        return {}
    waves = closed_waves(session)
    tree = Tree(session)
    metrics = {a.metric for a in actions}
    # Every action on these metrics (not only those asked about): their teams are not comparison teams.
    rows = session.execute(select(Action.id, Action.metric, Action.status, Action.starts_on, Action.created_at,
                                  action_teams.c.team_id).join(action_teams, action_teams.c.action_id == Action.id)
                           .where(Action.metric.in_(metrics))).all()
    teams_of: dict[int, set[int]] = defaultdict(set)
    others: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
    for aid, metric, status, starts_on, created_at, team_id in rows:
        teams_of[aid].add(team_id)
        if status != "abandoned":
            others[metric].append((starts_on or created_at.date(), team_id))
    out: dict[int, MeasuredEffect] = {}
    by_metric: dict[str, list[tuple[Action, datasets.ExWave, datasets.ExWave]]] = defaultdict(list)
    for action in actions:
        plan = _plan(action, waves, teams_of[action.id])
        if isinstance(plan, MeasuredEffect):
            out[action.id] = plan
        else:
            by_metric[action.metric].append((action, *plan))
    for metric, todo in by_metric.items():
        needed = {w.index: w for _a, b, f in todo for w in (b, f)}
        sums = team_sums(session, metric, [needed[i] for i in sorted(needed)])
        for action, before, after in todo:
            out[action.id] = _measure_one(action, before, after, sums, tree, teams_of[action.id], others[metric],
                                          k, confidence)
    return out


def _plan(action: Action, waves: list[datasets.ExWave], team_ids: set[int]):
    """(before, after) waves of an action, or the MeasuredEffect saying why it cannot be measured (yet)."""
    try:
        info = metric_info(action.metric)
    except KeyError as exc:
        return _none("not_measurable", "cannot be measured", str(exc.args[0]))
    if info.audience == "outcome":
        return _none("not_measurable", "cannot be measured", "Business outcomes are not imported yet, so "
                     "the effect on this one cannot be measured.")
    if not team_ids:
        return _none("not_measurable", "cannot be measured", "The action has no team to measure.")
    start = _start(action)
    before = [w for w in waves if w.period_start <= start]
    after = [w for w in waves if w.period_start > start]
    if not before:
        return _none("not_measurable", "cannot be measured", f"No wave had closed before the action started "
                     f"on {start:%d %b %Y}, so there is nothing to compare with.")
    b = before[-1]
    if not after:
        return _none("waiting", "waiting for a wave after the start",
                     f"Waiting for a wave to open and close after the start on {start:%d %b %Y}; the effect "
                     f"will be measured against {period_label(b, info.key)}.", before=period_label(b, info.key))
    return b, after[0]


def _measure_one(action, before, after, sums, tree, own_teams, others, k, confidence) -> MeasuredEffect:
    info = metric_info(action.metric)
    labels = period_label(before, info.key), period_label(after, info.key)
    threshold = max(k, before.min_group_size, after.min_group_size) if info.audience == "employee" else k
    values = _values(sums, before.index, after.index, threshold, confidence, tree, action.metric)
    treated = {t for team in own_teams if team in tree.nodes for t in tree.subtree(team)}
    busy = {t for start, team in others if start < after.period_start and team in tree.nodes
            for t in tree.subtree(team)}
    treated_ok = sorted(t for t in treated if t in values)
    if not treated_ok:
        return _none("too_few", TOO_FEW, f"Too few teams to tell: no team with this action had at least "
                     f"{threshold} answers in both {labels[0]} and {labels[1]}.", *labels, 0, None)
    pool = [t for t in values if t not in treated and t not in busy]
    departments = {_department(tree, t) for t in treated_ok}
    if None in departments:
        local = pool
    else:
        inside = {t for d in departments for t in tree.subtree(d)}
        local = [t for t in pool if t in inside]
    if len(local) >= MIN_COMPARISON:
        comparison = local
        where = ", ".join(sorted(tree.nodes[d].name for d in departments)) if None not in departments else None
    else:
        comparison, where = pool, None
    frame = pd.DataFrame([(t, w, values[t][i]) for t in treated_ok + sorted(comparison)
                          for i, w in enumerate((before.index, after.index))], columns=["unit", "wave", "value"])
    res = action_effect(frame, treated_ok, "value", before.index, after.index, confidence=confidence,
                        label=info.label, digits=1 if info.key == "ces" else 0)
    if res.verdict == TOO_FEW:
        return _none("too_few", TOO_FEW, res.sentence, *labels, res.n_treated, res.n_control)
    r = lambda x: round(float(x), 2 if info.key == "ces" else 1)  # noqa: E731
    return MeasuredEffect("measured", r(res.effect), r(res.ci_low), r(res.ci_high), res.n_treated, res.n_control,
                          *labels, res.verdict, res.sentence, where or "the organisation")


def _values(sums, before: int, after: int, k: int, confidence: float, tree: Tree,
            metric: str) -> dict[int, tuple[float, float]]:
    """{team id: (before value, after value)} for teams shown in both waves: at least k answers, and not held
    back by the whole-tree suppression, so no team's change can be worked out from an effect. Teams with
    no answers are left out of that check (drop_empty), as for baselines."""
    out = {}
    teams = {t for (w, t) in sums if w == before} & {t for (w, t) in sums if w == after}
    for wave in (before, after):
        in_wave = {(wave, t, metric): s for (w, t), s in sums.items() if w == wave}
        teams -= hidden_for(tree, in_wave, wave, metric, k, drop_empty=True)
    for t in teams:
        b, a = sums[(before, t)], sums[(after, t)]
        if b.n < k or a.n < k:
            continue
        vb, va = estimate(b, confidence).value, estimate(a, confidence).value
        if math.isfinite(vb) and math.isfinite(va):
            out[t] = (vb, va)
    return out


def _department(tree: Tree, team_id: int) -> int | None:
    """The team's ancestor at depth 1 (itself at depth 1); None for a root, whose department is everything."""
    node = tree.nodes[team_id]
    if node.depth == 0:
        return None
    while node.depth > 1:
        node = tree.nodes[node.parent_id]
    return node.id
