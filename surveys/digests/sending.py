"""Sending due digests from `tandem tick`: each digest once per period and subscriber, however many hosts tick.

A digest of a period is due from TANDEM_DIGEST_HOUR (UTC) on the first day after the period ends, for every
subscriber of that period; only the latest complete period is sent (a host that was down for a week does not
send last week's daily digests). Each send is claimed through a Reminder row (kind "digest", key
"<period>:<period start>:<person id>", UNIQUE(kind, key)) exactly as action nudges are
(surveys/actions/nudges.py): insert the claim and commit, compose and send, then set sent_at; a failed send
deletes the claim so the next tick retries; a claim left unsent for CLAIM_TIMEOUT is taken over.

`send_due` is a worker, not a service: it commits (a claim must be visible to other hosts before its mail
goes out, and no transaction stays open while the SMTP server talks).
"""
from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass, field, replace

from sqlalchemy import and_, delete, select, update
from sqlalchemy.orm import Session

from surveys.actions.nudges import CLAIM_TIMEOUT
from surveys.digests import mail as digest_mail
from surveys.digests import periods
from surveys.digests.compose import compose
from surveys.fieldwork import mailer
from surveys.fieldwork.invitations import insert_ignoring_duplicates
from surveys.insights.reports.params import ReportSettings
from surveys.models import Person, Reminder, utcnow
from surveys.models.digests import DIGEST_PERIODS, DigestSubscription
from surveys.models.org import STAFF_ROLES
from surveys.org import branding

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


@dataclass
class Outcome:
    """What one run did: digests sent, digests given back for the next tick, and why."""

    sent: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)


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


def send_due(session: Session, now: dt.datetime, hour: int, settings: ReportSettings,
             mail: digest_mail.MailSettings) -> Outcome:
    """Claim, compose and send every due digest, one at a time (so several hosts share the work)."""
    outcome = Outcome()
    due = due_digests(session, now, hour)
    brand, logo = (branding.get_branding(session), branding.get_logo(session)) if due else (None, None)
    session.commit()  # ends the read: on SQLite every transaction holds the write lock
    smtp: smtplib.SMTP | None = None
    try:
        for item in due:
            won = claim(session, item)
            session.commit()  # the claim is visible to other hosts before anything is sent
            if won is None:
                continue
            if smtp is None:
                try:
                    smtp = mailer.connect(mail.host, mail.port)
                except OSError as exc:
                    _give_back(session, won, outcome, f"cannot reach SMTP server {mail.host}:{mail.port}: {exc}")
                    break  # the rest are not claimed: the next tick finds them again
            if not _send_one(session, won, now, settings, mail, brand, logo, smtp, outcome):
                smtp = None
                break
    finally:
        if smtp is not None:
            mailer.close(smtp)
    return outcome


def _send_one(session, item: DueDigest, now, settings, mail, brand, logo, smtp, outcome: Outcome) -> bool:
    """Compose and send one claimed digest; False when the SMTP server became unusable."""
    try:
        person = session.get(Person, item.person_id)
        digest = compose(session, person, item.period.kind, item.period.start, settings=settings,
                         latest_complete=False)
        session.commit()  # the linkage cache entry, and the end of the read, before SMTP talks
        digest_mail.send(digest, item.email, mail, brand, logo, connection=smtp)
    except mailer.MESSAGE_ERRORS as exc:
        _give_back(session, item, outcome, f"digest to {item.email} refused: {exc}")
    except OSError as exc:
        _give_back(session, item, outcome, f"SMTP server {mail.host}:{mail.port} failed: {exc}")
        mailer.close(smtp)
        return False
    except Exception as exc:  # noqa: BLE001 - a bad address or template must not strand the claim
        session.rollback()
        _give_back(session, item, outcome, f"digest to {item.email} could not be built: {exc!r}")
    else:
        mark_sent(session, item)
        session.commit()
        outcome.sent += 1
    return True


def _give_back(session: Session, item: DueDigest, outcome: Outcome, reason: str) -> None:
    release(session, item)
    session.commit()
    outcome.failed += 1
    outcome.problems.append(f"digest {item.key} not sent, will retry on the next tick: {reason}")
