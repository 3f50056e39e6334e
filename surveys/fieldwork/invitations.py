"""Invitations: creating them when a wave opens, issuing tokens when mail goes out, choosing who to remind.

Only the SHA-256 of a token is stored, so the plain token exists only while its mail is being built.
A new invitation gets a placeholder hash nobody holds; claiming it for the invitation mail issues the
real token, and a reminder issues a fresh one that replaces it (progress lives on the invitation, so
nothing is lost). Every claim is a conditional UPDATE whose rowcount says whether this process won, so
several `tandem tick` processes can run at once without sending a mail twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, null, select, update
from sqlalchemy.orm import Session

from surveys.fieldwork import results_mail, units
from surveys.models import Invitation, Person, Program, SubmissionReceipt, Survey, Wave, WaveTeam
from surveys.org import branding
from surveys.org.hierarchy import team_scope
from surveys.rollups import participation
from surveys.tokens import new_token

INSERT_CHUNK = 500


@dataclass(frozen=True)
class MailJob:
    """One claimed mail: everything needed to build it, including the plain token (never stored)."""

    kind: str  # "invitation" or "reminder"
    invitation_id: int
    email: str
    name: str
    survey_title: str
    program_title: str  # the program's public title, or the survey title: never its internal name
    closes_at: dt.datetime
    min_group_size: int
    token: str
    token_hash: str
    previous_hash: str
    brand: branding.Branding = branding.DEFAULT_BRANDING
    logo: branding.Logo | None = None


def insert_ignoring_duplicates(session: Session, table):
    """An INSERT that silently skips rows breaking a unique constraint (SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - config only allows these two
        raise RuntimeError(f"Unsupported database dialect {dialect!r}")
    return insert(table).on_conflict_do_nothing()


def submitted() -> ColumnElement[bool]:
    """SQL condition: the invitation has been used to submit answers, i.e. its receipt exists."""
    return exists().where(SubmissionReceipt.invitation_id == Invitation.id)


def invitee_ids(session: Session, program: Program) -> list[int]:
    """Ids of the active people a program's wave invites: its teams and their descendants, or everyone.

    Any role is invited (a product decision: team leads and other staff are employees too).
    """
    query = select(Person.id).where(Person.active.is_(True), Person.team_id.is_not(None))
    if program.teams:
        scope: set[int] = set()
        for team in program.teams:
            scope.update(team_scope(session, team.id))
        query = query.where(Person.team_id.in_(scope))
    return list(session.scalars(query.order_by(Person.id)))


def count_new_for_wave(session: Session, wave: Wave) -> int:
    """How many invitations `create_for_wave` would add now (and so mail), without adding any."""
    if wave.program.audience != "employee":
        return 0
    invited = set(session.scalars(select(Invitation.person_id).where(Invitation.wave_id == wave.id)))
    return sum(1 for pid in invitee_ids(session, wave.program) if pid not in invited)


def create_for_wave(session: Session, wave: Wave,
                    membership_days: int = units.DEFAULT_MEMBERSHIP_DAYS) -> int:
    """Invite everyone in the program's scope who is not invited yet, freezing each invitation's storage
    unit and each team's membership (surveys/fieldwork/units.py), counted in the participation rollup;
    returns how many were added."""
    if wave.program.audience != "employee":
        return 0  # customers answer through touchpoint links, not personal invitations
    ids = invitee_ids(session, wave.program)
    unit_of, memberships, counted = units.plan_units(session, ids, wave.opens_at, wave.min_group_size,
                                                     membership_days)
    # RETURNING gives back only the rows inserted (not those skipped as already invited): what to count.
    stmt = insert_ignoring_duplicates(session, Invitation.__table__).returning(Invitation.unit_team_id)
    added = 0
    for start in range(0, len(ids), INSERT_CHUNK):
        # The placeholder hash belongs to a token nobody keeps: the link only exists once mailed.
        rows = [{"wave_id": wave.id, "person_id": pid, "token_hash": new_token()[1], "created_at": wave.opens_at,
                 "unit_team_id": unit_of[pid], "counted": pid in counted}
                for pid in ids[start:start + INSERT_CHUNK]]
        units_added = session.execute(stmt, rows).scalars().all() if rows else []
        participation.add_invited(session, ((wave.id, u) for u in units_added))
        added += len(units_added)
    teams = insert_ignoring_duplicates(session, WaveTeam.__table__)
    for start in range(0, len(memberships), INSERT_CHUNK):
        session.execute(teams, [{"wave_id": wave.id, "team_id": m.team_id, "unit_team_id": m.unit_team_id,
                                 "eligible": m.eligible, "joined": m.joined}
                                for m in memberships[start:start + INSERT_CHUNK]])
    session.flush()
    return added


def _job_query(now: dt.datetime):
    public_title = func.coalesce(func.nullif(func.trim(Program.public_title), ""), Survey.title)
    return (select(Invitation.id, Invitation.token_hash, Person.email, Person.name, Survey.title, public_title,
                   Wave.closes_at, Wave.min_group_size)
            .join(Person, Person.id == Invitation.person_id)
            .join(Wave, Wave.id == Invitation.wave_id)
            .join(Program, Program.id == Wave.program_id)
            .join(Survey, Survey.id == Wave.survey_id)
            .where(Wave.status == "open", Wave.closes_at > now, Person.active.is_(True))
            .order_by(Invitation.id))


def claim_invitations(session: Session, now: dt.datetime, limit: int = 100,
                      exclude: set[int] = frozenset()) -> list[MailJob]:
    """Claim up to `limit` unsent invitations of open waves, issuing each its token; flushes."""
    query = _job_query(now).where(Invitation.sent_at.is_(None))
    if exclude:
        query = query.where(Invitation.id.not_in(exclude))
    jobs = []
    brand, logo = branding.get_branding(session), branding.get_logo(session)
    for row in session.execute(query.limit(limit)).all():
        token, token_hash = new_token()
        claimed = session.execute(
            update(Invitation).where(Invitation.id == row[0], Invitation.sent_at.is_(None))
            .values(sent_at=now, token_hash=token_hash).execution_options(synchronize_session=False))
        if claimed.rowcount == 1:  # 0: another process claimed it first
            jobs.append(MailJob("invitation", row[0], row[2], row[3], row[4], row[5], row[6], row[7],
                                token, token_hash, row[1], brand, logo))
    session.flush()
    return jobs


def claim_reminders(session: Session, now: dt.datetime, limit: int = 100,
                    exclude: set[int] = frozenset()) -> list[MailJob]:
    """Claim non-responders mailed at least `reminder_days` ago and not reminded yet; flushes.

    A program with reminder_days = 0 sends no reminders.
    """
    programs = session.execute(
        select(Program.id, Program.reminder_days).where(Program.reminder_days > 0)
        .where(exists().where(Wave.program_id == Program.id, Wave.status == "open")).order_by(Program.id)).all()
    jobs: list[MailJob] = []
    brand, logo = branding.get_branding(session), branding.get_logo(session)
    for program_id, reminder_days in programs:
        # The cut-off is computed per program in Python: interval arithmetic differs between dialects.
        cutoff = now - dt.timedelta(days=reminder_days)
        query = (_job_query(now)
                 .where(Program.id == program_id, Invitation.sent_at <= cutoff,
                        Invitation.reminded_at.is_(None), ~submitted())
                 .limit(limit - len(jobs)))
        if exclude:
            query = query.where(Invitation.id.not_in(exclude))
        for row in session.execute(query).all():
            token, token_hash = new_token()
            claimed = session.execute(
                update(Invitation).where(Invitation.id == row[0], Invitation.reminded_at.is_(None),
                                         Invitation.token_hash == row[1], ~submitted())
                .values(reminded_at=now, token_hash=token_hash).execution_options(synchronize_session=False))
            if claimed.rowcount == 1:  # 0: another process reminded them, or they just submitted
                jobs.append(MailJob("reminder", row[0], row[2], row[3], row[4], row[5], row[6], row[7],
                                    token, token_hash, row[1], brand, logo))
        if len(jobs) >= limit:
            break
    session.flush()
    return jobs


def release(session: Session, job: MailJob | results_mail.ResultsJob) -> bool:
    """Undo a claim whose mail could not be sent, restoring the previous link, so a later tick retries."""
    if job.kind == "results":
        return results_mail.release_results(session, job)
    stamp = {"sent_at": None} if job.kind == "invitation" else {"reminded_at": None}
    undone = session.execute(
        update(Invitation).where(Invitation.id == job.invitation_id, Invitation.token_hash == job.token_hash)
        .values(token_hash=job.previous_hash, **stamp).execution_options(synchronize_session=False))
    session.flush()
    return undone.rowcount == 1


def erase_drafts(session: Session, wave_id: int) -> int:
    """Erase answers in progress that were never submitted (a closed wave keeps no half answers)."""
    result = session.execute(
        update(Invitation).where(Invitation.wave_id == wave_id, Invitation.draft.is_not(None))
        .values(draft=null(), draft_key_id=null()).execution_options(synchronize_session=False))
    return result.rowcount


def forget_reminders(session: Session, wave_id: int) -> int:
    """Clear every reminder time of a closed wave; returns how many were cleared.

    Kept after the close, "used but never reminded" would date a response to before the reminder day.
    """
    result = session.execute(
        update(Invitation).where(Invitation.wave_id == wave_id, Invitation.reminded_at.is_not(None))
        .values(reminded_at=null()).execution_options(synchronize_session=False))
    return result.rowcount
