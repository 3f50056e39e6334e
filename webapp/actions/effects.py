"""The measured effect of each action, made in one place for every action page."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from surveys.models import Action


def effects_for(session: Session, actions: Iterable[Action]) -> dict[int, object]:
    """{action id: effect} with .status, .effect, .low, .high, .verdict and .sentence; missing ids read
    "not measured yet" in the templates."""
    # wired to surveys.insights.action_effects.measure at merge, e.g. (imported here: insights loads pandas)
    #   return measure(session, list(actions), current_app.config["MIN_GROUP_SIZE"])
    return {}
