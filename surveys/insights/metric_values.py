"""The latest value of one targetable metric for a set of teams: action baselines, goal progress, team pages.

Employee metrics come from the latest closed wave of the main employee program (the one with the most
responses) that has answers from these teams; customer metrics from the paired customer period of that
same wave, that is, the feedback on the touchpoints these teams own from its opening to the next
opening (`datasets.employee_waves`). Below the anonymity threshold the value is suppressed: no value,
no n, no interval.
"""
from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.summaries import Sums, estimate
from surveys.goals.metrics import metric_info
from surveys.insights import datasets, outcomes
from surveys.insights.figures import ORG, ParamError
from surveys.insights.reports.cells import hidden_for
from surveys.insights.reports.common import Tree, add_up, customer_sums, ex_sums, resolve_program
from surveys.models import Wave


@dataclass(frozen=True)
class MetricValue:
    """A metric's value for some teams in one period, with n and interval; suppressed below k."""

    metric: str
    period: str          # the wave label, or "customers from D1 to D2"
    value: float | None
    n: int | None
    low: float | None
    high: float | None
    suppressed: bool = False
    note: str = ""       # why there is no value, in a sentence


def _empty(metric: str, note: str, period: str = "", suppressed: bool = False) -> MetricValue:
    return MetricValue(metric, period, None, None, None, None, suppressed, note)


def _round(x: float) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 1)


def closed_waves(session: Session) -> list[datasets.ExWave]:
    """The main employee program's closed waves, oldest first, each with its customer period."""
    try:
        program = resolve_program(session, None)
    except ParamError:
        return []
    waves = datasets.employee_waves(session, program.code)
    status = dict(session.execute(select(Wave.id, Wave.status).where(Wave.id.in_([w.wave_id for w in waves]))).all())
    return [w for w in waves if status.get(w.wave_id) == "closed"]


def team_sums(session: Session, metric: str, waves: list[datasets.ExWave]) -> dict[tuple[int, int], Sums]:
    """{(wave index, team id): Sums} of one metric for every team and given wave, from the rollups."""
    info = metric_info(metric)
    out: dict[tuple[int, int], Sums] = {}
    if not waves:
        return out
    if info.audience == "employee":
        sums = ex_sums(session, [w.wave_id for w in waves], (info.key,))
        index = {w.wave_id: w.index for w in waves}
        for (wave_id, team_id, m), s in sums.items():
            if m == info.key:
                out[(index[wave_id], team_id)] = s
    elif info.audience == "customer":
        frame = datasets.team_customer_outcomes(session, waves)
        for row in frame[frame["metric"] == info.key].itertuples(index=False):
            out[(int(row.wave), int(row.team_id))] = customer_sums(
                row.metric, row.n, row.top2, row.prom, row.det, row.mean, row.mean_sq, row.net_sq)
    return out


def value_of(metric: str, sums: Sums | None, period: str, k: int, confidence: float = 0.95) -> MetricValue:
    """A MetricValue from summed rollups: suppressed when fewer than k answered."""
    if sums is None or sums.n <= 0:
        return _empty(metric, f"No answers in {period}.", period)
    if sums.n < k:
        return _empty(metric, f"Fewer than {k} answers in {period}: hidden to protect anonymity.", period, True)
    est = estimate(sums, confidence)
    return MetricValue(metric, period, _round(est.value), int(est.n), _round(est.ci_low), _round(est.ci_high))


def outcome_value(session: Session, key: str, team_ids: Collection[int] | None,
                  touchpoint_id: int | None = None) -> MetricValue:
    """An imported business outcome's latest figure for these teams' subtrees (None: the organisation) or one
    touchpoint: business data, so no interval and no anonymity threshold (the note says so)."""
    name = key[len(outcomes.PREFIX):]
    teams = None
    if team_ids is not None:
        tree = Tree(session)
        teams = {t for top in team_ids if top in tree.nodes for t in tree.subtree(top)}
    metric, period, value = outcomes.latest_of_units(session, name, teams, touchpoint_id)
    if metric is None:
        return _empty(key, f"Business outcomes are not imported yet: no {name} figure is in Tandem "
                           "(tandem import outcomes).")
    if value is None:
        return _empty(key, f"No {metric.label} figure has been imported for this unit yet.")
    return MetricValue(key, period.label, round(value.value, 2), value.n, None, None, False, outcomes.NO_THRESHOLD)


def period_label(wave: datasets.ExWave, metric: str) -> str:
    """How a wave's period is named for a metric: the wave label, or the customer dates paired with it."""
    if metric_info(metric).audience == "employee":
        return wave.label
    return f"customers {wave.period_start:%d %b %Y} to {wave.period_end:%d %b %Y} ({wave.label})"


HIDDEN_NOTE = ("Hidden: shown beside the other teams' results, it would let a group smaller than {k} be "
               "worked out by subtraction.")


def _top_teams(tree: Tree, team_ids: Collection[int]) -> set[int]:
    """The teams of a set whose parent is not in it: the set is the union of their subtrees."""
    ids = set(team_ids)
    return {t for t in ids if t in tree.nodes and tree.nodes[t].parent_id not in ids}


def _is_shown_unit(tree: Tree, teams: set[int], in_wave: dict, hidden: set) -> bool:
    """Whether the answering teams of the set are exactly those of one shown unit (A and B making up DEPT)."""
    answering = {t for t in teams if t in in_wave}
    if ORG not in hidden and answering == set(in_wave):
        return True
    return any(u not in hidden and {t for t in tree.subtree(u) if t in in_wave} == answering
               for u in {tree.nodes[t].parent_id for t in teams if t in tree.nodes} - {None})


def latest(session: Session, metric: str, team_ids: Collection[int] | None, k: int,
           confidence: float = 0.95) -> MetricValue:
    """The metric for these teams (all when None) in the latest closed wave that has answers from them.

    The teams are read as whole subtrees (each top team with everything under it). Their union is shown
    only when every top team is shown under the whole-tree suppression the heatmap and team pages use:
    a union of shown units reveals nothing new, but a union that includes a hidden team would let its
    value be worked out by subtracting the visible ones (any combination of teams can be asked for).
    """
    info = metric_info(metric)
    if info.audience == "outcome":
        return outcome_value(session, info.key, team_ids)
    waves = closed_waves(session)
    if not waves:
        return _empty(info.key, "No employee wave has closed yet.")
    sums = team_sums(session, info.key, waves)
    tree = Tree(session)
    if team_ids is None:
        tops: set = {ORG}
        teams = {t for _w, t in sums}
    else:
        tops = _top_teams(tree, team_ids)
        teams = {t for top in tops for t in tree.subtree(top)}
    for wave in reversed(waves):
        in_wave = {t: s for (w, t), s in sums.items() if w == wave.index}
        total = add_up({(wave.index, t, info.key): s for t, s in in_wave.items()}, wave.index, teams, info.key)
        if total is None or total.n <= 0:
            continue
        threshold = max(k, wave.min_group_size) if info.audience == "employee" else k
        period = period_label(wave, info.key)
        # Teams with no answers are left out of the check (drop_empty): subtracting them reveals no one's answer.
        hidden = hidden_for(tree, {(wave.index, t, info.key): s for t, s in in_wave.items()}, wave.index, info.key,
                            threshold, drop_empty=True)
        if total.n >= threshold and tops & hidden and not _is_shown_unit(tree, teams, in_wave, hidden):
            return _empty(info.key, HIDDEN_NOTE.format(k=threshold), period, True)
        return value_of(info.key, total, period, threshold, confidence)
    return _empty(info.key, "No answers from these teams in any closed wave.")
