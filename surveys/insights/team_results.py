"""A team page's employee results: a team's latest closed wave against the organisation, its parent unit
and its previous wave, every difference with its interval, and its items sorted by gap to the organisation.

Suppression is decided over the whole organisation's tree exactly as the heatmap decides it
(`cells.hidden_units`: below k, or hidden so that no hidden team equals a visible parent minus visible
siblings), so this page never shows a unit the heatmap hides. A team that is hidden sees the nearest
unit above it that is shown (its parent, usually), with a sentence saying why; a comparison appears only
when both of its sides are shown. Differences against the organisation and the parent use the rest of
that unit (it minus the team) as reference, so the two groups share no respondent (`summaries.difference`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.metrics import AGREEMENT_TYPES
from analysis.summaries import Sums, difference, estimate
from surveys.insights.figures import ORG
from surveys.insights.reports import _suppress
from surveys.insights.reports.cells import hidden_units, subtree_totals
from surveys.insights.reports.common import EX_METRICS, TeamSums, Tree, ex_sums, item_sums
from surveys.insights.comments import respondents
from surveys.models import Question, Wave

LABELS = {"engagement": "Engagement", "culture": "Culture", "people": "People", "process": "Process",
          "technology": "Technology", "enps": "eNPS"}


@dataclass(frozen=True)
class Diff:
    """The shown unit minus a reference, with its interval; `reference` is the reference unit's own value and
    `rest` the value the change is taken against (the reference unit minus the shown one)."""

    against: str  # organisation | parent | previous
    label: str    # the reference's name or wave label
    reference: float | None
    change: float
    low: float
    high: float
    significant: bool
    rest: float | None = None


@dataclass(frozen=True)
class Row:
    """One metric or item of the shown unit, with n and interval and up to three comparisons."""

    key: str
    label: str
    value: float | None
    n: int | None
    low: float | None
    high: float | None
    suppressed: bool
    org: Diff | None = None
    parent: Diff | None = None
    previous: Diff | None = None
    dimension: str | None = None


@dataclass(frozen=True)
class Results:
    """The employee results of a team page: which unit is shown, why, and its rows."""

    team_id: int
    shown_id: int | None  # the unit whose results are shown (None: the organisation)
    shown_name: str
    reason: str | None  # why the shown unit is not the team
    wave: Wave
    previous: Wave | None
    k: int
    dimensions: tuple[Row, ...]
    items: tuple[Row, ...]

    @property
    def is_team(self) -> bool:
        """True when the team's own results are shown."""
        return self.shown_id == self.team_id


def _r(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 1)


def ancestors(tree: Tree, team_id: int) -> list[int]:
    """The teams above `team_id`, nearest first."""
    out, parent = [], tree.nodes[team_id].parent_id
    while parent is not None:
        out.append(parent)
        parent = tree.nodes[parent].parent_id
    return out


def name_of(tree: Tree, unit: int | None) -> str:
    """A unit's name; the organisation's is "the organisation"."""
    return "the organisation" if unit is None else tree.nodes[unit].name


def shown_unit(tree: Tree, team_id: int, counts: dict[int, int], k: int, wave_label: str
               ) -> tuple[int | None, str | None, bool]:
    """(the unit whose results a team sees (None: the organisation), why it is not the team, whether any
    unit can be shown at all) for one wave's respondent counts."""
    hidden = _suppress.hidden_units(tree, counts, k)
    subtotal = _suppress.subtree_counts(tree, counts)
    team = tree.nodes[team_id]
    if team_id not in hidden:
        return team_id, None, True
    shown = next((a for a in ancestors(tree, team_id) if a not in hidden), None)
    if shown is None and ORG in hidden:
        return None, f"Fewer than {k} people answered in {wave_label}, so no results can be shown.", False
    if subtotal.get(team_id, 0) < k:
        why = f"Fewer than {k} people in {team.name} answered in {wave_label}"
    else:
        why = (f"{team.name}'s results for {wave_label} are held back so that a smaller team's results cannot be "
               "worked out from them")
    return shown, f"{why}, so these are {name_of(tree, shown)}'s results.", True


