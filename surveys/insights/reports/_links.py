"""The dashboard's strongest employee-customer links, from the linkage report's own pipeline
(surveys/insights/reports/linkage.py: linkage_analysis), so both pages show the same tests."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from surveys.insights.figures import ORG, Figure
from surveys.insights.reports.linkage import linkage_analysis
from surveys.insights.reports.params import ReportSettings

TOP = 3


@dataclass(frozen=True)
class Links:
    """Up to three linked pairs as figures (r with its interval, n team-waves, q), and a note."""

    figures: tuple[Figure, ...]
    note: str
    teams: int


def strongest(session: Session, program_code: str, settings: ReportSettings, top: int = TOP) -> Links:
    """The linked pairs (q < 0.05, interval excluding 0) with the smallest q, in plain sentences."""
    result = linkage_analysis(session, program_code, min_group_size=settings.min_group_size,
                              min_teams=settings.linkage_min_teams, process_target=settings.process_target,
                              confidence=settings.confidence)
    teams = result.teams
    if result.too_few_teams:
        have = "1 team has" if teams == 1 else f"{teams} teams have"
        return Links((), f"Employee-customer links: {have} both employee and customer results, fewer "
                         f"than the {settings.linkage_min_teams} needed to report links without singling a team "
                         "out.", teams)
    report = result.report
    linked = sorted((r for r in report.rows if r.linked), key=lambda r: (r.q_value, -abs(r.r)))[:top]
    figures = tuple(
        Figure(ORG, "Organisation", f"link:{r.ex_metric}>{r.cx_metric}", round(r.r, 2), r.n, round(r.ci_low, 2),
               round(r.ci_high, 2), period="same wave" if r.lag == 0 else f"lag {r.lag}",
               extra=(("q_value", float(f"{r.q_value:.3g}")), ("finding", r.sentence)))
        for r in linked)
    if not figures:
        note = (f"Employee-customer links: none of the {report.n_tests} pairs tested across {teams} teams survives "
                "false-discovery control.")
    else:
        note = (f"Employee-customer links: the {len(figures)} linked pair(s) with the smallest q of {report.n_tests} "
                f"tested across {teams} teams, for the whole organisation whatever unit is picked. r is a "
                "correlation between team-waves; it shows association, not cause.")
    return Links(figures, note, teams)
