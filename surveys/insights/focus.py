"""Focus areas for a team page: the team's shortfalls (from its page's results) ranked by gap × leverage
(analysis.focus). Leverage is organisation-wide: engagement's driver weights and the linkage report's
linked pairs, both fitted across team-waves from one unit table built from the rollups
(`reports.linkage.linkage_analysis`), computed once per request and shared by every candidate. The
drivers use point weights only (no bootstrap), so the whole step costs one linkage analysis.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

import pandas as pd
from sqlalchemy.orm import Session

from analysis.drivers import relative_importance
from analysis.focus import FocusArea, Leverage, leverage_table, rank_focus
from surveys.insights.driver_units import FACTORS
from surveys.insights.reports.linkage import linkage_analysis
from surveys.insights.reports.params import ReportSettings
from surveys.insights.team_results import Results
from surveys.insights.team_sections import GoalRow


@dataclass(frozen=True)
class OrgLeverage:
    """Every factor's leverage, with the numbers of team-waves and teams it was fitted on, and a note."""

    by_metric: dict[str, Leverage]
    team_waves: int
    teams: int
    note: str

    def to_json(self) -> str:
        """The leverage as JSON, for the report cache (NaN kept as null)."""
        rows = {m: {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in asdict(lev).items()}
                for m, lev in self.by_metric.items()}
        return json.dumps({"by_metric": rows, "team_waves": self.team_waves, "teams": self.teams,
                           "note": self.note})

    @classmethod
    def from_json(cls, text: str) -> OrgLeverage:
        """The leverage `to_json` stored."""
        data = json.loads(text)
        nan = lambda v: math.nan if v is None else v  # noqa: E731
        by_metric = {m: Leverage(m, nan(r["driver_weight"]), nan(r["link_r"]), r["link_outcome"], r["link_lag"])
                     for m, r in data["by_metric"].items()}
        return cls(by_metric, data["team_waves"], data["teams"], data["note"])


def org_leverage(session: Session, program_code: str, settings: ReportSettings) -> OrgLeverage:
    """Driver weights of the factors on engagement and their strongest linked customer outcome, across teams."""
    result = linkage_analysis(session, program_code, min_group_size=settings.min_group_size,
                              min_teams=settings.linkage_min_teams, process_target=settings.process_target,
                              confidence=settings.confidence)
    frame = result.units.frame
    factors = [f for f in FACTORS if f in frame.columns]
    weights: dict[str, float] = {}
    rows = frame.dropna(subset=["engagement"] + factors) if "engagement" in frame.columns and factors else frame[:0]
    teams = int(rows["unit"].nunique()) if len(rows) else 0
    if teams >= settings.linkage_min_teams:  # as the drivers report: fewer teams could single one out
        try:
            fit = relative_importance(rows, "engagement", factors, method="dominance")
            weights = dict(fit.weights)
        except ValueError:  # a constant column or too few rows: no weights to give
            weights = {}
    links = result.report.to_frame() if not result.too_few_teams else pd.DataFrame()
    note = (f"Leverage is fitted across {len(rows):,} team-waves of {teams:,} teams with at least "
            f"{result.min_group_size} answers: the factor's part of engagement's R² (general dominance) plus its "
            "strongest linked correlation with a customer outcome (q < 0.05, interval excluding 0), if any.")
    if not weights:
        note += f" Too few teams ({teams}, at least {settings.linkage_min_teams} needed) to weigh drivers."
    if result.too_few_teams:
        note += " Too few teams have customer outcomes to test links."
    return OrgLeverage(leverage_table(weights, links, factors), len(rows), teams, note)


def goal_targets(goals: tuple[GoalRow, ...]) -> dict[str, float]:
    """The target of the nearest goal on each metric (goals come nearest unit first)."""
    out: dict[str, float] = {}
    for g in goals:
        out.setdefault(g.metric, g.target)
    return out


def gaps(results: Results, targets: dict[str, float]) -> pd.DataFrame:
    """Candidate gaps of the team's factors: to the goal's target where one is set, else to the organisation.

    Empty when the page shows another unit's results (the team is below the threshold): nothing is
    suggested from a group below it.
    """
    rows = []
    if results.is_team:
        for row in results.dimensions:
            if row.key not in FACTORS or row.suppressed:
                continue
            if row.key in targets and row.low is not None and row.high is not None:
                t = targets[row.key]
                rows.append((row.key, row.label, t - row.value, t - row.high, t - row.low, "goal"))
            elif row.org is not None:
                rows.append((row.key, row.label, -row.org.change, -row.org.high, -row.org.low, "organisation"))
    return pd.DataFrame(rows, columns=["metric", "label", "gap", "gap_low", "gap_high", "against"])


def suggest(results: Results, goals: tuple[GoalRow, ...], leverage: OrgLeverage, top: int = 3
            ) -> tuple[FocusArea, ...]:
    """The team's focus areas, best first (none when its own results are not shown)."""
    frame = gaps(results, goal_targets(goals))
    if not len(frame):
        return ()
    return rank_focus(frame, leverage.by_metric, top)


def action_title(area: FocusArea) -> str:
    """A suggested title for the action a focus area becomes."""
    verb = "Close the gap to the goal on" if area.against == "goal" else "Improve"
    return f"{verb} {area.label.lower()}" + ("" if math.isnan(area.gap) else f" ({area.gap:.0f} points)")
