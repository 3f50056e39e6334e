"""Import history kept as audit events: refusing a file imported before, and listing recent imports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from surveys import audit
from surveys.models import AuditEvent, Person

# Imports that add responses: re-importing one of their files would count the same people twice.
RESPONSE_ACTIONS = ("import.feedback", "import.responses")


@dataclass(frozen=True)
class PastImport:
    """One earlier import as the upload page lists it."""

    at: dt.datetime
    kind: str
    actor: str
    filename: str | None
    rows: int | None
    summary: str


def lock_file(session: Session, sha256: str) -> None:
    """Serialise imports of the same file: on PostgreSQL a transaction advisory lock keyed by its hash.

    SQLite needs nothing: every write transaction there begins IMMEDIATE and so already runs alone.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int(sha256[:15], 16)  # 60 bits: fits PostgreSQL's signed bigint
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def find_previous(session: Session, digests: set[str]) -> AuditEvent | None:
    """The earlier response import whose file (or content) had one of these SHA-256 digests."""
    events = session.scalars(select(AuditEvent).where(AuditEvent.action.in_(RESPONSE_ACTIONS))
                             .order_by(AuditEvent.at))
    for event in events:
        detail = event.detail or {}
        if digests & {detail.get("sha256"), detail.get("content_sha256")}:
            return event
    return None


def describe_previous(session: Session, event: AuditEvent) -> str:
    """Why a file is refused, naming when and by whom it was imported before."""
    who = session.get(Person, event.actor_id) if event.actor_id else None
    by = f" by {who.email}" if who else " from the command line" if event.actor_id is None else ""
    rows = (event.detail or {}).get("rows")
    what = f" ({rows:,} rows)" if isinstance(rows, int) else ""
    return (f"This file was already imported on {event.at:%Y-%m-%d %H:%M} UTC{by}{what}; importing it "
            "again would count the same answers twice.")


def record_import(session: Session, actor_id: int | None, kind: str, entity_type: str,
                  entity_id: int | None, **detail) -> None:
    """Add the audit event that both documents an import and blocks re-importing its file."""
    audit.record(session, actor_id, f"import.{kind}", entity_type, entity_id, **detail)


def recent_imports(session: Session, limit: int = 10) -> list[PastImport]:
    """The latest imports, newest first, for the upload page."""
    rows = session.execute(
        select(AuditEvent, Person.email).outerjoin(Person, Person.id == AuditEvent.actor_id)
        .where(AuditEvent.action.like("import.%")).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    out = []
    for event, email in rows:
        detail = event.detail or {}
        out.append(PastImport(at=event.at, kind=event.action.removeprefix("import."),
                              actor=email or "command line", filename=detail.get("filename"),
                              rows=detail.get("rows"), summary=detail.get("summary", "")))
    return out
