"""Record audit events from services, chained by SHA-256 so an edited, inserted or deleted row shows."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surveys.models import GENESIS_HASH, AuditChainHead, AuditEvent, utcnow

HEAD = AuditChainHead.__table__


def canonical(seq: int, at: dt.datetime, actor_id: int | None, action: str, entity_type: str,
              entity_id: int | None, detail: dict | None, prev_hash: str) -> bytes:
    """The bytes an event's hash covers: its fields as JSON with sorted keys and no spaces."""
    fields = {"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor_id": actor_id, "action": action,
              "entity_type": entity_type, "entity_id": entity_id, "detail": detail, "prev_hash": prev_hash}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: AuditEvent) -> str:
    """SHA-256 (hex) of an event's canonical form."""
    return hashlib.sha256(canonical(event.seq, event.at, event.actor_id, event.action, event.entity_type,
                                    event.entity_id, event.detail, event.prev_hash)).hexdigest()


def email_digest(secret: str, email: str) -> str:
    """A keyed hash of an email address: the trail can match an address it is given, never reveal one."""
    normalised = (email or "").strip().lower()
    return hmac.new(secret.encode(), f"audit-email:{normalised}".encode(), hashlib.sha256).hexdigest()


def record(session: Session, actor_id: int | None, action: str, entity_type: str,
           entity_id: int | None = None, **detail) -> AuditEvent:
    """Append an audit event to the chain (flushed by the caller's service)."""
    # The chain head stays locked (FOR UPDATE on PostgreSQL; SQLite writers already run one at a time) until
    # the caller's transaction ends, so two hosts appending at once take turns instead of forking the chain.
    # Round-trip through JSON so the hash covers exactly what the database will hand back.
    stored = json.loads(json.dumps(detail, default=str)) if detail else None
    with session.no_autoflush:
        seq, prev_hash = _lock_head(session)
        event = AuditEvent(seq=seq + 1, at=utcnow(), actor_id=actor_id, action=action, entity_type=entity_type,
                           entity_id=entity_id, detail=stored, prev_hash=prev_hash)
        event.hash = event_hash(event)
        session.execute(update(HEAD).where(HEAD.c.id == 1).values(seq=event.seq, hash=event.hash))
    session.add(event)
    return event


def _lock_head(session: Session) -> tuple[int, str]:
    locked = select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1).with_for_update()
    row = session.execute(locked).first()
    if row is None:  # a database created before the migration filled the head: start it, once
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(HEAD).values(id=1, seq=0, hash=GENESIS_HASH).on_conflict_do_nothing())
        row = session.execute(locked).one()
    return row.seq, row.hash


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of walking the chain: how many events, and the first problem found (None when intact)."""

    events: int
    problem: str | None
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(session: Session) -> ChainCheck:
    """Walk the chain in seq order and name the first edited, inserted or deleted event."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000))
    for event in rows:
        count += 1
        where = f"event id {event.id} (seq {event.seq}, {event.action})"
        if event.seq != expected_seq:
            gap = f"seq {expected_seq} to {event.seq - 1}" if event.seq > expected_seq + 1 else f"seq {expected_seq}"
            return ChainCheck(count, f"{where}: the events with {gap} are missing (deleted).", event.id)
        if event.prev_hash != prev_hash:
            return ChainCheck(count, f"{where}: its prev_hash does not match the event before it (a row was "
                                     "inserted, or the one before was replaced).", event.id)
        if event_hash(event) != event.hash:
            return ChainCheck(count, f"{where}: its content does not match its hash (the row was edited).", event.id)
        expected_seq, prev_hash = event.seq + 1, event.hash
    head = session.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1)).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        return ChainCheck(count, f"the chain head names seq {head_seq} but the last event is seq {expected_seq - 1}: "
                                 "events at the end were deleted, or the last ones were inserted.", None)
    return ChainCheck(count, None)
