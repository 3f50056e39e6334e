"""What the action views share: the signed-in user's scope, today's date, baselines and form choices."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.actions import listing
from surveys.actions.fields import Baseline
from surveys.actions.scope import Scope, scope_for
from surveys.db import parse_id
from surveys.goals.metrics import choices as metric_choices
from surveys.goals.metrics import metric_info
from surveys.models import Action, Team, utcnow
from surveys.org import hierarchy
from webapp.admin.forms_common import SelectChoice, team_choices


def user_scope(session: Session) -> Scope:
    """The signed-in staff member's reach over actions."""
    return scope_for(session, current_user.id, current_user.role, current_user.team_id)


def today() -> dt.date:
    """Today's date (UTC), for due dates and the overdue flag."""
    return utcnow().date()


def measure(session: Session, metric: str | None, team_ids: list[int]):
    """The latest value of a metric over the teams and everything under them, or None when it cannot be asked."""
    try:
        key = metric_info(metric or "").key
    except KeyError:
        return None
    if not team_ids:
        return None
    # Imported here: insights pulls in pandas and the analysis stack, which app start-up must not load.
    from surveys.insights import metric_values

    subtree = sorted({t for tid in team_ids for t in hierarchy.team_scope(session, tid)})
    return metric_values.latest(session, key, subtree, current_app.config["MIN_GROUP_SIZE"])


def to_baseline(value) -> Baseline:
    """What is stored from a measured value: nothing when it is suppressed or missing."""
    if value is None or value.suppressed or value.value is None:
        return Baseline()
    return Baseline(value.value, value.n, value.low, value.high, value.period)


def fill_choices(session: Session, form, scope: Scope, action: Action | None = None) -> None:
    """Teams, metrics and owners a form may offer this user (and the action's current values)."""
    teams = team_choices(session)
    if not scope.everything:
        teams = [c for c in teams if int(_value(c)) in scope.team_ids]
    form.team_ids.choices = _without_common_root(teams)
    metrics = [SelectChoice(k, label) for k, label in metric_choices()]
    current = action.metric if action else form.metric.data
    if current and current not in {k for k, _ in metric_choices()}:
        try:
            metrics.append(SelectChoice(metric_info(current).key, metric_info(current).label))
        except KeyError:
            pass
    form.metric.choices = metrics
    people = listing.owner_choices(session, scope)
    if action is not None and action.owner is not None and action.owner not in people:
        people.append(action.owner)
    form.owner_id.choices = [SelectChoice(str(p.id), f"{p.name} ({p.role.replace('_', ' ')})") for p in people]


def _value(choice) -> str:
    return choice.value if hasattr(choice, "value") else choice[0]


def _without_common_root(choices: list) -> list:
    """Team paths without the leading names every one of them shares ("Company › "), keeping the last name."""
    paths = [(_value(c), (c.label if hasattr(c, "label") else c[1]).split(" › ")) for c in choices]
    if not paths:
        return choices
    shared = 0
    while (shared < min(len(p) for _v, p in paths) - 1
           and len({tuple(p[:shared + 1]) for _v, p in paths}) == 1):
        shared += 1
    return [SelectChoice(value, " › ".join(parts[shared:])) for value, parts in paths]


def teams_by_id(session: Session, ids) -> list[Team]:
    """The teams with these (text or int) ids that exist, by code."""
    keys = [k for k in (parse_id(i) for i in ids or ()) if k is not None]
    return list(session.scalars(select(Team).where(Team.id.in_(keys)).order_by(Team.code))) if keys else []
