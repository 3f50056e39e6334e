"""Read-side summaries for the landing pages, aggregated in SQL."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from surveys.fieldwork import membership
from surveys.insights import participation
from surveys.models import Action, Person, Program, Team, Touchpoint, Wave


@dataclass(frozen=True)
class WaveParticipation:
    """Participation in one wave (see participation.wave_counts); counts are None when hidden."""

    program: str
    audience: str
    label: str
    status: str
    invited: int
    responses: int | None  # employee: invitations used; customer: answers through links
    imported: int | None   # imported from files: never part of a response rate
    threshold: int
    # Teams people joined within the membership period before the wave opened (frozen at the opening):
    # they did not count towards any group's size in this wave.
    joined: tuple[membership.RecentJoin, ...] = ()


def organisation_summary(session: Session) -> dict[str, int]:
    """Counts of the main things HR manages.

    No response total: it minus the per-wave counts shown on Reports would reveal a hidden wave's count.
    """
    count = lambda model: session.scalar(select(func.count()).select_from(model)) or 0  # noqa: E731
    return {
        "teams": count(Team),
        "people": count(Person),
        "touchpoints": count(Touchpoint),
        "programs": count(Program),
        "waves": count(Wave),
    }


def wave_participation(session: Session, min_group_size: int) -> list[WaveParticipation]:
    """Invitations used and responses per wave, newest first, with small counts hidden.

    `min_group_size` is the configured minimum; a wave's own frozen minimum applies when stricter.
    """
    waves = list(session.scalars(select(Wave).join(Wave.program).options(contains_eager(Wave.program))
                                 .order_by(Wave.opens_at.desc(), Program.name, Wave.id)))
    counts = participation.wave_counts(session, waves, min_group_size)
    joins = membership.recent_joins(session, [w.id for w in waves])
    out = []
    for wave in waves:
        c = counts[wave.id]
        out.append(WaveParticipation(wave.program.name, wave.program.audience, wave.label, wave.status,
                                     c.invited, c.responded, c.imported, c.threshold,
                                     tuple(joins.get(wave.id, ()))))
    return out


def teams_in_scope(session: Session, team_ids: list[int] | None) -> list[Team]:
    """Teams a user may see: all when `team_ids` is None."""
    query = select(Team).order_by(Team.code)
    if team_ids is not None:
        query = query.where(Team.id.in_(team_ids))
    return list(session.scalars(query))


def actions_in_scope(session: Session, team_ids: list[int] | None) -> list[Action]:
    """Improvement actions of the teams in scope, newest first."""
    query = select(Action).order_by(Action.created_at.desc())
    if team_ids is not None:
        query = query.where(Action.teams.any(Team.id.in_(team_ids)))
    return list(session.scalars(query))
