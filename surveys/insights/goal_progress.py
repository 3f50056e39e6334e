"""Progress against goals: each goal's latest value with n and interval, its distance to the target, and
whether the interval already clears it (analysis.targets).

A goal's value is its unit's (the organisation, or a team with everything under it) in the latest closed
wave with answers from that unit, exactly as `metric_values.latest` finds it; the rollups are read once
per metric for all goals. Employee values also obey the hierarchy's complementary suppression
(reports/_suppress.hidden_units, as the dashboard and heatmap decide it): a team shown here while a
sibling is hidden would let the sibling be worked out from their parent.

"When set" is the value in the latest wave that had closed when the goal was created (the number the
goal was set against); it equals "now" until another wave closes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.targets import TargetCheck, against_target
from surveys.goals.metrics import metric_info
from surveys.insights import datasets
from surveys.insights.figures import ORG
from surveys.insights import outcomes
from surveys.insights.metric_values import (MetricValue, closed_waves, outcome_value, period_label, team_sums,
                                             value_of)
from surveys.insights.reports._suppress import hidden_units
from surveys.insights.reports.cells import hidden_for
from surveys.insights.reports.common import Tree
from surveys.models import Goal, Wave, utcnow

HIDDEN_NOTE = ("Hidden: shown beside the other teams' results, it would let a group smaller than {k} be "
               "worked out from the totals.")


@dataclass(frozen=True)
class GoalProgress:
    """One goal with its latest value, its distance to the target and its status in words."""

    goal: Goal
    unit_code: str
    unit_name: str
    label: str           # the metric's label: "Engagement", "eNPS", ...
    unit: str            # what the metric is measured in: "% favourable", "points", ...
    now: MetricValue
    check: TargetCheck
    when_set: MetricValue | None
    overdue: bool
    higher_is_better: bool | None = None  # given for business outcomes (lower is better for churn)

    @property
    def status(self) -> str:
        """met, at_target, below or no_value."""
        return self.check.status

    @property
    def status_text(self) -> str:
        """The status in a sentence a non-statistician can read."""
        return status_text(self.check, self.now, self.higher_is_better)


def _higher_is_better(session: Session, info) -> bool:
    if info.audience != "outcome":
        return True
    metric = outcomes.metric_def(session, info.key[len(outcomes.PREFIX):])
    return True if metric is None else metric.higher_is_better


def outcome_status_text(check: TargetCheck, value: MetricValue, higher_is_better: bool) -> str:
    """A business outcome's TargetCheck in plain words (no interval: the figure is the organisation's own)."""
    side = "at or above" if higher_is_better else "at or below"
    wrong = "below" if higher_is_better else "above"
    if check.status == "met":
        return f"Reached: the latest figure ({value.period}) is {side} the target. {outcomes.NO_THRESHOLD}"
    if check.status == "below":
        lower = "" if higher_is_better else " (lower is better)"
        return f"Not reached: the latest figure ({value.period}) is {wrong} the target{lower}. {outcomes.NO_THRESHOLD}"
    return "No value: " + (value.note or "no figure imported yet.")


def status_text(check: TargetCheck, value: MetricValue, higher_is_better: bool | None = None) -> str:
    """What a TargetCheck means, in plain words; `higher_is_better` given for business outcomes."""
    if higher_is_better is not None:
        return outcome_status_text(check, value, higher_is_better)
    if check.status == "met":
        return "Reached: the value and its whole interval are at or above the target."
    if check.status == "at_target":
        return ("At or above the target, but the interval still includes it: not yet clear beyond "
                "sampling error.")
    if check.status == "below":
        if check.interval_reaches_target:
            return "Below the target; the interval reaches up to it, so the shortfall may be chance."
        return "Below the target, and the whole interval is below it."
    return "No value: " + (value.note or "no answers yet.")


def _empty(metric: str, note: str, period: str = "", suppressed: bool = False) -> MetricValue:
    return MetricValue(metric, period, None, None, None, None, suppressed, note)


def _wave_closes(session: Session, waves: list[datasets.ExWave]) -> dict[int, dt.datetime]:
    rows = session.execute(select(Wave.id, Wave.closes_at).where(Wave.id.in_([w.wave_id for w in waves])))
    return {wave_id: closes for wave_id, closes in rows}


class _Reader:
    """Reads each metric's team sums once and answers for any unit and cut-off."""

    def __init__(self, session: Session, k: int, confidence: float):
        self.session, self.k, self.confidence = session, k, confidence
        self.waves = closed_waves(session)
        self.closes = _wave_closes(session, self.waves) if self.waves else {}
        self.tree = Tree(session)
        self._sums: dict[str, dict] = {}
        self._hidden: dict[tuple[str, int], set] = {}

    def sums(self, metric: str) -> dict:
        if metric not in self._sums:
            self._sums[metric] = team_sums(self.session, metric, self.waves)
        return self._sums[metric]

    def hidden(self, metric: str, wave: datasets.ExWave, k: int) -> set:
        if (metric, wave.index) not in self._hidden:
            in_wave = {t: s for (w, t), s in self.sums(metric).items() if w == wave.index}
            if metric_info(metric).audience == "employee":
                hidden = hidden_units(self.tree, {t: s.n for t, s in in_wave.items()}, k)
            else:  # customers, as on the team page: a team owning no touchpoint is no one's answer
                hidden = hidden_for(self.tree, {(wave.index, t, metric): s for t, s in in_wave.items()},
                                    wave.index, metric, k, drop_empty=True)
            self._hidden[(metric, wave.index)] = hidden
        return self._hidden[(metric, wave.index)]

    def value(self, metric: str, team_id: int | None, before: dt.datetime | None = None,
              touchpoint_id: int | None = None) -> MetricValue:
        """The unit's value in the latest closed wave with its answers (closed by `before`, when given)."""
        info = metric_info(metric)
        if info.audience == "outcome":  # business figures: the latest imported period, at any time
            return outcome_value(self.session, info.key, None if team_id is None else [team_id], touchpoint_id)
        if not self.waves:
            return _empty(info.key, "No employee wave has closed yet.")
        sums = self.sums(info.key)
        if team_id is not None and team_id not in self.tree.nodes:
            return _empty(info.key, "The goal's team no longer exists.")
        teams = {t for _w, t in sums} if team_id is None else set(self.tree.subtree(team_id))
        for wave in reversed(self.waves):
            if before is not None and self.closes.get(wave.wave_id) and self.closes[wave.wave_id] > before:
                continue
            parts = [sums[(wave.index, t)] for t in teams if (wave.index, t) in sums]
            total = sum(parts[1:], parts[0]) if parts else None
            if total is None or total.n <= 0:
                continue
            period = period_label(wave, info.key)
            # Customer metrics get the same whole-tree check as the team page's customer figures.
            k = max(self.k, wave.min_group_size) if info.audience == "employee" else self.k
            if total.n >= k and (ORG if team_id is None else team_id) in self.hidden(info.key, wave, k):
                return _empty(info.key, HIDDEN_NOTE.format(k=k), period, True)
            return value_of(info.key, total, period, k, self.confidence)
        if before is not None:
            return _empty(info.key, "No wave had closed with answers from this unit when the goal was set.")
        return _empty(info.key, "No answers from this unit in any closed wave.")


