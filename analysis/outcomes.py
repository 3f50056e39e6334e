"""Business outcomes (churn, retention, revenue, complaints): combining units' figures and their change.

Outcome figures are business data as the organisation's own systems report them, not samples of people's
answers: they carry no sampling interval, and no anonymity threshold applies. How figures of several units
combine depends on the metric's kind: a rate (measured in %) is the n-weighted mean of its parts (a plain
mean when some part has no n); anything else (counts, revenue) is their sum.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

RATE_UNIT = "%"
AGGREGATIONS = ("mean", "sum")


def aggregation(unit: str) -> str:
    """How a metric combines across units: "mean" (n-weighted) for rates in %, "sum" otherwise."""
    return "mean" if (unit or "").strip() == RATE_UNIT else "sum"


@dataclass(frozen=True)
class OutcomeValue:
    """A combined outcome figure.

    Attributes
    ----------
    value : float
        The combined value.
    n : int or None
        Customers or accounts behind it: the sum of the parts' n, None when a part gave none.
    parts : int
        How many figures were combined.
    how : str
        "mean" (n-weighted mean, or plain mean when weights are missing) or "sum".
    weighted : bool
        True when a mean was weighted by n.
    """

    value: float
    n: int | None
    parts: int
    how: str
    weighted: bool = False


def combine(values: Sequence[float], ns: Sequence[int | None], how: str) -> OutcomeValue | None:
    """Combine parts into one figure: sum, or mean weighted by n (plain mean when any n is missing or all are 0).

    Parameters
    ----------
    values : sequence of float
        The parts' values; NaN parts are ignored.
    ns : sequence of int or None
        The parts' n (customers or accounts), same length.
    how : {"mean", "sum"}

    Returns
    -------
    OutcomeValue or None
        None when there is no part.
    """
    if how not in AGGREGATIONS:
        raise ValueError(f"how must be one of {AGGREGATIONS}, got {how!r}")
    if len(values) != len(ns):
        raise ValueError("values and ns must have the same length")
    pairs = [(float(v), n) for v, n in zip(values, ns) if v is not None and math.isfinite(float(v))]
    if not pairs:
        return None
    known = [n for _v, n in pairs if n is not None and not (isinstance(n, float) and math.isnan(n))]
    total_n = int(sum(known)) if len(known) == len(pairs) else None
    if how == "sum":
        return OutcomeValue(float(sum(v for v, _n in pairs)), total_n, len(pairs), how)
    if total_n:
        return OutcomeValue(float(sum(v * n for v, n in pairs) / total_n), total_n, len(pairs), how, True)
    return OutcomeValue(float(np.mean([v for v, _n in pairs])), total_n, len(pairs), how)


@dataclass(frozen=True)
class OutcomeChange:
    """A figure against the previous period.

    Attributes
    ----------
    change : float or None
        value - previous; None without a previous value.
    relative : float or None
        The change in % of the previous value; None without one or when it is 0.
    better : bool or None
        Whether the change goes the good way for the metric (a fall, for lower-is-better metrics);
        None when there is no change to judge.
    """

    change: float | None
    relative: float | None
    better: bool | None


def change(value: float | None, previous: float | None, higher_is_better: bool) -> OutcomeChange:
    """The change from `previous` to `value`, and whether it is an improvement given the metric's direction."""
    if value is None or previous is None:
        return OutcomeChange(None, None, None)
    diff = float(value) - float(previous)
    relative = 100.0 * diff / abs(previous) if previous else None
    better = None if diff == 0 else (diff > 0) == bool(higher_is_better)
    return OutcomeChange(diff, relative, better)


