"""Report pipelines: datasets (SQL aggregates) -> analysis (scores, suppression, tests) -> results.

Shared by the report pages and `tandem report ...`, so both show the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis.linkage import LinkageReport, linkage_matrix
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


def linkage_analysis(session: Session, program_code: str, *, min_group_size: int,
                     process_target: float = 80.0, confidence: float = 0.95,
                     lags: tuple[int, ...] = (0, 1)) -> LinkageAnalysis:
    """Correlate team EX (from an employee program) with the customer outcomes of the teams' touchpoints."""
    waves = datasets.employee_waves(session, program_code)
    # The strictest threshold of any wave in the report applies to all of them.
    k = max([min_group_size] + [w.min_group_size for w in waves])
    units = build_units(datasets.team_dimension_scores(session, waves), datasets.team_enps(session, waves),
                        datasets.team_customer_outcomes(session, waves), k=k, process_target=process_target)
    report = linkage_matrix(units.frame, units.ex_metrics, units.cx_metrics, lags=lags, confidence=confidence,
                            reliabilities=units.reliabilities, labels=LABELS)
    return LinkageAnalysis(report, units, tuple(waves), k)
