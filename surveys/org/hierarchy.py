"""The team hierarchy: which teams lie under a team, and which a team lead may see."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Team


def team_scope(session: Session, team_id: int) -> list[int]:
    """Ids of a team and all of its descendants (recursive CTE, any depth)."""
    tree = select(Team.id).where(Team.id == team_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Team.id).join(tree, Team.parent_id == tree.c.id))
    return list(session.scalars(select(tree.c.id)))


def lead_scope(session: Session, person_id: int, team_id: int | None) -> list[int]:
    """Teams a team lead may see: every team they lead and its descendants; their own team if they lead none."""
    led = list(session.scalars(select(Team.id).where(Team.lead_id == person_id)))
    roots = led or ([team_id] if team_id else [])
    return sorted({tid for root in roots for tid in team_scope(session, root)})
