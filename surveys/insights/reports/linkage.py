"""Employee-customer linkage report: team EX against the customer outcomes of the teams' touchpoints.

`linkage_analysis` correlates (datasets -> build_units -> linkage_matrix); `build` turns its rows into
figures, one per test, for the page, the exports, `tandem report linkage` and the API. Organisation-wide:
executives and HR only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from analysis import charts
from analysis._wording import linked_sentence
from analysis.linkage import LINK_LEVEL, LinkageReport, linkage_matrix
from analysis.outcomes import attach_outcomes
from analysis.privacy import linkable_units
from analysis.units import UnitTable, build_units
from surveys.errors import Forbidden
from surveys.insights import datasets, outcomes
from surveys.insights.figures import ORG, Chart, Figure, ParamError, Report
from surveys.insights.reports.common import ReportParams, ReportSettings, Scope, resolve_program

LABELS = {
    "engagement": "engagement", "culture": "culture", "people": "people", "process": "process",
    "technology": "technology", "process_gap": "process gap", "enps": "eNPS",
    "csat": "CSAT", "nps": "NPS", "ces": "ease of service (CES)",
}
CONFIDENCE_LEVELS = (0.90, 0.95, 0.99)
TOO_FEW_TEAMS = "not enough teams to report links without singling a team out"


@dataclass(frozen=True)
class LinkageAnalysis:
    """Everything the linkage page and CLI show: the report, its inputs' sizes and the waves used."""

    report: LinkageReport
    units: UnitTable
    waves: tuple[datasets.ExWave, ...]
    min_group_size: int
    teams: int = 0  # teams with visible employee and customer cells
    min_teams: int = 0  # TANDEM_LINKAGE_MIN_TEAMS: below it no correlation is computed or shown
    labels: dict = field(default_factory=lambda: dict(LABELS))  # metric -> words, business outcomes included
    too_few_outcomes: dict = field(default_factory=dict)  # outcome metric -> teams, when below min_teams

    @property
    def too_few_teams(self) -> bool:
        """True when correlating so few teams could single one out: the report then shows no links."""
        return self.teams < self.min_teams


def linkage_analysis(session: Session, program_code: str, *, min_group_size: int, min_teams: int = 10,
                     process_target: float = 80.0, confidence: float = 0.95,
                     lags: tuple[int, ...] = (0, 1), with_outcomes: bool = False) -> LinkageAnalysis:
    """Correlate team EX (from an employee program) with the customer outcomes of the teams' touchpoints.

    With `with_outcomes`, imported business outcomes (churn, complaints...) join CSAT, NPS and CES as
    customer metrics, per team and wave (surveys.insights.outcomes.team_wave_outcomes); one with fewer
    than `min_teams` teams is left out and listed in `too_few_outcomes`. They keep their sign: for a
    lower-is-better outcome a negative r is the good direction, and the labels say so.
    Below `min_teams` teams with visible employee and customer cells nothing is correlated: the report
    has no rows and `too_few_teams` is True.
    """
    waves = datasets.employee_waves(session, program_code)
    # The strictest threshold of any wave in the report applies to all of them.
    k = max([min_group_size] + [w.min_group_size for w in waves])
    units = build_units(datasets.team_dimension_scores(session, waves), datasets.team_enps(session, waves),
                        datasets.team_customer_outcomes(session, waves), k=k, process_target=process_target)
    labels, too_few = dict(LABELS), {}
    if with_outcomes:
        attached = attach_outcomes(units.frame, units.ex_metrics, units.cx_metrics,
                                   outcomes.team_wave_outcomes(session, waves), min_teams)
        units = replace(units, frame=attached.frame, cx_metrics=attached.cx_metrics)
        labels.update(outcomes.labels(session))
        too_few = attached.too_few
    teams = linkable_units(units.frame, units.ex_metrics, units.cx_metrics)
    if teams < min_teams:
        return LinkageAnalysis(LinkageReport((), "pearson", float(confidence), tuple(lags), 0), units, tuple(waves),
                               k, teams, min_teams, labels, too_few)
    report = linkage_matrix(units.frame, units.ex_metrics, units.cx_metrics, lags=lags, confidence=confidence,
                            reliabilities=units.reliabilities, labels=labels)
    return LinkageAnalysis(report, units, tuple(waves), k, teams, min_teams, labels, too_few)


def confidence_option(params: ReportParams) -> float:
    """The interval level the reader picked (option `confidence`: 0.9, 0.95 or 0.99)."""
    raw = params.option("confidence", "0.95")
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if value not in CONFIDENCE_LEVELS:
        raise ParamError("confidence", f"confidence must be one of {', '.join(map(str, CONFIDENCE_LEVELS))}, "
                                       f"not '{raw}'.")
    return value


