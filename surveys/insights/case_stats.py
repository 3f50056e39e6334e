"""Close-the-loop figures per team: cases opened and closed, the share closed in time, the median time to close."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from surveys.models import OPEN_CASE_STATUSES, FollowUpCase, Team

if TYPE_CHECKING:  # numpy and scipy load when figures are computed, not when the app starts
    from analysis.follow_up import CaseStatsResult


@dataclass(frozen=True)
class TeamCaseStats:
    """One team's follow-up figures (see analysis.follow_up.CaseStatsResult)."""

    team_id: int
    team: str
    stats: CaseStatsResult


def case_stats(session: Session, team_ids: Collection[int] | None = None, since: dt.datetime | None = None,
               confidence: float = 0.95, now: dt.datetime | None = None) -> list[TeamCaseStats]:
    """Per owning team with at least one case opened since `since` (None: ever), busiest first; cases open
    and past due at `now` (None: ignored) count as not closed in time.

    Counted in SQL per team; the closed cases' hours to close (few: one per consenting unhappy customer) are
    read to take their median in `analysis`.
    """
    c = FollowUpCase
    where = []
    if team_ids is not None:
        where.append(c.team_id.in_(sorted(team_ids)))
    if since is not None:
        where.append(c.opened_at >= since)
    opened = dict(session.execute(select(c.team_id, func.count()).where(*where).group_by(c.team_id)).all())
    if not opened:
        return []
    closed: dict[int, tuple[list[float], list[bool]]] = {}
    for team_id, opened_at, closed_at, in_time in session.execute(
            select(c.team_id, c.opened_at, c.closed_at, case((c.closed_at <= c.due_at, 1), else_=0))
            .where(*where, c.status == "closed", c.closed_at.is_not(None))):
        hours, flags = closed.setdefault(team_id, ([], []))
        hours.append((closed_at - opened_at).total_seconds() / 3600.0)
        flags.append(bool(in_time))
    overdue: dict[int, int] = {}
    if now is not None:
        overdue = dict(session.execute(select(c.team_id, func.count()).where(
            *where, c.status.in_(OPEN_CASE_STATUSES), c.due_at < now).group_by(c.team_id)).all())
    names = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(list(opened)))).all())
    from analysis.follow_up import case_stats as compute

    out = [TeamCaseStats(tid, names.get(tid, f"team {tid}"),
                         compute(n, *closed.get(tid, ([], [])), confidence, overdue.get(tid, 0)))
           for tid, n in opened.items()]
    return sorted(out, key=lambda s: (-s.stats.opened, s.team))


def overall(rows: list[TeamCaseStats], confidence: float = 0.95) -> CaseStatsResult | None:
    """The listed teams' counts together, with the pooled share's interval (None when there are none)."""
    from analysis.follow_up import pooled_share

    return pooled_share([r.stats for r in rows], confidence) if rows else None
