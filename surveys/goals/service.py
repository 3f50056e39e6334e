"""Set, change and archive goals: a target on a metric for the organisation, a department or a team.

Every change is checked here (the page, the API and any import call the same functions), recorded in
the audit trail and flushed, never committed. Progress against a goal is read elsewhere
(surveys.insights.goal_progress): this write side does not compute results.
"""
from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from surveys import audit
from surveys.db import parse_id
from surveys.errors import Conflict, ErrorCollector, NotFound, ValidationError
from surveys.goals.metrics import OUTCOME_PREFIX, MetricInfo, metric_info
from surveys.models import Goal, Team, utcnow
from surveys.models.voice import OutcomeMetric

MAX_NOTE = 1000
ORG_CHOICES = ("", "org", "organisation")  # what a form or file may send for "the whole organisation"


def clean_metric(raw: str | None) -> MetricInfo:
    """The metric a key names (employee dimensions, eNPS, CSAT, NPS, CES, outcome:<name>)."""
    try:
        return metric_info(raw or "")
    except KeyError as exc:
        raise ValidationError(exc.args[0], field="metric") from None


def outcome_choices(session: Session) -> list[tuple[str, str]]:
    """(key, label) of every imported business outcome, for a goal form: "outcome:churn_rate"."""
    rows = session.execute(select(OutcomeMetric.name, OutcomeMetric.label, OutcomeMetric.higher_is_better)
                           .order_by(OutcomeMetric.label))
    return [(f"{OUTCOME_PREFIX}{name}", f"{label} (business outcome, {'higher' if higher else 'lower'} is better)")
            for name, label, higher in rows]


def clean_team(session: Session, raw) -> Team | None:
    """The team a goal is for; None (blank, 'ORG') for the whole organisation."""
    if raw is None or isinstance(raw, str) and raw.strip().lower() in ORG_CHOICES:
        return None
    team_key = parse_id(raw)
    team = session.get(Team, team_key) if team_key is not None else None
    if team is None:
        raise ValidationError("The team chosen does not exist (any more); choose the organisation, a "
                              "department or a team from the list.", field="team_id")
    return team


