"""The measured effect of each action, made in one place for every page that shows one."""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy.orm import Session

from surveys.models import Action


def effects_for(session: Session, actions: Iterable[Action], k: int | None = None) -> dict[int, object]:
    """{action id: surveys.insights.action_effects.MeasuredEffect}, at the threshold k (the configured
    minimum group size when None)."""
    # Imported here: insights loads pandas and the analysis stack, which app start-up must not load.
    from surveys.insights import action_effects

    actions = list(actions)
    if not actions:
        return {}
    return action_effects.measure(session, actions, k if k is not None else current_app.config["MIN_GROUP_SIZE"])
