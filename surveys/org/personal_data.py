"""Personal data rights: everything stored about a person, and erasing it while keeping anonymous answers."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import column, delete, func, inspect, select, table, update
from sqlalchemy.orm import Session

from surveys import audit, rollups
from surveys.errors import Conflict, NotFound
from surveys.models import AuditEvent, Invitation, Person, Program, SubmissionReceipt, Team, Wave
from surveys.org.accounts import normalise_email

ROLE_ACTIONS = ("user.create", "person.role", "person.erase")
ERASED_NAME = "Erased person"


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: the kept row's id, its tombstone address, and how many links were deleted."""

    person_id: int
    tombstone: str
    invitations: int
    sessions: int


def _when(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def find_person(session: Session, email: str) -> Person:
    """The person with this email address, or NotFound."""
    person = session.scalar(select(Person).where(Person.email == normalise_email(email)))
    if person is None:
        raise NotFound(f"There is no person with email {email.strip().lower()}.")
    return person


def export_person(session: Session, email: str, secret: str | None = None) -> dict:
    """Everything stored about a person, as JSON-ready data (never a password hash; responses carry no person)."""
    person = find_person(session, email)
    team = person.team
    return {
        "person": {"id": person.id, "email": person.email, "name": person.name, "role": person.role,
                   "active": person.active, "password_set": person.password_hash is not None,
                   "team": {"code": team.code, "name": team.name} if team else None,
                   "leads_teams": list(session.scalars(select(Team.code).where(Team.lead_id == person.id)
                                                       .order_by(Team.code)))},
        "role_history": [_event(e) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "person", AuditEvent.entity_id == person.id,
                                     AuditEvent.action.in_(ROLE_ACTIONS)).order_by(AuditEvent.seq))],
        "invitations": _invitations(session, person.id),
        "sessions": _sessions(session, person.id),
        "failed_sign_ins": _failed_sign_ins(session, person.email, secret) if secret else None,
        "audit_events_caused": [_event(e) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.actor_id == person.id).order_by(AuditEvent.seq))],
        "responses": "Not linked to anyone: answers are stored without a person, so none can be listed.",
    }


def _event(event: AuditEvent) -> dict:
    return {"seq": event.seq, "at": _when(event.at), "action": event.action, "entity_type": event.entity_type,
            "entity_id": event.entity_id, "actor_id": event.actor_id, "detail": event.detail}


def _invitations(session: Session, person_id: int) -> list[dict]:
    rows = session.execute(
        select(Invitation, Wave.label, Program.code, SubmissionReceipt.invitation_id.is_not(None))
        .join(Wave, Wave.id == Invitation.wave_id).join(Program, Program.id == Wave.program_id)
        .outerjoin(SubmissionReceipt, SubmissionReceipt.invitation_id == Invitation.id)
        .where(Invitation.person_id == person_id).order_by(Invitation.created_at, Invitation.id))
    return [{"program": code, "wave": label, "created_at": _when(inv.created_at), "sent_at": _when(inv.sent_at),
             "reminded_at": _when(inv.reminded_at), "used": bool(used), "answers_in_progress": inv.draft is not None}
            for inv, label, code, used in rows]


def _session_table(session: Session):
    """The staff_sessions table when it exists and has a person_id column, else None."""
    inspector = inspect(session.connection())
    if not inspector.has_table("staff_sessions"):
        return None
    names = [c["name"] for c in inspector.get_columns("staff_sessions")]
    return table("staff_sessions", *[column(n) for n in names]) if "person_id" in names else None


def _sessions(session: Session, person_id: int) -> list[dict] | None:
    sessions = _session_table(session)
    if sessions is None:
        return None  # this version keeps no server-side sessions
    secret_columns = {"token", "token_hash", "secret", "id_hash"}
    rows = session.execute(select(sessions).where(sessions.c.person_id == person_id)).mappings()
    return [{k: (_when(v) if isinstance(v, dt.datetime) else v) for k, v in row.items() if k not in secret_columns}
            for row in rows]


def _failed_sign_ins(session: Session, email: str, secret: str) -> int:
    digest = audit.email_digest(secret, email)
    details = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "auth.login_failed"))
    return sum(1 for d in details if (d or {}).get("email_hmac") == digest)


def erase_person(session: Session, email: str, secret: str, actor_id: int | None = None) -> Erasure:
    """Erase a person's invitations and identity, keeping a tombstone row (audit events point at it) and answers."""
    person = find_person(session, email)
    if person.role == "hr_admin" and person.active:
        others = session.scalar(select(func.count(Person.id)).where(
            Person.role == "hr_admin", Person.active.is_(True), Person.id != person.id))
        if not others:
            raise Conflict(f"{person.email} is the last active HR admin; make someone else an HR admin "
                           "(tandem user create --role hr_admin) before erasing them.")
    digest = audit.email_digest(secret, person.email)
    # Lock the person's waves as a queue release does (FOR UPDATE there, FOR SHARE here), so no batch
    # releases one of their receipts between uncounting the invitations and deleting them.
    session.execute(select(Wave.id).where(Wave.id.in_(select(Invitation.wave_id).where(
        Invitation.person_id == person.id))).with_for_update(read=True)).all()
    mine = list(session.scalars(select(Invitation.id).where(Invitation.person_id == person.id)))
    rollups.participation.remove_invitations(session, mine)
    invitations = session.execute(delete(Invitation).where(Invitation.person_id == person.id)
                                  .execution_options(synchronize_session=False)).rowcount
    sessions = _session_table(session)
    ended = 0
    if sessions is not None:
        ended = session.execute(delete(sessions).where(sessions.c.person_id == person.id)).rowcount
    session.execute(update(Team).where(Team.lead_id == person.id).values(lead_id=None)
                    .execution_options(synchronize_session=False))
    tombstone = f"erased-{secrets.token_hex(8)}@invalid"
    person.email, person.name, person.password_hash = tombstone, ERASED_NAME, None
    person.active, person.team_id, person.role = False, None, "employee"
    audit.record(session, actor_id, "person.erase", "person", person.id, email_hmac=digest,
                 invitations=invitations, sessions=ended)
    session.flush()
    session.expire_all()  # bulk deletes and updates bypassed the identity map
    return Erasure(person.id, tombstone, invitations, ended)
