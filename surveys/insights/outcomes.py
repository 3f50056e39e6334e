"""Read side of imported business outcomes: metrics, periods, each unit's figure in a period, and the
team x employee-wave frame the linkage report correlates.

Outcome figures are business data, not people's answers: no anonymity threshold applies to them. Units
combine as analysis.outcomes says (rates: n-weighted mean; counts and revenue: sum).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.outcome_waves import OUT_COLUMNS, team_wave_values
from analysis.outcomes import OutcomeValue, aggregation, top_value, unit_values
from surveys.insights import datasets
from surveys.models import Team
from surveys.models.voice import Outcome, OutcomeMetric

PREFIX = "outcome:"
KIND_PATTERNS = (("month", re.compile(r"^\d{4}-\d{2}$")), ("quarter", re.compile(r"^\d{4}-Q[1-4]$")),
                 ("year", re.compile(r"^\d{4}$")))
ROW_COLUMNS = ["team_id", "touchpoint_id", "value", "n"]


@dataclass(frozen=True)
class MetricDef:
    """An outcome metric as reports need it."""

    name: str
    label: str
    higher_is_better: bool
    unit: str
    how: str  # "mean" (rates, n-weighted) or "sum"

    @property
    def key(self) -> str:
        return PREFIX + self.name

    @property
    def direction(self) -> str:
        return "higher is better" if self.higher_is_better else "lower is better"

    @property
    def aggregation_text(self) -> str:
        return "n-weighted mean" if self.how == "mean" else "sum"


@dataclass(frozen=True)
class Period:
    """A period figures were imported for: first and last day (both included) and its label."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def kind(self) -> tuple:
        """Month, quarter, year, or a range of so many days: previous periods are of the same kind."""
        for name, pattern in KIND_PATTERNS:
            if pattern.match(self.label):
                return (name,)
        return ("days", (self.end - self.start).days)


def metric_defs(session: Session) -> dict[str, MetricDef]:
    """Every outcome metric by name, in label order."""
    rows = session.scalars(select(OutcomeMetric).order_by(OutcomeMetric.label, OutcomeMetric.name))
    return {m.name: MetricDef(m.name, m.label, bool(m.higher_is_better), m.unit or "", aggregation(m.unit or ""))
            for m in rows}


def labels(session: Session) -> dict[str, str]:
    """Words for each outcome metric in sentences, saying its direction: "churn rate (lower is better)"."""
    return {m.key: f"{m.label[:1].lower()}{m.label[1:]} ({m.direction})" for m in metric_defs(session).values()}


def metric_def(session: Session, name: str) -> MetricDef | None:
    """One metric's definition, or None when no outcome of that name was ever imported."""
    m = session.get(OutcomeMetric, name)
    return None if m is None else MetricDef(m.name, m.label, bool(m.higher_is_better), m.unit or "",
                                            aggregation(m.unit or ""))


def periods(session: Session, metric: str, until: dt.date | None = None) -> list[Period]:
    """The distinct periods of a metric, oldest first (ending last, then shortest, last); up to `until`."""
    query = select(Outcome.period_start, Outcome.period_end, Outcome.period_label).where(Outcome.metric == metric)
    if until is not None:
        query = query.where(Outcome.period_start <= until)
    found = {(s, e): label for s, e, label in session.execute(query.distinct())}
    return sorted((Period(s, e, label) for (s, e), label in found.items()),
                  key=lambda p: (p.end, -(p.end - p.start).days))


def latest_and_previous(found: list[Period]) -> tuple[Period | None, Period | None]:
    """The latest period and the one before it of the same kind (month before month, quarter before quarter)."""
    if not found:
        return None, None
    latest = found[-1]
    earlier = [p for p in found if p.kind == latest.kind and p.end < latest.start]
    return latest, (earlier[-1] if earlier else None)


