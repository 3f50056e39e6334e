"""Customers report: CSAT, NPS and CES over time and per touchpoint, channel (surveyed and imported side
by side) and owning team, with volumes and intervals from the customer rollups; and on request a paged
list of the verbatims behind them."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.charts import interval_line
from analysis.metrics import CX_METRICS
from analysis.privacy import suppress
from analysis.summaries import Sums, estimate
from surveys.insights import customer_feedback as cf
from surveys.insights.figures import Chart, Figure, ParamError, Report, figure
from surveys.insights.reports._outcomes import NOTE as OUTCOME_NOTE
from surveys.insights.reports._outcomes import outcome_section
from surveys.insights.reports.common import ReportParams, ReportSettings, Scope, Tree, resolve_unit, unit_label
from surveys.models import CHANNELS, Touchpoint

METRIC_TITLES = {"csat": "CSAT (% satisfied)", "nps": "NPS", "ces": "CES (mean, 1-7)"}
MAX_PERIODS = {"week": 260, "month": 120}
DEFAULT_PERIODS = 12
PER_PAGE = 25
EXTRAS = ("breakdown", "touchpoint", "channel", "origin", "team")


def _date(params: ReportParams, name: str) -> dt.date | None:
    raw = params.option(name)
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ParamError(name, f"{name} must be a date written YYYY-MM-DD, not '{raw}'.") from None


def _int_option(params: ReportParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.option(name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ParamError(name, f"{name} must be a whole number from {low} to {high}, not '{raw}'.")
    return int(raw)


def _score_range(params: ReportParams, metric: str) -> tuple[int, int] | None:
    raw = params.option("score")
    if raw is None:
        return None
    if metric == "all":
        raise ParamError("score", "Choose a metric (csat, nps or ces) to filter verbatims by its score.")
    low, sep, high = raw.partition("-")
    if not low.isdigit() or (sep and not high.isdigit()) or int(low) > int(high or low) or int(high or low) > 10:
        raise ParamError("score", f"score must be a score such as 9 or a range such as 0-6, not '{raw}'.")
    return int(low), int(high or low)


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the week (Monday) or month holding `day`."""
    return day - dt.timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def period_end(start: dt.date, period: str) -> dt.date:
    """The last day of the period beginning on `start`."""
    if period == "week":
        return start + dt.timedelta(days=6)
    return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1) - dt.timedelta(days=1)


def period_label(start: dt.date, period: str) -> str:
    """2026-W03 for a week, 2026-01 for a month."""
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start:%Y-%m}"


def _range(session: Session, params: ReportParams, period: str, teams) -> tuple[dt.date, dt.date]:
    end = _date(params, "to") or cf.latest_day(session, teams) or dt.date.today()
    start = _date(params, "from")
    if start is None:
        start = period_start(end, period)
        for _ in range(DEFAULT_PERIODS - 1):
            start = period_start(start - dt.timedelta(days=1), period)
    if start > end:
        raise ParamError("from", f"from ({start}) is after to ({end}).")
    first, n = period_start(start, period), 0
    while first <= end and n <= MAX_PERIODS[period]:
        first, n = period_end(first, period) + dt.timedelta(days=1), n + 1
    if n > MAX_PERIODS[period]:
        raise ParamError("from", f"At most {MAX_PERIODS[period]} {period}s at a time; choose a later from date "
                                 f"or period=month.")
    return start, end


