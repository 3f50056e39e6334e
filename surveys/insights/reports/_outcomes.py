"""The customers report's "Business outcomes": per metric, the latest period's figure of the unit shown (the
organisation, or a team's subtree), of each team and of each touchpoint, beside the previous period and the
change. Figures carry breakdown "outcome", so the page, CSV and JSON show the same numbers."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.outcomes import OutcomeValue, change
from surveys.insights import outcomes
from surveys.insights.figures import Figure
from surveys.insights.reports.common import Tree
from surveys.models import Touchpoint

NOTE = ("Business outcomes are figures imported from the organisation's own systems (tandem import outcomes), not "
        "survey answers: they have no sampling interval, and no anonymity threshold applies. Rates (in %) combine "
        "across teams as n-weighted means, counts and revenue as sums; a team without its own figure takes its "
        "touchpoints' and teams' figures combined. The change compares the latest period with the previous period "
        "of the same kind (month, quarter, year).")


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 2)


def _figure(code: str, name: str, metric: outcomes.MetricDef, now: OutcomeValue | None, before: OutcomeValue | None,
            latest: outcomes.Period, previous: outcomes.Period | None, level: str, team: str | None = None,
            touchpoint: str | None = None) -> Figure:
    moved = change(now.value if now else None, before.value if before else None, metric.higher_is_better)
    extra = (("breakdown", "outcome"), ("level", level), ("team", team), ("touchpoint", touchpoint),
             ("outcome_label", metric.label), ("direction", metric.direction),
             ("aggregation", metric.aggregation_text), ("unit_of_measure", metric.unit),
             ("previous_period", previous.label if previous else None),
             ("previous", _r(before.value) if before else None), ("previous_n", before.n if before else None),
             ("change", _r(moved.change)), ("change_pct", None if moved.relative is None else round(moved.relative, 1)),
             ("improved", moved.better))
    return Figure(code, name, metric.key, _r(now.value) if now else None, now.n if now else None, None, None, False,
                  latest.label, extra)


def outcome_section(session: Session, tree: Tree, unit: int | None, teams: set[int] | None, until: dt.date,
                    touchpoint_id: int | None = None) -> tuple[list[Figure], list[dict]]:
    """(figures, one entry per metric for the page: its definition and figures) for periods starting by `until`."""
    parents = outcomes.parents(session)
    tps = {tp.id: tp for tp in session.execute(select(Touchpoint.id, Touchpoint.code, Touchpoint.name,
                                                      Touchpoint.team_id).order_by(Touchpoint.name))}
    unit_code, unit_name = ("ORG", "Organisation") if unit is None else (tree.nodes[unit].code, tree.nodes[unit].name)
    figures, sections = [], []
    for metric in outcomes.metric_defs(session).values():
        latest, previous = outcomes.latest_and_previous(outcomes.periods(session, metric.name, until))
        if latest is None:
            continue
        now = outcomes.period_figures(session, metric, latest, parents)
        before = outcomes.period_figures(session, metric, previous, parents) if previous else None
        rows: list[Figure] = []
        if touchpoint_id is None:
            rows.append(_figure(unit_code, unit_name, metric, now.unit(parents, teams, metric),
                                before.unit(parents, teams, metric) if before else None, latest, previous,
                                "organisation" if unit is None else "unit"))
            for tid in tree.order:
                if teams is not None and tid not in teams:
                    continue
                a, b = now.teams.get(tid), before.teams.get(tid) if before else None
                if a is None and b is None:
                    continue
                node = tree.nodes[tid]
                rows.append(_figure(node.code, node.name, metric, a, b, latest, previous, "team", team=node.code))
        for tp in tps.values():
            if touchpoint_id is not None and tp.id != touchpoint_id or teams is not None and tp.team_id not in teams:
                continue
            a, b = now.touchpoints.get(tp.id), before.touchpoints.get(tp.id) if before else None
            if a is None and b is None:
                continue
            node = tree.nodes.get(tp.team_id)
            rows.append(_figure(tp.code, tp.name, metric, a, b, latest, previous, "touchpoint",
                                team=node.code if node else None, touchpoint=tp.code))
        figures += rows
        sections.append({"metric": metric, "latest": latest, "previous": previous, "figures": rows})
    return figures, sections
