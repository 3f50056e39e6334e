"""Improvement actions: the team lead's landing page, scoped to their team and its descendants."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from surveys.org import hierarchy
from webapp.auth import roles_required
from webapp.db import get_session

bp = Blueprint("actions", __name__)


@bp.route("/")
@roles_required("team_lead", "hr_admin", "executive")
def index():
    # Imported here: insights pulls in pandas and the analysis stack, which app start-up must not load.
    from surveys.insights import overview

    session = get_session()
    scope = None
    if current_user.role == "team_lead":
        scope = hierarchy.lead_scope(session, current_user.id, current_user.team_id)
    return render_template("actions/index.html", teams=overview.teams_in_scope(session, scope),
                           actions=overview.actions_in_scope(session, scope))