def _hidden_in_family(children: dict, total: Sums | None, k: int) -> tuple[set, bool]:
    """Keys of children to hide (below k, or complementary so none is the total minus the others), and
    whether the total itself must be hidden."""
    rows = [{"id": key, "parent": "__total__", "n": s.n} for key, s in children.items()]
    rows.append({"id": "__total__", "parent": None, "n": total.n if total else 0})
    frame = pd.DataFrame(rows)
    result = suppress(frame, "n", k, parent="parent", id_column="id")
    flags = dict(zip(frame["id"], result.frame["suppressed"]))
    return {key for key in children if flags[key]}, bool(flags["__total__"])


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """CSAT, NPS and CES for the user's touchpoints: over time, per touchpoint, channel and team."""
    tree = Tree(session)
    unit = resolve_unit(tree, params.unit, scope)
    teams = None if unit is None else set(tree.subtree(unit))
    period = params.option("period", "month", ("week", "month"))
    metric = params.option("metric", "all", ("all", *CX_METRICS))
    channel = params.option("channel", None, CHANNELS)
    show_verbatims = params.option("verbatims", "0", ("0", "1")) == "1"
    page = _int_option(params, "page", 1, 1, 10_000)
    score = _score_range(params, metric)
    touchpoints = {tp.id: tp for tp in session.execute(
        select(Touchpoint.id, Touchpoint.code, Touchpoint.name, Touchpoint.channel, Touchpoint.team_id)
        .order_by(Touchpoint.name))}
    visible_tps = [tp for tp in touchpoints.values() if teams is None or tp.team_id in teams]
    tp_code = params.option("touchpoint")
    tp_id = None
    if tp_code:
        tp_id = next((tp.id for tp in visible_tps if tp.code == tp_code), None)
        if tp_id is None:
            raise ParamError("touchpoint", f"No touchpoint with code '{tp_code}' that you may see.")
    start, end = _range(session, params, period, teams)
    metrics = CX_METRICS if metric == "all" else (metric,)
    filters = cf.Filters(start, end, metrics, teams, tp_id, channel)
    k = settings.min_group_size
    code, name = unit_label(tree, unit)
    span = f"{start}..{end}"

    def make(sums, ucode, uname, m, per, **extra) -> Figure:
        extra = {e: extra.get(e) for e in EXTRAS}
        return figure(ucode, uname, m, estimate(sums, settings.confidence), k, period=per, **extra)

    def hide(ucode, uname, m, per, **extra) -> Figure:
        # The extras here are labels (which touchpoint, which channel), not numbers: they stay.
        return Figure(ucode, uname, m, None, None, suppressed=True, period=per,
                      extra=tuple((e, extra.get(e)) for e in EXTRAS))

    totals = cf.grouped_sums(session, filters, "total")
    groups = cf.breakdown_sums(session, filters, period)
    groups = {by: groups[by] for by in ("period", "touchpoint", "channel", "team")}  # the order figures follow
    figures: list[Figure] = []
    series: dict[str, list[Figure]] = {}
    periods: dict[str, tuple[str, str]] = {}
    total_hidden: dict[str, bool] = {}
    family_hidden: dict[tuple[str, str], set] = {}
    for m in metrics:
        total = totals.get((m,))
        for by, sums in groups.items():
            children = {key[:-1]: s for key, s in sums.items() if key[-1] == m}
            hide_keys, hide_total = _hidden_in_family(children, total, k)
            family_hidden[(by, m)] = hide_keys
            total_hidden[m] = total_hidden.get(m, False) or hide_total
    for m in metrics:
        total = totals.get((m,))
        if total is None or total_hidden[m]:
            figures.append(hide(code, name, m, span, breakdown="total"))
        else:
            figures.append(make(total, code, name, m, span, breakdown="total"))
    for m in metrics:
        rows = sorted((key[0], s) for key, s in groups["period"].items() if key[-1] == m)
        for first, s in rows:
            label = period_label(first, period)
            periods[label] = (str(max(first, start)), str(min(period_end(first, period), end)))
            args = (code, name, m, label)
            fig = (hide(*args, breakdown="period") if (first,) in family_hidden[("period", m)]
                   else make(s, *args, breakdown="period"))
            figures.append(fig)
            series.setdefault(m, []).append(fig)
    for m in metrics:
        for tp in touchpoints.values():  # feedback counted for a team in scope when it was given
            s = groups["touchpoint"].get((tp.id, m))
            if s is None:
                continue
            node = tree.nodes.get(tp.team_id)
            extra = dict(breakdown="touchpoint", touchpoint=tp.code, channel=tp.channel,
                         team=node.code if node else None)
            figures.append(hide(tp.code, tp.name, m, span, **extra) if (tp.id,) in family_hidden[("touchpoint", m)]
                           else make(s, tp.code, tp.name, m, span, **extra))
    for m in metrics:
        for ch in CHANNELS:
            for origin in cf.ORIGINS:
                s = groups["channel"].get((ch, origin, m))
                if s is None:
                    continue
                extra = dict(breakdown="channel", channel=ch, origin=origin)
                label = f"{ch} ({origin})"
                figures.append(hide(ch, label, m, span, **extra) if (ch, origin) in family_hidden[("channel", m)]
                               else make(s, ch, label, m, span, **extra))
    for m in metrics:
        for tid in tree.order:
            s = groups["team"].get((tid, m))
            if s is None:
                continue
            node = tree.nodes[tid]
            extra = dict(breakdown="team", team=node.code)
            figures.append(hide(node.code, node.name, m, span, **extra) if (tid,) in family_hidden[("team", m)]
                           else make(s, node.code, node.name, m, span, **extra))
    charts = tuple(_chart(m, figs, period) for m, figs in series.items()
                   if any(not f.suppressed for f in figs))
    outcome_figures, outcome_sections = outcome_section(session, tree, unit, teams, end, tp_id)
    figures += outcome_figures
    verbatim_page, more = ([], False)
    if show_verbatims:
        verbatim_page, more = cf.verbatims(session, filters, score_metric=None if metric == "all" else metric,
                                           score_range=score, page=page, per_page=PER_PAGE)
    notes = (f"Figures from fewer than {k} answers are hidden, and so is one more figure where a hidden one "
             "could be worked out from the total.",
             "Each score carries its 95% interval: CSAT (% satisfied, top two of five) with the Wilson interval, "
             "NPS (% promoters minus % detractors) with the multinomial margin, CES (mean of 1-7) with the t "
             "interval. n is the number of customer responses (the volume).",
             "Surveyed feedback came through Tandem's own links; imported feedback came from files of other "
             "channels. Feedback counts for the team that owned the touchpoint when it was given.",
             *((OUTCOME_NOTE,) if outcome_sections else ()))
    params_out = {"unit": params.unit or None, "period": period, "from": str(start), "to": str(end),
                  "metric": metric, "touchpoint": tp_code or None, "channel": channel}
    context = {"unit_name": name, "touchpoints": visible_tps, "channels": CHANNELS, "metrics": metrics,
               "periods": periods, "show_verbatims": show_verbatims, "verbatims": verbatim_page,
               "page": page, "more": more, "score": params.option("score"),
               "metric_titles": METRIC_TITLES, "by": _by_breakdown(figures), "outcomes": outcome_sections}
    return Report("customers", "Customers", params_out, tuple(figures), notes, charts, context, threshold=k)


