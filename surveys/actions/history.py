"""The history of an action: every change recorded with who, when and what."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from surveys.models import Action, ActionEvent, utcnow


def record(session: Session, action: Action, actor_id: int | None, what: str, detail: str = "",
           at: dt.datetime | None = None) -> ActionEvent:
    """Append one event to the action's history and mark it updated; flushes nothing."""
    at = at or utcnow()
    event = ActionEvent(actor_id=actor_id, what=what[:40], detail=detail, at=at)
    action.events.append(event)
    action.updated_at = at
    return event