def _num(x, digits: int = 2):
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


def _sig(x):
    """q-values to three significant digits: tiny ones stay distinguishable from 0."""
    return None if x is None or not math.isfinite(x) else float(f"{x:.3g}")


def pair_figure(row, period: str | None, confidence: float, labels: dict | None = None) -> Figure:
    """One linkage test as a figure: r with its interval and n, the reverse direction and verdicts as extras."""
    labels = labels or LABELS
    sentence = None
    if row.linked:
        sentence = linked_sentence(labels.get(row.ex_metric, row.ex_metric), labels.get(row.cx_metric, row.cx_metric),
                                   row.lag, row.r, row.ci_low, row.ci_high, row.n, confidence,
                                   reverse=(row.reverse_r, row.reverse_linked))
    extra = (("ex_metric", row.ex_metric), ("cx_metric", row.cx_metric), ("lag", row.lag),
             ("q_value", _sig(row.q_value)), ("linked", row.linked),
             ("reverse_r", _num(row.reverse_r)), ("reverse_ci_low", _num(row.reverse_ci_low)),
             ("reverse_ci_high", _num(row.reverse_ci_high)), ("reverse_q_value", _sig(row.reverse_q_value)),
             ("reverse_n", row.reverse_n), ("reverse_linked", row.reverse_linked),
             ("r_disattenuated", _num(row.r_disattenuated)), ("r_disattenuated_ci_low", _num(row.r_disattenuated_ci_low)),
             ("r_disattenuated_ci_high", _num(row.r_disattenuated_ci_high)),
             ("disattenuation_capped", row.disattenuation_capped), ("min_detectable_r", _num(row.min_detectable_r)),
             ("sentence", sentence))
    return Figure(ORG, "Organisation", f"{row.ex_metric}→{row.cx_metric} lag {row.lag}", _num(row.r), row.n,
                  _num(row.ci_low), _num(row.ci_high), False, period, extra)


def _too_few_figures(result: LinkageAnalysis, period: str | None, lags: list[int]) -> tuple[Figure, ...]:
    """One empty figure per test an outcome with too few teams would have had: "too few teams", not a number."""
    return tuple(
        Figure(ORG, "Organisation", f"{ex}→{cx} lag {lag}", None, None, None, None, False, period,
               (("ex_metric", ex), ("cx_metric", cx), ("lag", lag), ("linked", False), ("too_few_teams", True),
                ("sentence", f"Too few teams: {teams} teams have both employee results and "
                             f"{result.labels.get(cx, cx)}, and at least {result.min_teams} are needed.")))
        for cx, teams in result.too_few_outcomes.items() for lag in lags for ex in result.units.ex_metrics)


def _outcome_notes(result: LinkageAnalysis) -> tuple[str, ...]:
    """What the business outcomes in the report are, and which had too few teams."""
    present = [c for c in result.units.cx_metrics if c.startswith(outcomes.PREFIX)]
    if not present and not result.too_few_outcomes:
        return ()
    notes = ["Business outcomes (imported with tandem import outcomes) are customer outcomes like CSAT, NPS and CES: a "
             "team's figure counts for the employee wave whose customer period holds the middle of the figure's "
             "period, and is the team's own figure or its touchpoints' combined. They keep their sign: for an "
             "outcome where lower is better (churn, complaints), a negative r — teams with higher scores had lower "
             "churn — is the good direction. They are business figures, so no anonymity threshold applies to "
             "them, and they have no reliability estimate (no corrected r)."]
    for metric, teams in result.too_few_outcomes.items():
        notes.append(f"{result.labels.get(metric, metric)[:1].upper()}{result.labels.get(metric, metric)[1:]}: too few "
                     f"teams ({teams}; at least {result.min_teams} needed), so it is not correlated.")
    return tuple(notes)


