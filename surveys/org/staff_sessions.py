"""Server-side staff sessions: start, resolve with idle and absolute time-outs, touch, end and prune.

The browser's cookie carries a random 256-bit id; the table keeps only its SHA-256, so a copy of the
database cannot be replayed as cookies. Ending a session is deleting its row.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from surveys.models import STAFF_ROLES, Person, StaffSession, utcnow

# last_seen_at is written at most this often per session, so reading pages does not mean writing.
TOUCH_INTERVAL = dt.timedelta(seconds=60)
USER_AGENT_MAX = 120
_CHUNK = 1000  # ids per IN (...) list, well under either database's bound-parameter limit


@dataclass(frozen=True)
class SessionLimits:
    """Idle and absolute time-outs of a staff session."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    max_age: dt.timedelta = dt.timedelta(hours=12)

    @classmethod
    def from_config(cls, config) -> SessionLimits:
        """Limits from the app's SESSION_IDLE_MINUTES and SESSION_MAX_HOURS settings."""
        return cls(dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                   dt.timedelta(hours=config["SESSION_MAX_HOURS"]))


@dataclass(frozen=True)
class ActiveSession:
    """A live session as the web layer needs it: who, and whether last_seen_at is due a write."""

    id_hash: str
    person: Person
    last_seen_at: dt.datetime

    def needs_touch(self, now: dt.datetime) -> bool:
        """True when last_seen_at is older than the touch interval."""
        return now - self.last_seen_at >= TOUCH_INTERVAL


def hash_id(session_id: str) -> str:
    """SHA-256 (hex) of a session id: what the table stores."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(session: Session, person: Person, user_agent: str | None = None,
          now: dt.datetime | None = None) -> str:
    """Create a session for `person` and return its id (for the cookie only; never stored)."""
    now = now or utcnow()
    session_id = secrets.token_urlsafe(32)  # 256 random bits
    agent = (user_agent or "").strip()[:USER_AGENT_MAX] or None
    session.add(StaffSession(id_hash=hash_id(session_id), person_id=person.id, role=person.role,
                             created_at=now, last_seen_at=now, user_agent=agent))
    session.flush()
    return session_id


def _alive(limits: SessionLimits, now: dt.datetime):
    return (StaffSession.last_seen_at > now - limits.idle, StaffSession.created_at > now - limits.max_age)


def resolve(session: Session, session_id: str, limits: SessionLimits,
            now: dt.datetime | None = None) -> ActiveSession | None:
    """The live session with this id, or None when unknown, timed out, or its person changed.

    Only reads, so it works in a read-only (GET) session. A person who is inactive, no longer staff,
    or has another role than at sign-in is refused here, whichever code path changed them.
    """
    now = now or utcnow()
    if not session_id or len(session_id) > 100:
        return None
    row = session.execute(
        select(StaffSession.id_hash, StaffSession.last_seen_at, Person)
        .join(Person, Person.id == StaffSession.person_id)
        .where(StaffSession.id_hash == hash_id(session_id), *_alive(limits, now),
               Person.active.is_(True), Person.role == StaffSession.role, Person.role.in_(STAFF_ROLES))
    ).first()
    return ActiveSession(row.id_hash, row.Person, row.last_seen_at) if row else None


def touch(session: Session, id_hash: str, now: dt.datetime | None = None) -> None:
    """Record activity on a session (a no-op if another request already did within the interval)."""
    now = now or utcnow()
    session.execute(update(StaffSession)
                    .where(StaffSession.id_hash == id_hash, StaffSession.last_seen_at <= now - TOUCH_INTERVAL)
                    .values(last_seen_at=now))


def end(session: Session, session_id: str) -> None:
    """End one session (sign-out)."""
    session.execute(delete(StaffSession).where(StaffSession.id_hash == hash_id(session_id)))


def end_all(session: Session, person_id: int) -> int:
    """End every session of a person (password or role change, deactivation); returns how many."""
    return session.execute(delete(StaffSession).where(StaffSession.person_id == person_id)).rowcount


def end_all_of(session: Session, person_ids) -> dict[int, int]:
    """End every session of several people at once (an import's role changes and deactivations).

    Returns {person_id: sessions ended} for those who had any, so each end can be audited.
    """
    ids = sorted(set(person_ids))
    ended: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        ended.update(session.execute(select(StaffSession.person_id, func.count()).where(
            StaffSession.person_id.in_(chunk)).group_by(StaffSession.person_id)).all())
        if ended:
            session.execute(delete(StaffSession).where(StaffSession.person_id.in_(chunk))
                            .execution_options(synchronize_session=False))
    return ended


def prune(session: Session, limits: SessionLimits, now: dt.datetime | None = None) -> int:
    """Delete timed-out sessions and those whose person was deactivated or changed role."""
    now = now or utcnow()
    idle, too_old = StaffSession.last_seen_at <= now - limits.idle, StaffSession.created_at <= now - limits.max_age
    stale_person = select(Person.id).where(Person.id == StaffSession.person_id, Person.active.is_(True),
                                           Person.role == StaffSession.role).exists()
    result = session.execute(delete(StaffSession).where(or_(idle, too_old, ~stale_person))
                             .execution_options(synchronize_session=False))
    return result.rowcount