def rows_in(session: Session, metric: str, period: Period) -> pd.DataFrame:
    """The rows of one metric and period: team_id, touchpoint_id (None for a team's own row), value, n."""
    rows = session.execute(select(Outcome.team_id, Outcome.touchpoint_id, Outcome.value, Outcome.n).where(
        Outcome.metric == metric, Outcome.period_start == period.start, Outcome.period_end == period.end)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=ROW_COLUMNS).astype(object)


def parents(session: Session) -> dict[int, int | None]:
    """Team id -> parent id, for every team."""
    return dict(session.execute(select(Team.id, Team.parent_id)).all())


@dataclass(frozen=True)
class PeriodFigures:
    """One metric in one period: each team's figure, each touchpoint's, and the organisation's."""

    period: Period
    teams: dict[int, OutcomeValue]
    touchpoints: dict[int, OutcomeValue]
    organisation: OutcomeValue | None

    def unit(self, tree_parents: dict, team_ids: set[int] | None, metric: MetricDef) -> OutcomeValue | None:
        """The figure of a set of subtrees (None: the organisation)."""
        if team_ids is None:
            return self.organisation
        return top_value(self.teams, tree_parents, metric.how, team_ids)


def period_figures(session: Session, metric: MetricDef, period: Period,
                   tree_parents: dict[int, int | None]) -> PeriodFigures:
    """Every unit's figure of one metric in one period."""
    rows = rows_in(session, metric.name, period)
    teams = unit_values(rows, tree_parents, metric.how)
    tps = {int(r.touchpoint_id): OutcomeValue(float(r.value), None if r.n is None else int(r.n), 1, metric.how,
                                              metric.how == "mean" and r.n is not None)
           for r in rows.itertuples(index=False) if r.touchpoint_id is not None}
    return PeriodFigures(period, teams, tps, top_value(teams, tree_parents, metric.how))


def team_wave_outcomes(session: Session, waves: list[datasets.ExWave]) -> pd.DataFrame:
    """Per team and employee wave, each outcome metric: columns unit, wave, metric (outcome:<name>), value, n.

    A figure counts for the wave whose customer period (its opening day up to the next opening, as for
    CSAT, NPS and CES) holds the middle day of the figure's period. A team's figure is its own row, else
    its touchpoints' rows combined (never its child teams': those are units of their own). Several
    periods in one wave are averaged (rates weighted by n), so a wave with a missing month is not
    mistaken for a smaller count. Combined on arrays by analysis.outcome_waves.
    """
    if not waves:
        return pd.DataFrame(columns=OUT_COLUMNS)
    defs = metric_defs(session)
    rows = session.connection().execute(
        select(Outcome.metric, Outcome.period_start, Outcome.period_end, Outcome.team_id, Outcome.touchpoint_id,
               Outcome.value, Outcome.n)
        .where(Outcome.period_end >= waves[0].period_start, Outcome.period_start < waves[-1].period_end)).all()
    out = team_wave_values(rows, [(w.index, w.period_start, w.period_end) for w in waves],
                           {name: d.how for name, d in defs.items()})
    out["metric"] = PREFIX + out["metric"]
    return out


NO_THRESHOLD = ("Business figure imported from the organisation's own systems: no sampling interval, and no "
                "anonymity threshold applies.")


def latest_of_units(session: Session, name: str, team_ids: set[int] | None, touchpoint_id: int | None = None):
    """(MetricDef, Period, OutcomeValue) of the latest period with a figure for these subtrees (None: the
    organisation) or this touchpoint; (MetricDef or None, None, None) when there is none."""
    metric = metric_def(session, name)
    if metric is None:
        return None, None, None
    tree_parents = parents(session)
    for period in reversed(periods(session, name)):
        figures = period_figures(session, metric, period, tree_parents)
        if touchpoint_id is not None:
            value = figures.touchpoints.get(touchpoint_id)
        else:
            value = figures.unit(tree_parents, team_ids, metric)
        if value is not None:
            return metric, period, value
    return metric, None, None