def _notes(result: LinkageAnalysis, tested: list, confidence: float, process_target: float) -> tuple[str, ...]:
    """The caveats every pair shares, said once."""
    rep, frame = result.report, result.units.frame
    mdr = max((r.min_detectable_r for r in tested if r.lag == 1 and math.isfinite(r.min_detectable_r)), default=math.nan)
    notes = [f"Each unit is one team in one wave: {len(frame)} team-waves over {len(result.waves)} waves. Team scores "
             f"and customer outcomes from fewer than {result.min_group_size} answers are hidden and left out "
             f"({result.units.suppressed} cells).",
             f"{rep.n_tests} tests were run. A pair is linked when its Benjamini–Hochberg q-value is below 0.05 and "
             f"its {LINK_LEVEL:.0%} interval excludes zero; intervals are shown at {confidence:.0%}.",
             "A link is an association between team averages, not proof that one causes the other: the arrow can "
             "run both ways (compare the reverse direction, customer scores first), and other differences between "
             "teams (location, product mix, workload) can move both.",
             "“Next wave” pairs a team's employee scores in one wave with its customers' ratings in the following "
             "wave; “same wave” pairs them in the same wave, which says little about which comes first."]
    if math.isfinite(mdr):
        notes.append(f"With this many team-waves only correlations of about |r| ≥ {mdr:.2f} could be reliably "
                     "detected (80% power): no link found is not the same as no link.")
    if any(r.n < 30 for r in tested):
        notes.append("Some pairs rest on fewer than 30 team-waves: their estimates are very uncertain.")
    notes.append(f"Process gap is how far a team's process score falls short of the organisation's target "
                 f"({process_target:g}% favourable); it is 0 at or above the target, so a negative link is the "
                 "expected direction.")
    return tuple(notes)


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """Every EX x CX x lag test of one employee program, as figures, with the matrix and forest charts."""
    if not scope.whole_org:
        raise Forbidden("The linkage report covers the whole organisation: executives and HR only.")
    if params.unit:
        raise ParamError("unit", "The linkage report covers the whole organisation; it takes no unit.")
    confidence = confidence_option(params)
    program = resolve_program(session, params.program)
    result = linkage_analysis(session, program.code, min_group_size=settings.min_group_size,
                              min_teams=settings.linkage_min_teams, process_target=settings.process_target,
                              confidence=confidence, with_outcomes=True)
    rep = result.report
    labels = result.labels
    waves = result.waves
    period = f"{waves[0].label} to {waves[-1].label}" if waves else None
    tested = [r for r in rep.rows if r.n >= 4]
    context = {"programs": datasets.employee_programs(session), "program": program, "confidence": confidence,
               "levels": CONFIDENCE_LEVELS, "labels": labels, "ex_metrics": result.units.ex_metrics,
               "cx_metrics": (*result.units.cx_metrics, *result.too_few_outcomes), "lags": rep.lags,
               "too_few_outcomes": result.too_few_outcomes,
               "has_outcomes": any(c.startswith(outcomes.PREFIX) for c in result.units.cx_metrics)}
    params_out = {"program": program.code, "confidence": confidence}
    if result.too_few_teams and result.teams > 0:
        note = (f"There are {TOO_FEW_TEAMS}: {result.teams} teams have both employee results (at least "
                f"{result.min_group_size} answers) and customer feedback, and the linkage report needs at least "
                f"{result.min_teams} (TANDEM_LINKAGE_MIN_TEAMS). With fewer, a correlation says more about each "
                "team's own figures than about teams in general.")
        return Report("linkage", "Employee–customer linkage", params_out, (), (note,),
                      context={**context, "state": "too_few"}, threshold=result.min_group_size)
    if not tested:
        note = (f"This program has {len(waves)} waves with {len(result.units.frame)} team-waves so far. A linkage "
                f"needs teams with at least {result.min_group_size} employee answers and customer feedback at the "
                "touchpoints they own, in at least two waves.")
        return Report("linkage", "Employee–customer linkage", params_out, (), (note,),
                      context={**context, "state": "no_data"}, threshold=result.min_group_size)
    figures = tuple(pair_figure(r, period, confidence, labels) for r in rep.rows) + \
        _too_few_figures(result, period, sorted(rep.lags))
    lag1 = [r for r in rep.rows if r.lag == 1]
    chart_list = [Chart("matrix", charts.linkage_heatmap(rep, labels=labels),
                        f"Correlation r of every employee metric with every customer metric, same wave and next "
                        f"wave; coloured only where linked ({sum(r.linked for r in rep.rows)} of {len(rep.rows)}).")]
    if lag1:
        chart_list.append(Chart("forest", charts.linkage_forest(rep, labels=labels, lag=1),
                                f"Next-wave links: r with its {confidence:.0%} interval for {len(lag1)} pairs, employee "
                                f"scores first (left: {sum(r.linked for r in lag1)} linked) and customer scores first "
                                f"(right: {sum(r.reverse_linked for r in lag1)} linked)."))
    return Report("linkage", "Employee–customer linkage", params_out, figures,
                  _notes(result, tested, confidence, settings.process_target) + _outcome_notes(result),
                  tuple(chart_list),
                  context={**context, "state": "ok", "cells": {f.metric: f for f in figures}},
                  threshold=result.min_group_size)
