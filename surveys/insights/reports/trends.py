"""Trends: one metric over time for one unit, each point with its 95% interval and n.

Employee metrics (the engagement index, the four factors, eNPS, an item's % favourable as q<code>) go
wave by wave; customer metrics (CSAT, NPS, CES) week by week or month by month up to `as_of`. Rollups
are keyed by team id, so a team's history follows it through renames and moves.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.summaries import estimate
from surveys.insights.figures import Chart, Figure, ParamError, Report, figure, hidden
from surveys.insights.reports import _customer as cx
from surveys.insights.reports._charts import trend
from surveys.insights.reports._suppress import hidden_units
from surveys.insights.reports.common import (EX_METRICS, ReportParams, ReportSettings, Scope, Tree, add_up, ex_sums,
                                             item_sums, program_waves, resolve_program, resolve_unit, unit_label)
from surveys.models import Question

CX = ("csat", "nps", "ces")
METRICS = EX_METRICS + CX  # and q<question code>
LABELS = {"engagement": "Engagement index", "culture": "Culture", "people": "People", "process": "Process",
          "technology": "Technology", "enps": "eNPS", "csat": "CSAT (% satisfied)", "nps": "NPS",
          "ces": "CES (mean, 1-7)"}
PERIODS = {"week": 26, "month": 12}  # how many periods a customer trend shows by default
MAX_PERIODS = 156


def _metric(params: ReportParams) -> str:
    metric = params.option("metric", "engagement")
    if metric in METRICS or (metric.startswith("q") and len(metric) > 1):
        return metric
    raise ParamError("metric", f"metric must be one of {', '.join(METRICS)} or q<question code>, not '{metric}'.")


def _periods(params: ReportParams, period: str) -> int:
    raw = params.option("periods", str(PERIODS[period]))
    if not raw.isdigit() or not 2 <= int(raw) <= MAX_PERIODS:
        raise ParamError("periods", f"periods must be a whole number from 2 to {MAX_PERIODS}, not '{raw}'.")
    return int(raw)


def _month_windows(as_of: dt.date, count: int) -> list[cx.Window]:
    """The `count` calendar months up to the one holding `as_of`, the last one cut after `as_of`."""
    starts = [as_of.replace(day=1)]
    while len(starts) < count:
        first = starts[-1]
        starts.append((first - dt.timedelta(days=1)).replace(day=1))
    starts.reverse()
    ends = starts[1:] + [as_of + dt.timedelta(days=1)]
    return list(zip(starts, ends))


def employee_series(session, tree, unit, program, metric, settings) -> tuple[list[Figure], int]:
    """One figure per wave of the program (its threshold each), and the strictest threshold used."""
    code, name = unit_label(tree, unit)
    key = unit if unit is not None else "ORG"
    waves = program_waves(session, program)
    ids = [w.id for w in waves]
    if metric in EX_METRICS:
        sums, keys = ex_sums(session, ids, (metric,)), {w.id: metric for w in waves}
    else:
        qcode = metric[1:]
        found = dict(session.execute(select(Question.survey_id, Question.id).where(
            Question.code == qcode, Question.survey_id.in_({w.survey_id for w in waves}))).all())
        if not found:
            raise ParamError("metric", f"No question with code '{qcode}' in program {program.code}.")
        sums = item_sums(session, ids, set(found.values()))
        keys = {w.id: f"q{found[w.survey_id]}" for w in waves if w.survey_id in found}
    teams = tree.order if unit is None else tree.subtree(unit)
    out, strictest = [], settings.min_group_size
    for w in waves:
        k = max(settings.min_group_size, w.min_group_size)
        strictest = max(strictest, k)
        m = keys.get(w.id)
        hide = hidden_units(tree, {t: s.n for (wi, t, mm), s in sums.items() if wi == w.id and mm == m}, k)
        total = add_up(sums, w.id, teams, m) if m else None
        if total is None or key in hide:
            out.append(hidden(code, name, metric, w.label))
        else:
            out.append(figure(code, name, metric, estimate(total, settings.confidence), k, period=w.label))
    return out, strictest


def customer_series(session, tree, unit, metric, windows, settings) -> list[Figure]:
    """One figure per period from the customer rollups (months from the monthly one where whole)."""
    code, name = unit_label(tree, unit)
    team_filter = None if unit is None else tree.subtree(unit)
    totals = cx.window_totals(session, windows, team_filter)
    k = settings.min_group_size
    out = []
    for i, window in enumerate(windows):
        s = totals.get((i, metric))
        period = cx.label(window)
        if s is None:
            out.append(hidden(code, name, metric, period))
        else:
            out.append(figure(code, name, metric, estimate(s, settings.confidence), k, period=period,
                              digits=2 if metric == "ces" else 1))
    return out


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """The metric's trend for the unit picked (the organisation; a team lead's own subtree by default)."""
    metric = _metric(params)
    period = params.option("period", "week", ("week", "month"))
    tree = Tree(session)
    unit = resolve_unit(tree, params.unit, scope)
    code, name = unit_label(tree, unit)
    params_out = {"metric": metric, "unit": params.unit or (code if unit else None)}
    notes = [f"Each point has its {round(settings.confidence * 100)}% interval (the band) and n."]
    if metric in CX:
        count = _periods(params, period)
        as_of = cx.parse_as_of(params.option("as_of"), session, None if unit is None else tree.subtree(unit))
        end = (as_of - dt.timedelta(days=7 * count - 1), as_of + dt.timedelta(days=1))
        windows = cx.weeks(end) if period == "week" else _month_windows(as_of, count)
        figures = customer_series(session, tree, unit, metric, windows, settings)
        threshold = settings.min_group_size
        x_title = "Week" if period == "week" else "Month"
        params_out.update(period=period, periods=count, as_of=as_of.isoformat())
        notes.append(f"Customer answers at the touchpoints of the unit's teams, by {period} up to "
                     f"{as_of.isoformat()}; periods with fewer than {threshold} answers are hidden.")
    else:
        if params.option("as_of"):  # customers only, but a malformed date is refused whatever the metric
            cx.parse_as_of(params.option("as_of"), session, None)
        program = resolve_program(session, params.program)
        figures, threshold = employee_series(session, tree, unit, program, metric, settings)
        x_title = "Wave"
        params_out["program"] = program.code
        notes.append(f"Waves with fewer than {threshold} respondents in the unit are hidden, and so is the unit "
                     "wherever its figure would give a hidden team away. Wave to wave, the respondents are "
                     "treated as independent samples.")
    if unit is not None:
        notes.append(f"Figures follow the team by its identity, not its name or place: each point is labelled "
                     f"with the current name ({name}), though the team may have been renamed or moved. A "
                     "department's history is that of the teams in it today.")
    shown = [f for f in figures if not f.suppressed]
    label = LABELS.get(metric, f"Item {metric[1:]} (% favourable)")
    charts = ()
    if shown:
        charts = (Chart("trend", trend(shown, label, x_title),
                        f"{label} for {name} by {x_title.lower()}, with the {round(settings.confidence * 100)}% "
                        "interval as a band; hidden periods are left out."),)
    return Report("trends", f"Trends: {label}", params_out, tuple(figures), tuple(notes), charts,
                  {"unit_name": name, "label": label, "metrics": METRICS, "x_title": x_title}, threshold)
