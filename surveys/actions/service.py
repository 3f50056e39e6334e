"""Action plans: create and edit actions, move them through their statuses and add progress notes.

Every change goes through here and lands in the action's history (surveys/actions/history.py); creating
an action and changing its status are audited too. Services flush, never commit.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from surveys import audit
from surveys.actions import history
from surveys.actions.fields import MAX_DESCRIPTION, ActionFields, Baseline, check_fields
from surveys.actions.scope import Scope, get_for_change
from surveys.actions.steps import append_step
from surveys.errors import Conflict, ValidationError
from surveys.models import OPEN_STATUSES, Action, ActionUpdate

# The only moves allowed: planned -> in progress -> done, and any open action -> abandoned (with a reason).
TRANSITIONS = {
    "planned": ("in_progress", "abandoned"),
    "in_progress": ("done", "abandoned"),
    "done": (),
    "abandoned": (),
}
MAX_NOTE = 5000


def status_label(status: str | None) -> str:
    """A status as people read it: "in progress"."""
    return (status or "").replace("_", " ")


def _set_baseline(action: Action, baseline: Baseline | None) -> None:
    baseline = baseline or Baseline()
    action.baseline, action.baseline_n = baseline.value, baseline.n
    action.baseline_low, action.baseline_high, action.baseline_label = baseline.low, baseline.high, baseline.label


def baseline_text(action: Action) -> str:
    """The stored baseline in one phrase, for the history."""
    if action.baseline is None:
        return "none"
    return f"{action.baseline:g} (n = {action.baseline_n}, {action.baseline_label or 'latest wave'})"


def create_action(session: Session, scope: Scope, *, actor_id: int | None, baseline: Baseline | None = None,
                  steps: tuple[str, ...] | list[str] = (), **values) -> Action:
    """Create a planned action from checked fields and the caller's baseline; flushes."""
    fields = check_fields(session, scope, **values)
    action = Action(title=fields.title, description=fields.description, owner=fields.owner, teams=fields.teams,
                    metric=fields.metric, target=fields.target, starts_on=fields.starts_on, due_on=fields.due_on,
                    status="planned", visibility=fields.visibility, source=fields.source,
                    goal_id=fields.goal.id if fields.goal else None, created_by_id=actor_id)
    _set_baseline(action, baseline)
    session.add(action)
    teams = ", ".join(t.name for t in fields.teams)
    history.record(session, action, actor_id, "created",
                   f"for {teams} on {fields.metric}, baseline {baseline_text(action)}")
    for text in steps:
        if text and text.strip():
            append_step(session, action, actor_id, text)
    session.flush()
    audit.record(session, actor_id, "action.create", "action", action.id, title=action.title,
                 teams=[t.code for t in fields.teams], metric=action.metric, source=action.source)
    session.flush()
    return action


