"""Who may see and act on which alert: HR and executives every alert, a team lead the alerts of the teams they
lead and everything under them (the improvement loop's scope, surveys/actions/scope.py)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from surveys.actions.scope import Scope, scope_for
from surveys.db import parse_id
from surveys.errors import NotFound
from surveys.models import Alert

__all__ = ["Scope", "scope_for", "get_alert", "visible"]


def visible(scope: Scope):
    """A WHERE clause selecting the alerts a scope may see."""
    if scope.everything:
        return Alert.id.is_not(None)
    return Alert.team_id.in_(sorted(scope.team_ids))


def get_alert(session: Session, alert_id, scope: Scope) -> Alert:
    """The alert, or NotFound when it does not exist or lies outside the scope (the same answer for both)."""
    key = parse_id(alert_id)
    alert = session.get(Alert, key) if key is not None else None
    if alert is None or not scope.covers(alert.team_id):
        raise NotFound("There is no such alert, or it is not about one of your teams.")
    return alert