def _diff(against, label, cur: Sums, ref: Sums, shown_ref: Sums, conf) -> Diff | None:
    if ref is None or ref.n <= 0:
        return None
    res = difference(cur, ref, conf)
    if not math.isfinite(res.change):
        return None
    return Diff(against, label, _r(estimate(shown_ref, conf).value), _r(res.change), _r(res.ci_low),
                _r(res.ci_high), bool(res.significant), _r(estimate(ref, conf).value))


def _row(tree, sums: TeamSums, key, label, unit, wave, prev, k, conf, dimension=None, compare_prev=True) -> Row:
    """One metric's row for `unit` with its comparisons, each only where both sides are shown."""
    me = ORG if unit is None else unit
    now = subtree_totals(tree, sums, wave.id, key)
    hide = hidden_units(tree, now, lambda t: sums.get((wave.id, t, key)), k)
    cur = now.get(unit)
    if cur is None or cur.n < k or me in hide:
        return Row(key, label, None, None, None, None, True, dimension=dimension)
    est = estimate(cur, conf)
    org = par = before = None
    if unit is not None and ORG not in hide and now.get(None) is not None:
        org = _diff("organisation", "the organisation", cur, now[None] - cur, now[None], conf)
        parent = tree.nodes[unit].parent_id
        if parent is not None and len(tree.children[None]) == 1 and tree.nodes[parent].parent_id is None:
            parent = None  # the single top team is the organisation: already compared
        if parent is not None and parent not in hide and now.get(parent) is not None:
            par = _diff("parent", tree.nodes[parent].name, cur, now[parent] - cur, now[parent], conf)
    if prev is not None and compare_prev:
        then = subtree_totals(tree, sums, prev.id, key)
        hide_then = hidden_units(tree, then, lambda t: sums.get((prev.id, t, key)), k)
        if then.get(unit) is not None and then[unit].n >= k and me not in hide_then:
            before = _diff("previous", prev.label, cur, then[unit], then[unit], conf)
    return Row(key, label, _r(est.value), int(est.n), _r(est.ci_low), _r(est.ci_high), False, org, par, before,
               dimension)


def _item_rows(session, tree, unit, wave, k, conf) -> list[Row]:
    """The unit's items with their gap to the organisation, largest shortfall first (hidden ones last)."""
    sums = item_sums(session, [wave.id])
    keys = sorted({m for (_w, _t, m) in sums})
    ids = [int(m[1:]) for m in keys]
    # Agreement items only: % favourable means nothing for the 0-10 eNPS question.
    questions = {q.id: q for q in session.scalars(select(Question).where(
        Question.id.in_(ids), Question.qtype.in_(AGREEMENT_TYPES)))} if ids else {}
    rows = [_row(tree, sums, m, questions[int(m[1:])].text, unit, wave, None, k, conf,
                 dimension=questions[int(m[1:])].dimension, compare_prev=False)
            for m in keys if int(m[1:]) in questions]
    return sorted(rows, key=lambda r: (r.suppressed, r.org is None, r.org.change if r.org else 0, r.label))


def results(session: Session, tree: Tree, team_id: int, wave: Wave, prev: Wave | None, min_group_size: int,
            confidence: float = 0.95) -> Results:
    """The employee results a team page shows for `wave` (its latest closed wave) against `prev`."""
    k = max([min_group_size, wave.min_group_size] + ([prev.min_group_size] if prev else []))
    unit, reason, any_shown = shown_unit(tree, team_id, respondents(session, wave.id), k, wave.label)
    if not any_shown:
        return Results(team_id, None, "the organisation", reason, wave, prev, k, (), ())
    sums = ex_sums(session, [wave.id] + ([prev.id] if prev else []))
    measured = {m for (w, _t, m) in sums if w == wave.id}
    dims = tuple(_row(tree, sums, m, LABELS[m], unit, wave, prev, k, confidence)
                 for m in EX_METRICS if m in measured)
    items = tuple(_item_rows(session, tree, unit, wave, k, confidence))
    return Results(team_id, unit, name_of(tree, unit), reason, wave, prev, k, dims, items)
