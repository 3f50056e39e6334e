"""Insert the planted goals and improvement actions (demo/goals.py, demo/improvements.py); flushes only.

Rows are few (tens), so plain ORM objects: the action's teams, steps, notes and history go in with it.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from surveys.models import Action, ActionEvent, ActionStep, ActionUpdate, Goal, Team


def write_goals(session: Session, goals: list[dict], team_ids: np.ndarray,
                person_ids: np.ndarray) -> dict[str, int]:
    """Insert the planted goals; returns {goal key: id} for the actions that serve one."""
    rows = {g["key"]: Goal(metric=g["metric"], team_id=None if g["team"] is None else int(team_ids[g["team"]]),
                           target=g["target"], due_on=g["due_on"], note=g["note"],
                           created_by_id=int(person_ids[g["created_by"]]), created_at=g["created_at"])
            for g in goals}
    session.add_all(rows.values())
    session.flush()
    return {key: goal.id for key, goal in rows.items()}


def write_actions(session: Session, actions: list[dict], team_ids: np.ndarray, person_ids: np.ndarray,
                  goal_ids: dict[str, int]) -> None:
    """Insert the planted actions with their teams, steps, progress notes and history."""
    def person(row: int) -> int:
        return int(person_ids[row])

    for a in actions:
        action = Action(
            owner_id=person(a["owner"]), created_by_id=person(a["created_by"]), title=a["title"],
            description=a["description"], metric=a["metric"], baseline=a["baseline"],
            baseline_n=a["baseline_n"], baseline_low=a["baseline_low"], baseline_high=a["baseline_high"],
            baseline_label=a["baseline_label"], target=a["target"], starts_on=a["starts_on"],
            due_on=a["due_on"], status=a["status"], abandon_reason=a["abandon_reason"],
            visibility=a["visibility"], source=a["source"],
            goal_id=goal_ids[a["goal"]] if a["goal"] else None,
            created_at=a["created_at"], updated_at=a["updated_at"])
        action.teams = [session.get(Team, int(team_ids[t])) for t in a["teams"]]
        action.steps = [ActionStep(position=i, text=st["text"], done=st["done"], done_at=st["done_at"])
                        for i, st in enumerate(a["steps"])]
        action.updates = [ActionUpdate(author_id=person(u["author"]), note=u["note"], progress=u["progress"],
                                       status=u["status"], created_at=u["created_at"]) for u in a["updates"]]
        action.events = [ActionEvent(actor_id=person(e["actor"]), at=e["at"], what=e["what"], detail=e["detail"])
                         for e in a["events"]]
        session.add(action)
    session.flush()
