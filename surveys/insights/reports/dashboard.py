"""Dashboard: the latest wave's engagement, factors, eNPS and participation against the previous wave;
CSAT, NPS and CES over the last 30 and 90 days per channel with weekly sparklines; the strongest
employee-customer links. For one unit (the organisation, a department, a team lead's subtree)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy.orm import Session

from analysis.privacy import suppress
from analysis.summaries import Sums, difference, estimate
from surveys.insights import participation
from surveys.insights.figures import Chart, Figure, Report, figure, hidden
from surveys.insights.reports import _customer as cx
from surveys.insights.reports import _goals, _links
from surveys.insights.reports._charts import sparkline
from surveys.insights.reports._suppress import hidden_units
from surveys.insights.reports.common import (EX_METRICS, ReportParams, ReportSettings, Scope, Tree, add_up, ex_sums,
                                             resolve_unit, unit_label, wave_context)

CHANGE = ("previous", "change", "change_low", "change_high", "significant")
CX_LABELS = {"csat": "CSAT (% satisfied)", "nps": "NPS", "ces": "CES (mean, 1-7)"}
WINDOWS = (30, 90)


def _change(cur: Sums | None, before: Sums | None, shown_before: bool, label: str | None, confidence: float):
    """The change extras: empty unless both figures are shown (a change would reveal a hidden one)."""
    if cur is None or before is None or not shown_before:
        return dict.fromkeys(CHANGE)
    res = difference(cur, before, confidence)
    return {"previous": label, "change": res.change, "change_low": res.ci_low, "change_high": res.ci_high,
            "significant": res.significant}


def _hidden(code: str, name: str, metric: str, period: str, **labels) -> Figure:
    """A suppressed figure that keeps the labels saying which cell it is (channel, window)."""
    return Figure(code, name, metric, None, None, suppressed=True, period=period,
                  extra=tuple(labels.items()) + tuple((c, None) for c in CHANGE if c not in labels))


def employee_figures(session, tree, unit, teams, wave, prev, k, confidence) -> list[Figure]:
    """Engagement, the four factors, eNPS and the response rate of the unit, with the change since `prev`."""
    code, name = unit_label(tree, unit)
    key = unit if unit is not None else "ORG"
    ids = [wave.id] + ([prev.id] if prev else [])
    sums = ex_sums(session, ids)
    out = []
    measured = {m for (w, _t, m) in sums if w == wave.id}
    decided: dict = {}  # the metrics mostly share their teams' counts: each distinct set is decided once

    def hidden_for(counts: dict) -> set:
        key = tuple(counts.items())
        if key not in decided:
            decided[key] = hidden_units(tree, counts, k)
        return decided[key]

    for metric in [m for m in EX_METRICS if m in measured]:  # a dimension the survey does not ask is left out
        hide = {w: hidden_for({t: s.n for (wi, t, m), s in sums.items() if wi == w and m == metric}) for w in ids}
        cur = add_up(sums, wave.id, teams, metric)
        before = add_up(sums, prev.id, teams, metric) if prev else None
        if cur is None or key in hide[wave.id]:
            out.append(hidden(code, name, metric, wave.label, CHANGE))
            continue
        extras = _change(cur, before, prev is not None and key not in hide[prev.id], prev and prev.label, confidence)
        out.append(figure(code, name, metric, estimate(cur, confidence), k, period=wave.label, **extras))
    out.append(_response_rate(session, tree, unit, teams, wave, prev, k, confidence))
    return out


def _rate_sums(session, tree, unit, teams, wave, k) -> tuple[Sums | None, bool]:
    """(invited/answered sums of the unit, hidden?) for one wave. Hidden below k answers, under the
    hierarchy's complementary suppression, or when exactly one team of the unit is hidden on the
    participation page (the unit's total would give that team away, or is that team)."""
    every = participation.team_counts(session, [wave.id])
    counts = [c for c in every if c.team_id is not None]
    # The teams the participation page hides, decided as it decides (without building that page).
    hidden_teams = participation.hidden_team_ids(every, wave.id, participation.threshold(wave, k))
    inside = set(teams)
    invited = sum(c.invited for c in counts if c.team_id in inside)
    answered = sum(c.responded for c in counts if c.team_id in inside)
    if not invited:
        return None, True
    hide = hidden_units(tree, {c.team_id: c.responded for c in counts}, k)
    key = unit if unit is not None else "ORG"
    # One hidden team inside the unit (the unit itself, for a team) would be given away by its total.
    lone = sum(1 for t in hidden_teams if t in inside) == 1
    return Sums("share", invited, answered, 0.0, 100.0), answered < k or key in hide or lone


def _response_rate(session, tree, unit, teams, wave, prev, k, confidence) -> Figure:
    code, name = unit_label(tree, unit)
    cur, hide = _rate_sums(session, tree, unit, teams, wave, k)
    if cur is None or hide:
        return hidden(code, name, "response_rate", wave.label, CHANGE)
    before, hide_before = _rate_sums(session, tree, unit, teams, prev, k) if prev else (None, True)
    extras = _change(cur, before, not hide_before, prev and prev.label, confidence)
    est = estimate(cur, confidence)
    return figure(code, name, "response_rate", est, 1, period=wave.label, **extras)


def customer_figures(session, tree, unit, team_filter, as_of: dt.date, k, confidence):
    """CSAT, NPS and CES per window (30 and 90 days) for all channels and each channel, with the change
    against the window before, and the weekly values of the 90-day window (for the sparklines)."""
    code, name = unit_label(tree, unit)
    spans = {days: cx.trailing(as_of, days) for days in WINDOWS}
    windows = [w for days in WINDOWS for w in spans[days]]  # cur30, prev30, cur90, prev90
    daily = cx.daily_by_channel(session, windows[-1][0], windows[0][1], team_filter)
    by_channel = cx.bucket(daily, windows)
    # A window's total is the sum of its channels (the same answers): added up here rather than read
    # again through cx.window_totals, which would cost three more passes over the rollups.
    totals = {(i, m): s for (i, _none, m), s in cx.bucket(daily, windows, by_channel=False).items()}
    week_bins = cx.weeks(spans[90][0])
    by_week = cx.bucket(daily, week_bins, by_channel=False)
    channels = cx.channel_order({c for _i, c, _m in by_channel})
    figures, weekly = [], {}
    for metric in CX_LABELS:
        for w_i, days in enumerate(WINDOWS):
            cur_i, prev_i = 2 * w_i, 2 * w_i + 1
            cells = {(i, ch): (totals.get((i, metric)) if ch == "all" else by_channel.get((i, ch, metric)))
                     for i in (cur_i, prev_i) for ch in ["all"] + channels}
            hide = {i: _hidden_channels({ch: cells[(i, ch)] for ch in ["all"] + channels}, k) for i in (cur_i, prev_i)}
            for ch in ["all"] + channels:
                cur, before = cells[(cur_i, ch)], cells[(prev_i, ch)]
                extra = {"channel": ch}
                if cur is None or ch in hide[cur_i]:
                    figures.append(_hidden(code, name, metric, f"{days}d", channel=ch))
                    continue
                extra.update(_change(cur, before, ch not in hide[prev_i], cx.label(windows[prev_i]), confidence))
                figures.append(figure(code, name, metric, estimate(cur, confidence), k, period=f"{days}d",
                                      digits=2 if metric == "ces" else 1, **extra))
        weekly[metric] = _weekly(code, name, metric, week_bins, by_week, k, confidence)
        figures.extend(weekly[metric])
    return figures, weekly


def _hidden_channels(cells: dict, k: int) -> set[str]:
    """Channels (and "all") hidden in one window: below k, or giving a hidden channel away."""
    rows = [(ch, None if ch == "all" else "all", 0.0 if s is None else float(s.n)) for ch, s in cells.items()]
    frame = pd.DataFrame(rows, columns=["id", "parent", "n"]).astype({"parent": object})
    result = suppress(frame, "n", k, parent="parent", value_columns=[], id_column="id").frame
    return set(result.loc[result["suppressed"], "id"])


def _weekly(code, name, metric, bins, by_week, k, confidence) -> list[Figure]:
    """One figure per week of the 90-day window (all channels); a lone hidden week takes its smallest
    visible neighbour with it, since the weeks add up to the 90-day figure shown beside them."""
    cells = [by_week.get((i, None, metric)) for i in range(len(bins))]
    frame = pd.DataFrame({"id": range(len(bins)), "parent": "90d", "n": [0.0 if s is None else s.n for s in cells]})
    hide = set(suppress(frame, "n", k, parent="parent", value_columns=[]).frame.query("suppressed")["id"])
    out = []
    for i, (window, s) in enumerate(zip(bins, cells)):
        period = cx.label(window)
        if s is None or i in hide:
            out.append(Figure(code, name, metric, None, None, suppressed=True, period=period,
                              extra=(("channel", "all"), ("window", "week"))))  # no change column: a point
        else:
            f = figure(code, name, metric, estimate(s, confidence), k, period=period,
                       digits=2 if metric == "ces" else 1, channel="all", window="week")
            out.append(f)
    return out


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """The dashboard of one unit (the organisation, or the unit picked; a team lead's own subtree)."""
    program, waves, wave, prev = wave_context(session, params)
    tree = Tree(session)
    unit = resolve_unit(tree, params.unit, scope)
    teams = tree.order if unit is None else tree.subtree(unit)
    team_filter = None if unit is None else teams
    as_of = cx.parse_as_of(params.option("as_of"), session, team_filter)
    conf = settings.confidence
    k = max([settings.min_group_size, wave.min_group_size] + ([prev.min_group_size] if prev else []))
    figures = employee_figures(session, tree, unit, teams, wave, prev, k, conf)
    cx_figures, weekly = customer_figures(session, tree, unit, team_filter, as_of, settings.min_group_size, conf)
    figures += cx_figures
    notes = [f"Employee figures: wave {wave.label}" + (f" against {prev.label}" if prev else " (no earlier wave)")
             + f". Each change has its {round(conf * 100)}% interval; significant means the interval excludes 0. "
             "The two waves' respondents are treated as independent samples: many people answer both, so the "
             "intervals are somewhat wider than a paired comparison's would be.",
             f"Figures from fewer than {k} respondents are hidden (customer figures: fewer than "
             f"{settings.min_group_size} answers), and so is a further one wherever a hidden figure could "
             "otherwise be worked out from a total.",
             f"Customer figures: the 30 and 90 days up to {as_of.isoformat()} against the same number of days "
             "before; the sparklines show the weeks of the 90 days."]
    goal_figures, goals = _goals.goal_figures(session, tree, unit, settings.min_group_size, conf)
    figures += goal_figures
    if goal_figures:
        notes.append("Goals: each goal's latest value (the latest closed wave with answers from its unit) against "
                     "its target; reached means the whole interval is at or above the target.")
    links = None
    if scope.whole_org:
        links = _links.strongest(session, program.code, settings)
        figures += links.figures
        notes.append(links.note)
    charts = tuple(Chart(f"spark-{m}", sparkline([f for f in weekly[m] if not f.suppressed], CX_LABELS[m]),
                         f"{CX_LABELS[m]} by week over the 90 days to {as_of.isoformat()}, all channels.")
                   for m in CX_LABELS if any(not f.suppressed for f in weekly[m]))
    code, name = unit_label(tree, unit)
    params_out = {"program": program.code, "wave": wave.label, "unit": params.unit or (code if unit else None),
                  "as_of": as_of.isoformat()}
    context = {"program": program, "wave": wave, "previous": prev, "unit_name": name, "as_of": as_of,
               "cx_labels": CX_LABELS, "links": links, "goals": goals, "ex_metrics": EX_METRICS + ("response_rate",)}
    return Report("dashboard", "Dashboard", params_out, tuple(figures), tuple(notes), charts, context, k)
