"""Read-side summaries for the landing pages, aggregated in SQL."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Action, Invitation, Person, Program, Response, Team, Touchpoint, Wave


@dataclass(frozen=True)
class WaveParticipation:
    """Participation in one wave; `responses` is None when below the anonymity threshold."""

    program: str
    audience: str
    label: str
    status: str
    invited: int
    responses: int | None


def organisation_summary(session: Session) -> dict[str, int]:
    """Counts of the main things HR manages."""
    count = lambda model: session.scalar(select(func.count()).select_from(model)) or 0  # noqa: E731
    return {
        "teams": count(Team),
        "people": count(Person),
        "touchpoints": count(Touchpoint),
        "programs": count(Program),
        "waves": count(Wave),
        "responses": count(Response),
    }


def wave_participation(session: Session, min_group_size: int) -> list[WaveParticipation]:
    """Invitations and responses per wave, newest first, with small counts hidden."""
    responses = (select(Response.wave_id, func.count().label("n")).group_by(Response.wave_id)).subquery()
    invited = (select(Invitation.wave_id, func.count().label("n"))
               .where(Invitation.person_id.is_not(None)).group_by(Invitation.wave_id)).subquery()
    rows = session.execute(
        select(Program.name, Program.audience, Wave.label, Wave.status, Wave.min_group_size,
               func.coalesce(invited.c.n, 0), func.coalesce(responses.c.n, 0))
        .join(Wave.program)
        .outerjoin(responses, responses.c.wave_id == Wave.id)
        .outerjoin(invited, invited.c.wave_id == Wave.id)
        .order_by(Wave.opens_at.desc(), Program.name)
    )
    out = []
    for name, audience, label, status, k, n_invited, n_resp in rows:
        threshold = max(k, min_group_size)
        out.append(WaveParticipation(name, audience, label, status, n_invited,
                                     n_resp if n_resp >= threshold else None))
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
        query = query.where(Action.team_id.in_(team_ids))
    return list(session.scalars(query))
