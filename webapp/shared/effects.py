"""The measured effect of each published action, for "You said, we did" and "What you told us"."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from surveys.models import Action


def effects_for(session: Session, actions: Iterable[Action], k: int) -> dict[int, object]:
    """{action id: measured effect} (objects with status, effect, low, high, verdict, sentence); missing
    actions read "not measured yet" on the pages."""
    # wired to surveys.insights.action_effects.measure at merge:
    #     from surveys.insights import action_effects
    #     return action_effects.measure(session, list(actions), k)
    return {}
