"""Actions report: every improvement action in the user's scope with its progress and measured effect.

One figure per action. Its value, ci_low and ci_high are the measured effect and its interval (see
insights.action_effects); n is the number of teams behind the effect (with the action plus comparison),
since the effect compares teams, not respondents. Actions whose effect cannot be told yet carry no value
and say why in `effect_status` and `sentence`.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.goals.metrics import metric_info
from surveys.insights.action_effects import measure
from surveys.insights.figures import Figure, ParamError, Report
from surveys.insights.reports.common import ReportParams, ReportSettings, Scope, Tree, resolve_unit
from surveys.models import Action
from surveys.models.actions import ACTION_STATUSES, action_teams
from surveys.models.base import utcnow

OPTIONS = {
    "status": ("Only actions with this status.", ACTION_STATUSES),
    "metric": "Only actions on this metric (engagement, process, enps, csat, nps, ...).",
    "department": "Only actions on teams of this department (the code of a team directly under the top).",
}


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """One row per action on a team the user may see (a team lead: their subtree), with its effect."""
    tree = Tree(session)
    status = params.option("status", choices=ACTION_STATUSES)
    metric = params.option("metric")
    if metric:
        try:
            metric = metric_info(metric).key
        except KeyError as exc:
            raise ParamError("metric", str(exc.args[0])) from None
    teams = _teams(tree, params, scope)
    query = (select(Action).options(selectinload(Action.teams), selectinload(Action.owner),
                                    selectinload(Action.steps)).order_by(Action.due_on, Action.id))
    if teams is not None:
        query = query.where(Action.id.in_(select(action_teams.c.action_id)
                                          .where(action_teams.c.team_id.in_(teams))))
    if status:
        query = query.where(Action.status == status)
    if metric:
        query = query.where(Action.metric == metric)
    actions = list(session.scalars(query))
    effects = measure(session, actions, settings.min_group_size, settings.confidence)
    today = utcnow().date()
    figures = tuple(_figure(a, effects[a.id], today) for a in actions)
    notes = ("value is the measured effect: how much more the targeted metric changed from the wave before "
             "the action started to the first wave after it in the teams with the action than in comparable "
             "teams without an action on that metric (same department first, else the organisation); "
             f"ci_low and ci_high its {round(settings.confidence * 100)}% interval; n the teams behind it.",
             "The interval takes its spread from the comparison teams' own wave-to-wave changes, so it stays "
             "honest with one to three teams; with fewer than five comparison teams, or teams below "
             f"{settings.min_group_size} answers, no number is given.",
             "'worked': the interval is above zero; 'not shown to have worked': it includes zero; "
             "'went the other way': it is below zero. Other changes at the same time may share the credit.")
    params_out = {"unit": params.unit or None, "status": status, "metric": metric,
                  "department": params.options.get("department") or None}
    return Report("actions", "Actions", params_out, figures, notes, (), context={"actions": actions},
                  threshold=settings.min_group_size)


def _teams(tree: Tree, params: ReportParams, scope: Scope) -> set[int] | None:
    """The teams whose actions are listed (None: every team), from the unit, department and scope."""
    teams = None if scope.team_ids is None else set(scope.team_ids)
    if params.unit:
        unit = resolve_unit(tree, params.unit, scope)
        teams = None if unit is None else set(tree.subtree(unit))
    code = params.option("department")
    if code:
        node = tree.by_code.get(code)
        inside = set(tree.subtree(node.id)) if node is not None and node.depth == 1 else set()
        if not inside or teams is not None and not inside & teams:
            raise ParamError("department", f"No department with code '{code}' that you may see.")
        teams = inside if teams is None else teams & inside
    return teams


def _figure(action: Action, effect, today) -> Figure:
    measured = effect.status == "measured"
    n = effect.n_treated + effect.n_comparison if measured else None
    percent = action.percent_complete
    extra = (("action_id", action.id), ("title", action.title), ("teams", ", ".join(t.name for t in action.teams)),
             ("status", action.status), ("percent_complete", percent), ("overdue", action.is_overdue(today)),
             ("due_on", action.due_on.isoformat() if action.due_on else None),
             ("owner", action.owner.name if action.owner else None),
             ("effect_status", effect.status), ("n_treated", effect.n_treated),
             ("n_comparison", effect.n_comparison), ("verdict", effect.verdict), ("before", effect.before),
             ("after", effect.after), ("compared_with", effect.compared_with), ("sentence", effect.sentence))
    period = f"{effect.before} to {effect.after}" if effect.before and effect.after else effect.before
    return Figure(" ".join(t.code for t in action.teams), ", ".join(t.name for t in action.teams),
                  action.metric, effect.effect, n, effect.low, effect.high, False, period, extra)
