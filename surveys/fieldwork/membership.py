"""Membership as frozen when a wave opened, read back: a respondent's unit, and recent joins by team.

Org changes themselves are audited by surveys.org.accounts.record_move.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.models import Invitation, Team, WaveTeam


@dataclass(frozen=True)
class Unit:
    """The group a response is stored with, and how many people counted towards its size at the opening."""

    team_id: int
    name: str
    eligible: int | None  # None for a wave opened before membership was frozen
    pooled: bool  # True when it is not the invitee's own team


@dataclass(frozen=True)
class RecentJoin:
    """People who joined a team (new account or moved in) within the membership period before a wave."""

    wave_id: int
    team: str
    joined: int


def unit_of(session: Session, invitation: Invitation) -> Unit | None:
    """The frozen storage unit of an employee invitation, or None (customer contacts, or not frozen)."""
    if invitation.unit_team_id is None:
        return None
    eligible = session.scalar(select(func.sum(WaveTeam.eligible))
                              .where(WaveTeam.wave_id == invitation.wave_id,
                                     WaveTeam.unit_team_id == invitation.unit_team_id))
    name = session.scalar(select(Team.name).where(Team.id == invitation.unit_team_id))
    own = invitation.person.team_id if invitation.person is not None else None
    return Unit(invitation.unit_team_id, name or "", None if eligible is None else int(eligible),
                invitation.unit_team_id != own)


def recent_joins(session: Session, wave_ids: Collection[int]) -> dict[int, list[RecentJoin]]:
    """Per wave, the teams where people joined within the membership period before it opened."""
    if not wave_ids:
        return {}
    rows = session.execute(select(WaveTeam.wave_id, Team.name, WaveTeam.joined)
                           .join(Team, Team.id == WaveTeam.team_id)
                           .where(WaveTeam.wave_id.in_(list(wave_ids)), WaveTeam.joined > 0)
                           .order_by(WaveTeam.wave_id, WaveTeam.joined.desc(), Team.name)).all()
    out: dict[int, list[RecentJoin]] = {}
    for wave_id, name, joined in rows:
        out.setdefault(int(wave_id), []).append(RecentJoin(int(wave_id), name, int(joined)))
    return out
