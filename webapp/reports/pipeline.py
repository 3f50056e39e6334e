"""Report pipelines: datasets (SQL aggregates) -> analysis (scores, suppression, tests) -> results.

Shared by the report pages and `tandem report ...`, so both show the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis.linkage import LinkageReport, linkage_matrix
from analysis.privacy import linkable_units
from analysis.units import UnitTable, build_units
from surveys.insights import datasets

LABELS = {
    "engagement": "engagement", "culture": "culture", "people": "people", "process": "process",
    "technology": "technology", "process_gap": "process gap", "enps": "eNPS",
    "csat": "CSAT", "nps": "NPS", "ces": "ease of service (CES)",
}


@dataclass(frozen=True)
class LinkageAnalysis:
    """Everything the linkage page and CLI show: the report, its inputs' sizes and the waves used."""

    report: LinkageReport
    units: UnitTable
    waves: tuple[datasets.ExWave, ...]
    min_group_size: int
    teams: int = 0  # teams with visible employee and customer cells
    min_teams: int = 0  # TANDEM_LINKAGE_MIN_TEAMS: below it no correlation is computed or shown

    @property
    def too_few_teams(self) -> bool:
        """True when correlating so few teams could single one out: the report then shows no links."""
        return self.teams < self.min_teams


TOO_FEW_TEAMS = "not enough teams to report links without singling a team out"


def linkage_analysis(session: Session, program_code: str, *, min_group_size: int, min_teams: int = 10,
                     process_target: float = 80.0, confidence: float = 0.95,
                     lags: tuple[int, ...] = (0, 1)) -> LinkageAnalysis:
    """Correlate team EX (from an employee program) with the customer outcomes of the teams' touchpoints.

    Below `min_teams` teams with visible employee and customer cells nothing is correlated: the report
    has no rows and `too_few_teams` is True.
    """
    waves = datasets.employee_waves(session, program_code)
    # The strictest threshold of any wave in the report applies to all of them.
    k = max([min_group_size] + [w.min_group_size for w in waves])
    units = build_units(datasets.team_dimension_scores(session, waves), datasets.team_enps(session, waves),
                        datasets.team_customer_outcomes(session, waves), k=k, process_target=process_target)
    teams = linkable_units(units.frame, units.ex_metrics, units.cx_metrics)
    if teams < min_teams:
        return LinkageAnalysis(LinkageReport((), "pearson", float(confidence), tuple(lags), 0), units, tuple(waves),
                               k, teams, min_teams)
    report = linkage_matrix(units.frame, units.ex_metrics, units.cx_metrics, lags=lags, confidence=confidence,
                            reliabilities=units.reliabilities, labels=LABELS)
    return LinkageAnalysis(report, units, tuple(waves), k, teams, min_teams)
