"""An action's checklist: add, tick, untick and remove steps; the share ticked is the action's % complete."""
from __future__ import annotations

from sqlalchemy.orm import Session

from surveys.actions import history
from surveys.actions.scope import Scope, get_for_change
from surveys.db import parse_id
from surveys.errors import Conflict, NotFound, ValidationError
from surveys.models import OPEN_STATUSES, Action, ActionStep, utcnow

MAX_STEP = 300
MAX_STEPS = 50


def _open(action: Action) -> Action:
    if action.status not in OPEN_STATUSES:
        raise Conflict(f"This action is {action.status}; its steps can no longer change.")
    return action


def _step(action: Action, step_id) -> ActionStep:
    key = parse_id(step_id)
    step = next((s for s in action.steps if s.id == key), None) if key is not None else None
    if step is None:
        raise NotFound("That step is not part of this action (it may have been removed already).")
    return step


def append_step(session: Session, action: Action, actor_id: int | None, text: str) -> ActionStep:
    """Add a step at the end of an already loaded action's checklist (the caller checked the scope)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write what the step is first.", field="text")
    if len(text) > MAX_STEP:
        raise ValidationError(f"A step is at most {MAX_STEP} characters; split it into two.", field="text")
    if len(action.steps) >= MAX_STEPS:
        raise ValidationError(f"An action has at most {MAX_STEPS} steps.", field="text")
    step = ActionStep(text=text, position=max((s.position for s in action.steps), default=-1) + 1)
    action.steps.append(step)
    history.record(session, action, actor_id, "step added", text)
    return step


def add_step(session: Session, action_id, scope: Scope, *, actor_id: int | None, text: str) -> ActionStep:
    """Add a step to an open action's checklist."""
    action = _open(get_for_change(session, action_id, scope))
    step = append_step(session, action, actor_id, text)
    session.flush()
    return step


def set_done(session: Session, action_id, step_id, scope: Scope, *, done: bool, actor_id: int | None) -> ActionStep:
    """Tick (done=True) or untick a step of an open action; nothing is recorded when it is already so."""
    action = _open(get_for_change(session, action_id, scope))
    step = _step(action, step_id)
    if step.done != done:
        step.done, step.done_at = done, utcnow() if done else None
        history.record(session, action, actor_id, "step done" if done else "step reopened", step.text)
        session.flush()
    return step


def remove_step(session: Session, action_id, step_id, scope: Scope, *, actor_id: int | None) -> None:
    """Remove a step from an open action's checklist."""
    action = _open(get_for_change(session, action_id, scope))
    step = _step(action, step_id)
    action.steps.remove(step)
    history.record(session, action, actor_id, "step removed", step.text)
    session.flush()
