"""Which digests are due, and their claims: a Reminder row per digest (kind "digest", key
"<period>:<period start>:<person id>", UNIQUE(kind, key)), inserted and committed before the mail goes out,
exactly as action nudges are claimed (surveys/actions/nudges.py). Light on imports: `tandem tick` asks here
every minute, and loads the statistics stack only when a digest is actually waiting.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import and_, delete, select, update
from sqlalchemy.orm import Session

from surveys.actions.nudges import CLAIM_TIMEOUT
from surveys.digests import periods
from surveys.fieldwork.invitations import insert_ignoring_duplicates
from surveys.models import Person, Reminder, utcnow
from surveys.models.digests import DIGEST_PERIODS, DigestSubscription
from surveys.models.org import STAFF_ROLES

KIND = "digest"


@dataclass(frozen=True)
class DueDigest:
    """One digest to send: the period, the subscriber, and the reminder key that claims it."""

    period: periods.Period
    person_id: int
    email: str
    claimed_at: dt.datetime | None = None

    @property
    def key(self) -> str:
        """'<period>:<period start>:<person id>', e.g. 'weekly:2026-11-23:12'."""
        return f"{self.period.kind}:{self.period.start.isoformat()}:{self.person_id}"


def subscribers(session: Session, kind: str) -> list[Person]:
    """Active staff members subscribed to digests of `kind`, by id."""
    return list(session.scalars(
        select(Person).join(DigestSubscription, DigestSubscription.person_id == Person.id)
        .where(DigestSubscription.period == kind, Person.active.is_(True), Person.role.in_(STAFF_ROLES))
        .order_by(Person.id)))


def due_digests(session: Session, now: dt.datetime, hour: int) -> list[DueDigest]:
    """Every digest due at `now` (the latest complete period of each kind, from `hour` the next day), sent
    already or not: claim() skips those."""
    out = []
    for kind in DIGEST_PERIODS:
        period = periods.last_complete(kind, now.date())
        if now < periods.due_at(period, hour):
            continue
        out += [DueDigest(period, p.id, p.email) for p in subscribers(session, kind)]
    return out


def claim(session: Session, item: DueDigest, wall: dt.datetime | None = None) -> DueDigest | None:
    """Claim one digest (this host's, stamped) or None when another host sent or is sending it. Flushes."""
    wall = wall or utcnow()
    held = session.execute(select(Reminder.id, Reminder.claimed_at, Reminder.sent_at)
                           .where(Reminder.kind == KIND, Reminder.key == item.key)).first()
    if held is None:
        stmt = insert_ignoring_duplicates(session, Reminder.__table__).returning(Reminder.id)
        won = session.execute(stmt, [{"kind": KIND, "key": item.key, "recipient_id": item.person_id,
                                      "claimed_at": wall}]).first()
        return replace(item, claimed_at=wall) if won else None
    rid, at, sent = held
    if sent is not None or at > wall - CLAIM_TIMEOUT:
        return None
    taken = session.execute(update(Reminder).where(Reminder.id == rid, Reminder.sent_at.is_(None),
                                                   Reminder.claimed_at == at)
                            .values(claimed_at=wall).execution_options(synchronize_session=False))
    return replace(item, claimed_at=wall) if taken.rowcount == 1 else None


def _mine(item: DueDigest):
    return and_(Reminder.kind == KIND, Reminder.key == item.key, Reminder.sent_at.is_(None),
                Reminder.claimed_at == item.claimed_at)


def mark_sent(session: Session, item: DueDigest, wall: dt.datetime | None = None) -> None:
    """Record that the digest went out; flushes."""
    session.execute(update(Reminder).where(Reminder.kind == KIND, Reminder.key == item.key)
                    .values(sent_at=wall or utcnow()).execution_options(synchronize_session=False))


def release(session: Session, item: DueDigest) -> None:
    """Give a claimed digest back (not sent) so the next tick retries it; only this host's claim."""
    session.execute(delete(Reminder).where(_mine(item)).execution_options(synchronize_session=False))


def unsent(session: Session, due: list[DueDigest]) -> list[DueDigest]:
    """The due digests no host has sent yet (claimed ones included: a stale claim may be taken over)."""
    if not due:
        return []
    sent = set()
    for start in range(0, len(due), 200):
        keys = [d.key for d in due[start:start + 200]]
        sent |= set(session.scalars(select(Reminder.key).where(Reminder.kind == KIND, Reminder.key.in_(keys),
                                                               Reminder.sent_at.is_not(None))))
    return [d for d in due if d.key not in sent]
