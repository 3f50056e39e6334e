"""A report cache in the database (no process memory): rendered pages keyed by what they depend on.

`key` names the page: report, parameters, the reader's scope and the settings. `data_version` names the
data: it changes whenever a rollup gains or loses a response, participation moves, teams or waves
change, goals change, and at least every TTL (a safety net for edits no count reflects, such as a renamed
question). A stored body is served only while both match, so a cached page is never older than the
data it summarises by more than the TTL, and never older at all for answers. Comments and verbatims
are never cached (retention must be able to erase them).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from surveys.models import Goal, ReportCache, RollupResponses, Team, Wave, utcnow
from surveys.models.rollups import RollupParticipation

TTL_SECONDS = 600


def key(*parts: Any) -> str:
    """A stable key for a page from JSON-able parts (report name, parameters, scope, settings)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def data_version(session: Session, now: dt.datetime | None = None) -> str:
    """A fingerprint of the data every report reads, from a few aggregate queries over small tables."""
    now = now or utcnow()
    responses = session.scalar(select(func.coalesce(func.sum(RollupResponses.n), 0)))
    rows = session.scalar(select(func.count()).select_from(RollupResponses))
    invited = session.execute(select(func.coalesce(func.sum(RollupParticipation.invited), 0),
                                     func.coalesce(func.sum(RollupParticipation.responded), 0))).one()
    teams = session.execute(select(func.count(), func.coalesce(func.sum(Team.parent_id), 0),
                                   func.coalesce(func.sum(func.length(Team.name) * Team.id), 0),
                                   func.coalesce(func.sum(func.length(Team.code) * Team.id), 0))).one()
    waves = session.execute(select(func.count(), func.coalesce(func.sum(func.length(Wave.status) * Wave.id), 0),
                                   func.max(Wave.closes_at), func.max(Wave.opens_at))).one()
    # Goals are few and edited by hand (the dashboard shows them): their rows themselves, not a sum.
    goals = session.execute(select(Goal.id, Goal.metric, Goal.team_id, Goal.target, Goal.due_on, Goal.archived)
                            .order_by(Goal.id)).all()
    window = int(now.timestamp()) // TTL_SECONDS
    return key(responses, rows, tuple(invited), tuple(teams), tuple(waves), [tuple(g) for g in goals], now.date(),
               window)


def get(session: Session, page_key: str, version: str) -> str | None:
    """The stored body for this page and data version, if any."""
    return session.scalar(select(ReportCache.body).where(ReportCache.key == page_key,
                                                         ReportCache.version == version))


def put(session: Session, page_key: str, version: str, body: str) -> None:
    """Store a page's body for this data version, dropping every body of older versions (caller commits)."""
    session.execute(delete(ReportCache).where((ReportCache.key == page_key) | (ReportCache.version != version)))
    session.add(ReportCache(key=page_key, version=version, created_at=utcnow(), body=body))
