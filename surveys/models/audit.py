"""Audit trail of who changed what: append-only and hash-chained (see surveys/audit.py)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from surveys.models.base import Base, utcnow

GENESIS_HASH = "0" * 64  # prev_hash of the first event, and the head's hash before any event


class AuditEvent(Base):
    """One event. Triggers in the database refuse UPDATE and DELETE on this table."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the chain: 1, 2, 3... with no gaps; a gap means a row was deleted.
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # Never answers, passwords or email addresses (a keyed hash of an address at most).
    detail: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # SHA-256 of the previous event's hash and this event's fields (surveys.audit.event_hash).
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The one row naming the chain's last event; appenders lock it so two hosts cannot fork the chain."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
