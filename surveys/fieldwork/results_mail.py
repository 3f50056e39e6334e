"""The "What you told us" mail: after an employee wave closes, every invitee gets one link to the results.

Claimed like reminders: a conditional UPDATE stamps `results_sent_at` and its rowcount says whether
this process won, so several `tandem tick` hosts never send one twice; `invitations.release` clears the
stamp when the mail could not be sent. Whether the invitee answered plays no part in the choice (no
receipt is read here), so the mail says nothing about who responded. Only waves closed within
`RECENT_DAYS` are mailed: switching the feature on, or a tick that stopped for weeks, must not mail
people about rounds long past.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from surveys.fieldwork.results_links import make_token
from surveys.models import Invitation, Person, Program, Survey, Wave
from surveys.org import branding

RECENT_DAYS = 7


@dataclass(frozen=True)
class ResultsJob:
    """One claimed results mail: the invitee and the link of their storage team (never stored)."""

    invitation_id: int
    email: str
    name: str
    program_title: str
    wave_label: str
    min_group_size: int
    token: str
    claimed_at: dt.datetime
    brand: branding.Branding = branding.DEFAULT_BRANDING
    logo: branding.Logo | None = None
    kind: str = "results"


def _due(now: dt.datetime):
    public_title = func.coalesce(func.nullif(func.trim(Program.public_title), ""), Survey.title)
    return (select(Invitation.id, Person.email, Person.name, public_title, Wave.id, Wave.label,
                   Wave.min_group_size, Invitation.unit_team_id)
            .join(Person, Person.id == Invitation.person_id)
            .join(Wave, Wave.id == Invitation.wave_id)
            .join(Program, Program.id == Wave.program_id)
            .join(Survey, Survey.id == Wave.survey_id)
            .where(Wave.status == "closed", Wave.historical.is_(False), Program.audience == "employee",
                   Program.share_results.is_(True), Wave.closes_at <= now,
                   Wave.closes_at > now - dt.timedelta(days=RECENT_DAYS),
                   Invitation.results_sent_at.is_(None), Invitation.unit_team_id.is_not(None),
                   Person.active.is_(True))
            .order_by(Invitation.id))


def claim_results(session: Session, now: dt.datetime, limit: int = 100, exclude: set[int] = frozenset(), *,
                  key: bytes) -> list[ResultsJob]:
    """Claim up to `limit` invitees of recently closed waves of sharing programs not yet mailed; flushes."""
    query = _due(now)
    if exclude:
        query = query.where(Invitation.id.not_in(exclude))
    jobs = []
    brand, logo = branding.get_branding(session), branding.get_logo(session)
    for inv_id, email, name, title, wave_id, label, k, team_id in session.execute(query.limit(limit)).all():
        claimed = session.execute(
            update(Invitation).where(Invitation.id == inv_id, Invitation.results_sent_at.is_(None))
            .values(results_sent_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount == 1:  # 0: another process claimed it first
            jobs.append(ResultsJob(inv_id, email, name, title, label, k, make_token(key, wave_id, team_id), now,
                                   brand, logo))
    session.flush()
    return jobs


def release_results(session: Session, job: ResultsJob) -> bool:
    """Undo a results claim whose mail could not be sent, so a later tick retries it."""
    undone = session.execute(
        update(Invitation).where(Invitation.id == job.invitation_id, Invitation.results_sent_at == job.claimed_at)
        .values(results_sent_at=None).execution_options(synchronize_session=False))
    session.flush()
    return undone.rowcount == 1
