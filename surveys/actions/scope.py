"""Who may see and change which action: team leads their own subtree (and what they own), HR and executives all."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from surveys.db import parse_id
from surveys.errors import Forbidden, NotFound
from surveys.models import Action, Team
from surveys.org import hierarchy

EVERYTHING = ("hr_admin", "executive")


@dataclass(frozen=True)
class Scope:
    """A staff member's reach over actions; `team_ids` None means every team."""

    person_id: int | None
    team_ids: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.team_ids is None

    def covers(self, team_id: int) -> bool:
        """Whether a team lies in this scope."""
        return self.team_ids is None or team_id in self.team_ids

    def can_see(self, action: Action) -> bool:
        """Any of the action's teams in scope, or the action is theirs to own."""
        return (self.everything or action.owner_id == self.person_id
                or any(t.id in self.team_ids for t in action.teams))

    def can_change(self, action: Action) -> bool:
        """Every one of the action's teams in scope, or the action is theirs to own."""
        return (self.everything or action.owner_id == self.person_id
                or bool(action.teams) and all(t.id in self.team_ids for t in action.teams))


def scope_for(session: Session, person_id: int | None, role: str, team_id: int | None) -> Scope:
    """The scope of a signed-in staff member (anyone else reaches nothing)."""
    if role in EVERYTHING:
        return Scope(person_id, None)
    if role == "team_lead":
        return Scope(person_id, frozenset(hierarchy.lead_scope(session, person_id, team_id)))
    return Scope(person_id, frozenset())


def visible(scope: Scope):
    """A WHERE clause selecting the actions a scope may see."""
    if scope.everything:
        return Action.id.is_not(None)
    return or_(Action.teams.any(Team.id.in_(sorted(scope.team_ids))), Action.owner_id == scope.person_id)


def get_action(session: Session, action_id, scope: Scope) -> Action:
    """The action, or NotFound when it does not exist or lies outside the scope (the same answer for both)."""
    key = parse_id(action_id)
    action = session.get(Action, key) if key is not None else None
    if action is None or not scope.can_see(action):
        raise NotFound("There is no such action, or it is not one of your teams' actions.")
    return action


def get_for_change(session: Session, action_id, scope: Scope) -> Action:
    """The action when the scope may change it; Forbidden when it may only see it."""
    action = get_action(session, action_id, scope)
    if not scope.can_change(action):
        outside = ", ".join(t.name for t in action.teams if not scope.covers(t.id))
        raise Forbidden(f"This action also covers teams outside yours ({outside}); only its owner, HR or an "
                        "executive can change it.")
    return action


def team_ids_in(session: Session, scope: Scope) -> list[int]:
    """Ids of every team in the scope, sorted."""
    if scope.everything:
        return list(session.scalars(select(Team.id).order_by(Team.id)))
    return sorted(scope.team_ids)