def clean_target(raw, info: MetricInfo) -> float:
    """A finite number inside the metric's range."""
    text = str(raw).strip() if raw is not None else ""
    try:
        value = float(text.replace(",", ".")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        shown = f"'{text[:30]}'" if text else "nothing"
        raise ValidationError(f"The target must be a number, such as 70; got {shown}.", field="target") from None
    if not math.isfinite(value):
        raise ValidationError("The target must be a finite number, such as 70.", field="target")
    problem = info.check(value)
    if problem:
        raise ValidationError(f"Target: {problem}", field="target")
    return value


def clean_due(raw) -> dt.date:
    """A date from a date or an ISO text (YYYY-MM-DD)."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = (raw or "").strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        shown = f"'{text[:30]}'" if text else "nothing"
        raise ValidationError(f"The due date must be a date written as YYYY-MM-DD; got {shown}.",
                              field="due_on") from None


def clean_note(raw: str | None) -> str:
    """An optional note of at most MAX_NOTE characters."""
    note = (raw or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(f"The note is longer than {MAX_NOTE} characters ({len(note)}).", field="note")
    return note


def _not_past(due: dt.date, today: dt.date) -> dt.date:
    if due < today:
        raise ValidationError(f"The due date {due.isoformat()} is in the past; choose {today.isoformat()} or later.",
                              field="due_on")
    return due


def check_goal(session: Session, *, metric, team_id, target, due_on, note="", today: dt.date | None = None,
               current: Goal | None = None) -> tuple[MetricInfo, Team | None, float, dt.date, str]:
    """Validate every field at once and raise all problems together.

    A new due date may not be in the past; an edited goal may keep the due date it has.
    """
    today = today or utcnow().date()
    errors = ErrorCollector()
    info = errors.check(clean_metric, metric)
    team = errors.check(clean_team, session, team_id)
    value = errors.check(clean_target, target, info) if info is not None else None
    due = errors.check(clean_due, due_on)
    if due is not None and (current is None or due != current.due_on):
        errors.check(_not_past, due, today)
    note = errors.check(clean_note, note)
    if not errors.errors:
        errors.check(_no_twin, session, info, team, due, current)
    errors.raise_if_any()
    return info, team, value, due, note


def _no_twin(session: Session, info: MetricInfo, team: Team | None, due: dt.date, current: Goal | None) -> None:
    """Refuse a second open goal with the same metric, unit and date (a form sent twice, most often)."""
    query = select(Goal.id).where(Goal.metric == info.key, Goal.due_on == due, Goal.archived.is_(False),
                                  Goal.team_id.is_(None) if team is None else Goal.team_id == team.id)
    if current is not None:
        query = query.where(Goal.id != current.id)
    twin = session.scalar(query.limit(1))
    if twin is not None:
        raise ValidationError(f"Goal #{twin} already targets {info.label} for {_unit_name(team)} by "
                              f"{due.isoformat()}; change that goal instead.", field="metric")


def _unit_name(team: Team | None) -> str:
    return "the organisation" if team is None else team.name


def _unit_code(team: Team | None) -> str:
    return "ORG" if team is None else team.code


def create_goal(session: Session, *, metric, team_id, target, due_on, note="", actor_id: int | None = None,
                today: dt.date | None = None) -> Goal:
    """Set a goal (checked, audited, flushed)."""
    info, team, value, due, note = check_goal(session, metric=metric, team_id=team_id, target=target,
                                              due_on=due_on, note=note, today=today)
    goal = Goal(metric=info.key, team=team, target=value, due_on=due, note=note, created_by_id=actor_id,
                created_at=utcnow())
    session.add(goal)
    session.flush()
    audit.record(session, actor_id, "goal.create", "goal", goal.id, metric=info.key, unit=_unit_code(team),
                 target=value, due_on=due.isoformat())
    session.flush()
    return goal


def update_goal(session: Session, goal_id, *, metric, team_id, target, due_on, note="",
                actor_id: int | None = None, today: dt.date | None = None) -> Goal:
    """Change a goal's metric, unit, target, date or note (checked, audited, flushed)."""
    goal = get_goal(session, goal_id)
    if goal.archived:
        raise Conflict(f"Goal #{goal.id} is archived; restore it before changing it.")
    info, team, value, due, note = check_goal(session, metric=metric, team_id=team_id, target=target,
                                              due_on=due_on, note=note, today=today, current=goal)
    changes = {key: [old, new] for key, old, new in (
        ("metric", goal.metric, info.key), ("unit", _unit_code(goal.team), _unit_code(team)),
        ("target", goal.target, value), ("due_on", goal.due_on.isoformat(), due.isoformat()),
        ("note", goal.note, note)) if old != new}
    goal.metric, goal.team, goal.target, goal.due_on, goal.note = info.key, team, value, due, note
    if changes:
        audit.record(session, actor_id, "goal.update", "goal", goal.id, **changes)
    session.flush()
    return goal


def set_archived(session: Session, goal_id, archived: bool, actor_id: int | None = None) -> Goal:
    """Archive a goal (it leaves the dashboard and the lists) or restore it; doing it twice changes nothing."""
    goal = get_goal(session, goal_id)
    if goal.archived != bool(archived):
        goal.archived = bool(archived)
        audit.record(session, actor_id, "goal.archive" if archived else "goal.restore", "goal", goal.id,
                     metric=goal.metric, unit=_unit_code(goal.team))
    session.flush()
    return goal


def get_goal(session: Session, goal_id) -> Goal:
    """A goal by id, with its team, or NotFound."""
    key = parse_id(goal_id)
    goal = session.scalar(select(Goal).options(joinedload(Goal.team)).where(Goal.id == key)) if key else None
    if goal is None:
        raise NotFound(f"There is no goal #{str(goal_id)[:20]}.")
    return goal


def relevant_team_ids(session: Session, team_ids) -> set[int]:
    """The teams whose goals apply to some teams: those teams and every ancestor of each."""
    parents = dict(session.execute(select(Team.id, Team.parent_id)).all())
    out: set[int] = set()
    for tid in team_ids:
        while tid is not None and tid not in out:  # a team seen already brings its ancestors with it
            out.add(tid)
            tid = parents.get(tid)
    return out


def list_goals(session: Session, team_ids=None, *, archived: bool = False, organisation: bool = True) -> list[Goal]:
    """Goals, archived or not, on these teams (None: every team) and, when asked, the organisation's.

    Ordered organisation first, then by due date.
    """
    query = select(Goal).options(joinedload(Goal.team)).where(Goal.archived.is_(archived))
    if team_ids is not None:
        on_teams = Goal.team_id.in_(sorted(team_ids))
        query = query.where(on_teams | Goal.team_id.is_(None) if organisation else on_teams)
    elif not organisation:
        query = query.where(Goal.team_id.is_not(None))
    goals = session.scalars(query).all()
    return sorted(goals, key=lambda g: (g.team_id is not None, g.due_on, g.id))