def unit_values(rows: pd.DataFrame, parents: Mapping[int, int | None], how: str,
                with_children: bool = True) -> dict[int, OutcomeValue]:
    """Each team's figure in one period, from rows of one metric (columns team_id, touchpoint_id, value, n).

    A team's own row (touchpoint_id empty) is its figure. Without one, its figure combines the rows of its
    touchpoints and, when `with_children`, the figures of its child teams, so nothing is counted twice
    (a department with its own row is not also the sum of its teams).

    Parameters
    ----------
    rows : pandas.DataFrame
        One metric, one period.
    parents : mapping
        Team id -> parent team id (None at the top), for every team.
    how : {"mean", "sum"}
    with_children : bool
        Whether a team without its own row takes in its child teams' figures.

    Returns
    -------
    dict
        Team id -> OutcomeValue, for the teams that have a figure.
    """
    own: dict[int, tuple[float, int | None]] = {}
    by_team: dict[int, list[tuple[float, int | None]]] = {}
    for r in rows.itertuples(index=False):
        n = None if r.n is None or (isinstance(r.n, float) and math.isnan(r.n)) else int(r.n)
        if r.touchpoint_id is None or (isinstance(r.touchpoint_id, float) and math.isnan(r.touchpoint_id)):
            own[int(r.team_id)] = (float(r.value), n)
        else:
            by_team.setdefault(int(r.team_id), []).append((float(r.value), n))
    children: dict[int, list[int]] = {}
    for team, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(team)
    out: dict[int, OutcomeValue] = {}

    def visit(team: int, trail: frozenset) -> OutcomeValue | None:
        if team in out:
            return out[team]
        if team in own:
            value, n = own[team]
            found = OutcomeValue(value, n, 1, how, how == "mean" and n is not None)
        else:
            parts = list(by_team.get(team, []))
            if with_children:
                for child in children.get(team, []):
                    if child not in trail:
                        sub = visit(child, trail | {child})
                        if sub is not None:
                            parts.append((sub.value, sub.n))
            found = combine([p[0] for p in parts], [p[1] for p in parts], how) if parts else None
        if found is not None:
            out[team] = found
        return found

    for team in [*parents, *own, *by_team]:
        visit(team, frozenset({team}))
    return out


def top_value(values: Mapping[int, OutcomeValue], parents: Mapping[int, int | None], how: str,
              teams: set[int] | None = None) -> OutcomeValue | None:
    """The combined figure of several subtrees: the figures of the teams (of `teams`, when given) with no
    ancestor among them that has a figure, combined; so a department and its teams are never both counted."""
    chosen = []
    for team, value in values.items():
        if teams is not None and team not in teams:
            continue
        parent, covered = parents.get(team), False
        while parent is not None:
            if parent in values and (teams is None or parent in teams):
                covered = True
                break
            parent = parents.get(parent)
        if not covered:
            chosen.append(value)
    return combine([v.value for v in chosen], [v.n for v in chosen], how) if chosen else None


@dataclass(frozen=True)
class AttachedOutcomes:
    """A linkage unit table with business outcomes added as customer metrics.

    Attributes
    ----------
    frame : pandas.DataFrame
        The unit table with one column per outcome metric that has enough teams.
    cx_metrics : tuple of str
        The customer metrics to correlate: the survey ones, then the outcomes kept.
    too_few : dict
        Outcome metric -> number of teams with both employee results and the outcome, for the outcomes left
        out because fewer than `min_teams` teams have them.
    """

    frame: pd.DataFrame
    cx_metrics: tuple[str, ...]
    too_few: dict


def attach_outcomes(frame: pd.DataFrame, ex_metrics, cx_metrics, outcomes: pd.DataFrame,
                    min_teams: int) -> AttachedOutcomes:
    """Add outcome columns (from long rows unit, wave, metric, value) to a team x wave unit table.

    An outcome is correlated only when at least `min_teams` teams have both a visible employee cell and a
    value of it (as the whole report needs that many teams): with fewer, a correlation would say more about
    each team than about teams in general.

    Parameters
    ----------
    frame : pandas.DataFrame
        The unit table (columns unit, wave, metrics).
    ex_metrics, cx_metrics : sequence of str
        Employee metric columns, and the survey customer metrics already in `frame`.
    outcomes : pandas.DataFrame
        Long rows: unit, wave, metric, value (one per unit, wave and metric).
    min_teams : int

    Returns
    -------
    AttachedOutcomes
    """
    cx = tuple(cx_metrics)
    if outcomes is None or outcomes.empty:
        return AttachedOutcomes(frame, cx, {})
    wide = outcomes.pivot_table(index=["unit", "wave"], columns="metric", values="value", aggfunc="first")
    wide.columns.name = None
    wide = wide.reset_index().astype({"unit": "int64", "wave": "int64"})
    base = frame if len(frame.columns) else pd.DataFrame(columns=["unit", "wave"])
    base = base.astype({"unit": "int64", "wave": "int64"}) if len(base) else base
    merged = base.merge(wide, on=["unit", "wave"], how="outer") if len(base) else wide
    ex = [c for c in ex_metrics if c in merged.columns]
    kept, too_few = [], {}
    for metric in sorted(c for c in wide.columns if c not in ("unit", "wave")):
        if ex:
            has_ex = merged[ex].notna().any(axis=1).groupby(merged["unit"]).any()
            has_it = merged[metric].notna().groupby(merged["unit"]).any()
            teams = int((has_ex & has_it).sum())
        else:
            teams = 0
        (kept if teams >= min_teams else []).append(metric)
        if teams < min_teams:
            too_few[metric] = teams
    merged = merged.drop(columns=list(too_few)).sort_values(["unit", "wave"]).reset_index(drop=True)
    return AttachedOutcomes(merged, cx + tuple(kept), too_few)
