"""The rules for an action's fields, shared by creating and editing: every problem reported at once."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.actions.scope import Scope
from surveys.db import parse_id
from surveys.errors import ErrorCollector, ValidationError
from surveys.goals import service as goal_service
from surveys.goals.metrics import metric_info
from surveys.models import ACTION_SOURCES, STAFF_ROLES, VISIBILITIES, Goal, Person, Team

MAX_TITLE = 200
MAX_DESCRIPTION = 5000


@dataclass(frozen=True)
class Baseline:
    """The metric's value for the action's teams when it was created (all None when none could be shown)."""

    value: float | None = None
    n: int | None = None
    low: float | None = None
    high: float | None = None
    label: str | None = None


@dataclass(frozen=True)
class ActionFields:
    """An action's checked fields."""

    title: str
    description: str
    owner: Person
    teams: list[Team]
    metric: str
    target: float | None
    starts_on: dt.date
    due_on: dt.date
    visibility: str
    source: str
    goal: Goal | None


def clean_title(raw: str | None) -> str:
    """A non-blank title of at most MAX_TITLE characters."""
    title = (raw or "").strip()
    if not title:
        raise ValidationError("Give the action a title.", field="title")
    if len(title) > MAX_TITLE:
        raise ValidationError(f"The title is longer than {MAX_TITLE} characters.", field="title")
    return title


def clean_description(raw: str | None) -> str:
    """Free text of at most MAX_DESCRIPTION characters (may be blank)."""
    text = (raw or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(f"The description is longer than {MAX_DESCRIPTION} characters.", field="description")
    return text


def clean_metric(raw: str | None) -> str:
    """A key of the targetable metric vocabulary."""
    try:
        return metric_info(raw or "").key
    except KeyError as exc:
        raise ValidationError(exc.args[0], field="metric") from None


def clean_target(raw, metric: str | None) -> float | None:
    """None (no target) or a number inside the metric's range."""
    if raw is None or isinstance(raw, str) and not raw.strip():
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValidationError(f"The target '{raw}' is not a number.", field="target") from None
    if not math.isfinite(value):
        raise ValidationError("The target must be a finite number.", field="target")
    if metric is not None:
        problem = metric_info(metric).check(value)
        if problem:
            raise ValidationError(problem, field="target")
    return value


def clean_owner(session: Session, raw, scope: Scope, keep_id: int | None = None) -> Person:
    """An active staff member; a team lead may choose themselves or staff of their own teams."""
    key = parse_id(raw)
    person = session.get(Person, key) if key is not None else None
    if person is None or not person.active or person.role not in STAFF_ROLES:
        raise ValidationError("Choose the owner from the list: an active staff member.", field="owner_id")
    allowed = (scope.everything or person.id in (scope.person_id, keep_id)
               or person.team_id is not None and scope.covers(person.team_id))
    if not allowed:
        raise ValidationError(f"{person.name} works outside your teams; choose yourself or someone in your "
                              "teams as the owner.", field="owner_id")
    return person


def clean_teams(session: Session, raw: Iterable, scope: Scope) -> list[Team]:
    """One or more existing teams, each inside the scope."""
    keys = {parse_id(r) for r in raw or ()}
    if not keys - {None}:
        raise ValidationError("Choose at least one team.", field="team_ids")
    if None in keys:
        raise ValidationError("A team chosen is not a valid team; reload the page.", field="team_ids")
    teams = list(session.scalars(select(Team).where(Team.id.in_(keys)).order_by(Team.code)))
    if len(teams) != len(keys):
        raise ValidationError("A team chosen does not exist (any more); reload the page.", field="team_ids")
    outside = [t.name for t in teams if not scope.covers(t.id)]
    if outside:
        raise ValidationError(f"You can only plan actions for your own teams; {', '.join(outside)} is not one "
                              "of them.", field="team_ids")
    return teams


def clean_date(raw, field: str, label: str) -> dt.date:
    """A date (a date object or YYYY-MM-DD text)."""
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise ValidationError(f"{label} is missing or not a date (YYYY-MM-DD).", field=field) from None


def clean_choice(raw, allowed: tuple[str, ...], field: str, label: str) -> str:
    """One of `allowed`."""
    value = (raw or "").strip().lower()
    if value not in allowed:
        raise ValidationError(f"{label} must be one of {', '.join(allowed)}; '{raw}' is not.", field=field)
    return value


def goal_visible(session: Session, scope: Scope, goal: Goal) -> bool:
    """Whether a goal applies within the scope: the organisation's, or one on a team in it or above it."""
    if scope.everything or goal.team_id is None:
        return True
    return goal.team_id in goal_service.relevant_team_ids(session, scope.team_ids)


def clean_goal(session: Session, raw, scope: Scope | None = None) -> Goal | None:
    """None, or an existing goal the scope may see (another's goal reads as missing)."""
    if raw is None or raw == "":
        return None
    key = parse_id(raw)
    goal = session.get(Goal, key) if key is not None else None
    if goal is not None and scope is not None and not goal_visible(session, scope, goal):
        goal = None
    if goal is None:
        raise ValidationError("The goal this action was meant to serve does not exist (any more).", field="goal_id")
    return goal


def check_fields(session: Session, scope: Scope, *, title, description, owner_id, team_ids, metric, target,
                 starts_on, due_on, visibility="leaders", source="manual", goal_id=None,
                 keep_owner_id: int | None = None) -> ActionFields:
    """Validate every field of an action; raises all problems together."""
    errors = ErrorCollector()
    title = errors.check(clean_title, title)
    description = errors.check(clean_description, description)
    owner = errors.check(clean_owner, session, owner_id, scope, keep_owner_id)
    teams = errors.check(clean_teams, session, team_ids, scope)
    metric = errors.check(clean_metric, metric)
    target = errors.check(clean_target, target, metric)
    starts_on = errors.check(clean_date, starts_on, "starts_on", "The start date")
    due_on = errors.check(clean_date, due_on, "due_on", "The due date")
    if starts_on and due_on and due_on < starts_on:
        errors.add(f"The due date ({due_on}) is before the start date ({starts_on}).", "due_on")
    visibility = errors.check(clean_choice, visibility, VISIBILITIES, "visibility", "Visibility")
    source = errors.check(clean_choice, source, ACTION_SOURCES, "source", "Source")
    goal = errors.check(clean_goal, session, goal_id, scope)
    errors.raise_if_any()
    return ActionFields(title, description, owner, teams, metric, target, starts_on, due_on, visibility, source,
                        goal)
