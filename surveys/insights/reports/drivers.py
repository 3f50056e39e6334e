"""Drivers report: what goes with higher engagement across teams, and which team factors go with each
customer outcome; every weight with a bootstrap interval (teams resampled) and its rank stability.

Rollups keep team x wave sums, not answers, so the models are fitted across team-waves with at least k
answers (see surveys.insights.driver_units). The bootstrap is seeded, so the page, the exports, the CLI
and the API show the same intervals.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.orm import Session

from analysis import charts
from analysis._wording import driver_sentence
from analysis.drivers import bootstrap_drivers
from analysis.linkage_results import DriverBootstrap
from analysis.outcomes import attach_outcomes
from surveys.insights import datasets, driver_units, outcomes
from surveys.insights.figures import Chart, Figure, ParamError, Report
from surveys.insights.reports.common import (ReportParams, ReportSettings, Scope, Tree, resolve_program,
                                             resolve_unit, unit_label)

LABELS = {"engagement": "engagement", "culture": "culture", "people": "people", "process": "process",
          "technology": "technology", "csat": "CSAT", "nps": "NPS", "ces": "ease of service (CES)"}
DOMINANCE_MAX = 6  # predictors; beyond it Johnson's relative weights (2^p subset regressions per resample)
TOP = 3
LOW_R2 = 0.05  # below it the split of R^2 is read with a caveat
SEED = 2003  # fixed: every format of the same request gets the same resamples
ROLLUP_NOTE = ("Tandem keeps sums per team and wave for reports, not individual answers, so drivers are estimated "
               "across team-waves (a team in one wave, counted once, only with at least {k} answers), not across "
               "respondents: they say which team conditions go with higher scores between teams and over time, not "
               "what moves one person.")


@dataclass
class Model:
    """One driver model as the page lays it out: its figures and, when it could not be fitted, why."""

    key: str
    title: str
    outcome: str
    level: str
    words: str  # the outcome as a sentence says it ("CSAT in the following wave")
    figures: list = field(default_factory=list)
    message: str | None = None  # why the model could not be fitted
    caveat: str | None = None  # what limits the reading of a fitted model


def _int_option(params: ReportParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.option(name, str(default))
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ParamError(name, f"{name} must be a whole number from {low} to {high}, not '{raw}'.")
    return int(raw)


def _fit(model: Model, frame: pd.DataFrame, outcome: str, predictors: list[str], labels: dict, *, unit, samples: int,
         min_teams: int, period: str | None, lag: int | None) -> DriverBootstrap | None:
    """Fit one model on complete team-waves and fill `model.figures`, or say why not in `model.message`."""
    rows = frame.dropna(subset=[outcome] + predictors) if len(frame) else frame
    teams = rows["unit"].nunique() if len(rows) else 0
    if teams < min_teams or len(rows) <= len(predictors) + 1:
        model.message = (f"Too few teams for {model.title.lower()}: {teams} teams have enough answers, and at "
                         f"least {min_teams} are needed to weigh drivers without singling a team out.")
        return None
    method = "dominance" if len(predictors) <= DOMINANCE_MAX else "relative_weights"
    try:
        res = bootstrap_drivers(rows, outcome, predictors, cluster="unit", method=method, samples=samples, top=TOP,
                                seed=SEED)
    except ValueError as exc:  # a constant variable: nothing to weigh
        model.message = f"{model.title} cannot be estimated here: {exc}."
        return None
    if res.samples == 0 or not res.r2 > 0:  # nothing explained, or every resample degenerate
        model.message = f"{model.title} cannot be estimated here: the drivers explain none of the differences."
        return None
    if res.r2 < LOW_R2:
        model.caveat = (f"{model.title}: together they explain only {100 * res.r2:.1f}% of the differences in "
                        f"{model.words} between team-waves, so how that small part is split says little.")
    code, name = unit
    common = {"model": model.key, "outcome": outcome, "level": model.level, "method": method,
              "teams": res.clusters, "samples": res.samples, "lag": lag}
    r1 = lambda x: round(float(x), 1)  # noqa: E731
    model.figures.append(Figure(code, name, f"R² {model.key}", r1(100 * res.r2), res.n, r1(100 * res.r2_low),
                                r1(100 * res.r2_high), period=period, extra=tuple(common.items())))
    for d in sorted(res.drivers, key=lambda d: d.rank):
        label = labels.get(d.predictor, d.predictor)
        extra = {**common, "driver": d.predictor, "driver_label": label, "weight": round(d.weight, 3),
                 "weight_low": round(d.weight_low, 3), "weight_high": round(d.weight_high, 3), "rank": d.rank,
                 "top3": round(100 * d.top_share), "sentence": driver_sentence(
                     label, model.words, r1(d.share), r1(d.share_low), r1(d.share_high), d.top_share, TOP)}
        model.figures.append(Figure(code, name, f"{d.predictor}→{model.key}", r1(d.share), res.n, r1(d.share_low),
                                    r1(d.share_high), period=period, extra=tuple(extra.items())))
    return res


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """Driver weights of engagement (factors, then items) and of CSAT, NPS and CES (team factors) for a unit."""
    samples = _int_option(params, "samples", 200, 20, 2000)
    lag = int(params.option("lag", "1", ("0", "1")))
    program = resolve_program(session, params.program)
    waves = datasets.employee_waves(session, program.code)
    if params.wave and params.wave not in {w.label for w in waves}:
        raise ParamError("wave", f"No wave labelled '{params.wave}' in this program.")
    tree = Tree(session)
    unit = resolve_unit(tree, params.unit, scope)
    teams = None if unit is None else set(tree.subtree(unit))
    label = unit_label(tree, unit)
    k = max([settings.min_group_size] + [w.min_group_size for w in waves])
    chosen = next((w.index for w in waves if w.label == params.wave), None)
    period = params.wave or (f"{waves[0].label} to {waves[-1].label}" if waves else None)
    units = driver_units.unit_table(session, waves, k, settings.process_target)
    # Imported business outcomes (churn, complaints...) are customer outcomes too; _fit says when too few teams.
    attached = attach_outcomes(units.frame, units.ex_metrics, units.cx_metrics,
                               outcomes.team_wave_outcomes(session, waves), min_teams=0)
    frame, business = attached.frame, [c for c in attached.cx_metrics if c.startswith(outcomes.PREFIX)]
    labels = {**LABELS, **outcomes.labels(session)}
    ex_frame = driver_units.in_scope(frame, teams, chosen) if len(frame) else frame
    factors = [f for f in driver_units.FACTORS if f in frame.columns]
    fit = dict(unit=label, samples=samples, min_teams=settings.linkage_min_teams, period=period)
    models, results = [], []
    eng = Model("engagement", "Drivers of engagement", "engagement", "factors", "engagement")
    models.append(eng)
    if "engagement" in frame.columns and factors:
        results.append(_fit(eng, ex_frame, "engagement", factors, LABELS, lag=None, **fit))
    else:
        eng.message = "No team has engagement and factor scores with enough answers yet."
    items, item_labels = driver_units.item_frame(session, waves, k)
    item_model = Model("engagement-items", "Items that go with engagement", "engagement", "items", "engagement")
    models.append(item_model)
    item_keys = [c for c in items.columns if c not in ("unit", "wave")]
    if item_keys and "engagement" in frame.columns:
        joined = driver_units.in_scope(items.merge(frame[["unit", "wave", "engagement"]], on=["unit", "wave"]),
                                       teams, chosen)
        # Items asked in only some waves would leave few complete rows: keep those present in most rows.
        keep = [c for c in item_keys if joined[c].notna().mean() >= 0.8] if len(joined) else []
        if keep:
            _fit(item_model, joined, "engagement", keep, item_labels, lag=None, **fit)
        else:
            item_model.message = "No item was answered in enough team-waves to weigh."
    else:
        item_model.message = "No factor item has answers from teams with enough respondents yet."
    cx = [c for c in ("csat", "nps", "ces", *business) if c in frame.columns]
    when = "in the following wave" if lag == 1 else "in the same wave"
    predictors = [c for c in ["engagement"] + factors if c in frame.columns]
    pairs = driver_units.lagged(frame, predictors, cx, lag) if cx and predictors else pd.DataFrame()
    pairs = driver_units.in_scope(pairs, teams, chosen) if len(pairs) else pairs
    for outcome in ("csat", "nps", "ces", *business):
        m = Model(outcome, f"Team factors and {labels[outcome]} {when}", outcome, "team factors",
                  f"{labels[outcome]} {when}")
        models.append(m)
        if outcome in cx:
            results.append(_fit(m, pairs, outcome, predictors, labels, lag=lag, **fit))
        else:
            m.message = f"No team owns a touchpoint with {labels[outcome]} feedback from enough customers yet."
    figures = tuple(f for m in models for f in m.figures)
    fitted = [r for r in results if r is not None]
    chart_list = ()
    if fitted:
        chart_list = (Chart("factors", charts.driver_shares(fitted, labels={
            **labels, **{o: f"{labels[o]} {when}" for o in cx}}),
            f"Share of the explained variance owed to each factor, with its 95% bootstrap interval, for "
            f"{len(fitted)} outcomes across team-waves."),)
    notes = (ROLLUP_NOTE.format(k=k),
             f"Each weight is the driver's share of the variance the model explains (general dominance, the exact "
             f"Shapley split of R²; Johnson's relative weights above {DOMINANCE_MAX} drivers). Intervals come from "
             f"{samples} bootstrap resamples of teams (all of a team's waves together); rank stability is the "
             f"share of resamples in which the driver ranked in the top three.",
             "Drivers describe association between teams, not cause: teams that score higher on a factor also "
             "score higher on the outcome. Drivers that are correlated with each other share credit.",
             *(("Business outcomes (imported, e.g. churn) are weighed like CSAT: a share says how much of the "
                "outcome's differences go with the factor, not in which direction; for a lower-is-better outcome the "
                "linkage report gives the sign (a negative r is good there).",) if business else ()),
             *[m.message or m.caveat for m in models if m.message or m.caveat])
    params_out = {"program": program.code, "wave": params.wave, "unit": label[0], "samples": samples, "lag": lag}
    return Report("drivers", "Drivers", params_out, figures, notes, chart_list,
                  context={"program": program, "programs": datasets.employee_programs(session), "waves": waves,
                           "models": models, "unit_name": label[1], "lag": lag, "samples": samples},
                  threshold=k)
