"""The actions overview: filter the actions a scope may see, and count them by status."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from surveys.actions.scope import Scope, visible
from surveys.db import parse_id
from surveys.goals.metrics import metric_info
from surveys.models import ACTION_STATUSES, OPEN_STATUSES, STAFF_ROLES, Action, Person, Team
from surveys.org import hierarchy

# Besides the four statuses: "open" (planned or in progress) and "overdue" (open past its due date).
STATUS_FILTERS = (*ACTION_STATUSES, "open", "overdue")


@dataclass(frozen=True)
class Filters:
    """The overview's filters; None means not filtered."""

    department: Team | None = None
    team: Team | None = None
    status: str | None = None
    metric: str | None = None
    owner: Person | None = None
    errors: tuple[str, ...] = field(default=())

    def args(self) -> dict[str, str]:
        """The filters as query arguments, for links that keep them."""
        out = {"department": self.department.code if self.department else None,
               "team": self.team.code if self.team else None, "status": self.status, "metric": self.metric,
               "owner": str(self.owner.id) if self.owner else None}
        return {k: v for k, v in out.items() if v}


def departments(session: Session) -> list[Team]:
    """The departments: teams directly under a top-level team (the top-level teams when there are none)."""
    parent = aliased(Team)
    below_root = list(session.scalars(select(Team).join(parent, Team.parent_id == parent.id)
                                      .where(parent.parent_id.is_(None)).order_by(Team.name)))
    return below_root or list(session.scalars(select(Team).where(Team.parent_id.is_(None)).order_by(Team.name)))


def parse_filters(session: Session, scope: Scope, args: Mapping[str, str]) -> Filters:
    """Filters from query arguments; a bad value is dropped and named in `errors`."""
    errors: list[str] = []

    def team_arg(name: str, label: str) -> Team | None:
        code = (args.get(name) or "").strip()
        if not code:
            return None
        team = session.scalar(select(Team).where(Team.code == code))
        if team is None or not (scope.everything or set(hierarchy.team_scope(session, team.id)) & scope.team_ids):
            errors.append(f"There is no {label} '{code}' among your teams; that filter is ignored.")
            return None
        return team

    department, team = team_arg("department", "department"), team_arg("team", "team")
    status = (args.get("status") or "").strip().lower() or None
    if status is not None and status not in STATUS_FILTERS:
        errors.append(f"Status '{status}' is not one of {', '.join(STATUS_FILTERS)}; that filter is ignored.")
        status = None
    metric = (args.get("metric") or "").strip() or None
    if metric is not None:
        try:
            metric = metric_info(metric).key
        except KeyError as exc:
            errors.append(f"{exc.args[0]} That filter is ignored.")
            metric = None
    owner = None
    if (args.get("owner") or "").strip():
        key = parse_id(args["owner"])
        owner = session.get(Person, key) if key is not None else None
        if owner is None:
            errors.append(f"There is no owner with id '{args['owner']}'; that filter is ignored.")
    return Filters(department, team, status, metric, owner, tuple(errors))


def _base(session: Session, scope: Scope, filters: Filters):
    query = (select(Action).where(visible(scope)).order_by(Action.due_on.is_(None), Action.due_on, Action.id)
             .options(selectinload(Action.teams), selectinload(Action.steps), selectinload(Action.owner)))
    for unit in (filters.department, filters.team):
        if unit is not None:
            query = query.where(Action.teams.any(Team.id.in_(hierarchy.team_scope(session, unit.id))))
    if filters.metric:
        query = query.where(Action.metric == filters.metric)
    if filters.owner:
        query = query.where(Action.owner_id == filters.owner.id)
    return query


def matches_status(action: Action, status: str | None, today: dt.date) -> bool:
    """Whether an action passes a status filter."""
    if status is None:
        return True
    if status == "open":
        return action.status in OPEN_STATUSES
    if status == "overdue":
        return action.is_overdue(today)
    return action.status == status


@dataclass(frozen=True)
class Overview:
    """The overview's rows and counts (the counts ignore the status filter, so they read as tabs)."""

    actions: list[Action]
    counts: dict[str, int]
    overdue: int
    total: int


def overview(session: Session, scope: Scope, filters: Filters, today: dt.date) -> Overview:
    """The actions a scope may see that pass the filters, soonest due first, with counts by status."""
    every = list(session.scalars(_base(session, scope, filters)).unique())
    counts = Counter(a.status for a in every)
    return Overview([a for a in every if matches_status(a, filters.status, today)],
                    {s: counts.get(s, 0) for s in ACTION_STATUSES},
                    sum(a.is_overdue(today) for a in every), len(every))


def owners(session: Session, scope: Scope) -> list[Person]:
    """The owners of the actions a scope may see, by name."""
    ids = select(Action.owner_id).where(visible(scope))
    return list(session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.name)))


def owner_choices(session: Session, scope: Scope) -> list[Person]:
    """Who may own a new action: active staff; for a team lead, themselves and staff of their teams."""
    query = select(Person).where(Person.active.is_(True), Person.role.in_(STAFF_ROLES))
    if not scope.everything:
        query = query.where((Person.id == scope.person_id) | Person.team_id.in_(sorted(scope.team_ids)))
    return list(session.scalars(query.order_by(Person.name)))