def _shown(value) -> str:
    if isinstance(value, tuple):
        value = value[1]
    if value is None or value == "":
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def update_action(session: Session, action_id, scope: Scope, *, actor_id: int | None,
                  retake_baseline: Callable[[str, list[int]], Baseline] | None = None, **values) -> Action:
    """Change an action's fields, recording each change; the metric and teams change only while planned.

    When the metric or the teams change, `retake_baseline(metric, team_ids)` gives the new baseline.
    """
    action = get_for_change(session, action_id, scope)
    # Teams outside the editor's scope (possible for an owner) stay on the action untouched.
    kept = [t for t in action.teams if not scope.covers(t.id)]
    fields: ActionFields = check_fields(session, scope, keep_owner_id=action.owner_id, **values)
    teams = sorted({t.id: t for t in [*fields.teams, *kept]}.values(), key=lambda t: t.code)
    old_team_ids = sorted(t.id for t in action.teams)
    new_team_ids = sorted(t.id for t in teams)
    if action.status != "planned" and (fields.metric != action.metric or new_team_ids != old_team_ids):
        raise ValidationError("The metric and the teams are fixed once an action has started, so its effect is "
                              "measured on what it set out to change; start a new action instead.",
                              field="metric" if fields.metric != action.metric else "team_ids")
    changes = [
        ("title", action.title, fields.title),
        ("description", action.description, fields.description),
        # (id, name): two people may share a name, the history shows the name.
        ("owner", (action.owner_id, action.owner.name if action.owner else None), (fields.owner.id, fields.owner.name)),
        ("metric", action.metric, fields.metric),
        ("target", action.target, fields.target),
        ("starts_on", action.starts_on, fields.starts_on),
        ("due_on", action.due_on, fields.due_on),
        ("visibility", action.visibility, fields.visibility),
    ]
    for what, before, after in changes:
        if before != after:
            detail = "changed" if what == "description" else f"{_shown(before)} → {_shown(after)}"
            history.record(session, action, actor_id, what, detail)
    if new_team_ids != old_team_ids:
        history.record(session, action, actor_id, "teams", f"{', '.join(t.name for t in action.teams)} → "
                                                           f"{', '.join(t.name for t in teams)}")
    retake = retake_baseline is not None and (fields.metric != action.metric or new_team_ids != old_team_ids)
    action.title, action.description, action.owner = fields.title, fields.description, fields.owner
    action.metric, action.target, action.teams = fields.metric, fields.target, teams
    action.starts_on, action.due_on, action.visibility = fields.starts_on, fields.due_on, fields.visibility
    if retake:
        _set_baseline(action, retake_baseline(fields.metric, new_team_ids))
        history.record(session, action, actor_id, "baseline", f"taken again: {baseline_text(action)}")
    session.flush()
    return action


def change_status(session: Session, action_id, scope: Scope, to: str, *, actor_id: int | None,
                  reason: str | None = None) -> Action:
    """Move an action to `to`, refusing moves outside TRANSITIONS; abandoning needs a reason."""
    action = get_for_change(session, action_id, scope)
    before = action.status
    if to not in TRANSITIONS:
        raise ValidationError(f"'{to}' is not a status; use one of {', '.join(TRANSITIONS)}.", field="status")
    if to not in TRANSITIONS[before]:
        if before not in OPEN_STATUSES:
            raise Conflict(f"This action is already {status_label(before)}; a closed action cannot change status.")
        if to == before:
            raise Conflict(f"This action is already {status_label(before)}.")
        raise Conflict(f"An action that is {status_label(before)} cannot become {status_label(to)}; "
                       "start it first." if to == "done" else
                       f"An action that is {status_label(before)} cannot go back to {status_label(to)}.")
    reason = (reason or "").strip()
    if to == "abandoned":
        if not reason:
            raise ValidationError("Say why the action is abandoned.", field="reason")
        if len(reason) > MAX_DESCRIPTION:
            raise ValidationError(f"The reason is longer than {MAX_DESCRIPTION} characters.", field="reason")
        action.abandon_reason = reason
    action.status = to
    detail = f"{status_label(before)} → {status_label(to)}" + (f": {reason}" if to == "abandoned" else "")
    history.record(session, action, actor_id, "status", detail)
    audit.record(session, actor_id, "action.status", "action", action.id, before=before, after=to,
                 **({"reason": reason} if to == "abandoned" else {}))
    session.flush()
    return action


def add_note(session: Session, action_id, scope: Scope, *, actor_id: int | None, note: str) -> ActionUpdate:
    """Add a dated progress note by the actor."""
    action = get_for_change(session, action_id, scope)
    text = (note or "").strip()
    if not text:
        raise ValidationError("Write the progress note first.", field="note")
    if len(text) > MAX_NOTE:
        raise ValidationError(f"The note is longer than {MAX_NOTE} characters.", field="note")
    update = ActionUpdate(author_id=actor_id, note=text, status=action.status, progress=action.percent_complete)
    action.updates.append(update)
    history.record(session, action, actor_id, "note added", text if len(text) <= 80 else text[:79] + "…")
    session.flush()
    return update