def progress(session: Session, goals: list[Goal], k: int, confidence: float = 0.95,
             today: dt.date | None = None, when_set: bool = True) -> list[GoalProgress]:
    """Progress of each goal, in the order given."""
    if not goals:
        return []
    today = today or utcnow().date()
    reader = _Reader(session, k, confidence)
    out = []
    for goal in goals:
        info = metric_info(goal.metric)
        touchpoint_id = getattr(goal, "touchpoint_id", None)
        now = reader.value(info.key, goal.team_id, touchpoint_id=touchpoint_id)
        digits = 2 if info.key == "ces" or info.audience == "outcome" else 1
        higher = _higher_is_better(reader.session, info)
        # Outcome figures have no interval: the value itself decides met or below (low = high = value).
        low, high = (now.value, now.value) if info.audience == "outcome" else (now.low, now.high)
        check = against_target(now.value, low, high, goal.target, digits, higher_is_better=higher)
        before = None
        if when_set and info.audience != "outcome":  # imports keep no history of when a figure arrived
            before = reader.value(info.key, goal.team_id, goal.created_at)
        node = reader.tree.nodes.get(goal.team_id) if goal.team_id is not None else None
        code, name = (ORG, "Organisation") if goal.team_id is None else (
            (node.code, node.name) if node else ("?", "a removed team"))
        label, unit = info.label, info.unit
        definition = None
        if info.audience == "outcome":
            definition = outcomes.metric_def(session, info.key[len(outcomes.PREFIX):])
        if definition is not None:
            label, unit = definition.label, ", ".join(filter(None, (definition.unit, definition.direction)))
        out.append(GoalProgress(goal, code, name, label, unit, now, check, before,
                                goal.due_on < today and check.status != "met",
                                higher if info.audience == "outcome" else None))
    return out