def _by_breakdown(figures: list[Figure]) -> dict:
    """The figures per breakdown for the page's tables; channels as channel -> metric -> origin -> figure."""
    out: dict = {"total": [], "period": [], "touchpoint": [], "team": [], "channel": {}, "outcome": []}
    for f in figures:
        kind = f.get("breakdown")
        if kind == "channel":
            out["channel"].setdefault(f.get("channel"), {}).setdefault(f.metric, {})[f.get("origin")] = f
        else:
            out[kind].append(f)
    return out


def _chart(metric: str, figs: list[Figure], period: str) -> Chart:
    shown = [f for f in figs if not f.suppressed]
    frame = pd.DataFrame({"period": [f.period for f in shown], "value": [f.value for f in shown],
                          "ci_low": [f.ci_low for f in shown], "ci_high": [f.ci_high for f in shown],
                          "n": [f.n for f in shown]})
    chart = interval_line(frame, "period", "value", "ci_low", "ci_high", x_title=period.capitalize(),
                          y_title=METRIC_TITLES[metric])
    hidden_n = len(figs) - len(shown)
    summary = (f"{METRIC_TITLES[metric]} per {period} with its 95% interval (shaded), {len(shown)} {period}s shown"
               + (f", {hidden_n} hidden (too few answers)." if hidden_n else "."))
    return Chart(metric, chart, summary)
