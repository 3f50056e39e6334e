"""Record audit events from services."""
from __future__ import annotations

from sqlalchemy.orm import Session

from surveys.models import AuditEvent


def record(session: Session, actor_id: int | None, action: str, entity_type: str,
           entity_id: int | None = None, **detail) -> AuditEvent:
    """Add an audit event to the session (flushed by the caller's service)."""
    event = AuditEvent(actor_id=actor_id, action=action, entity_type=entity_type, entity_id=entity_id,
                       detail=detail or None)
    session.add(event)
    return event
