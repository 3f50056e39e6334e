"""Team pages: `/teams/<code>` shows one team's results, customer outcomes, comments, actions, goals and
focus areas; `/teams/` sends a team lead to their own team and lists every team for HR and executives.

A team lead may open the teams of their subtree; any other code, existing or not, is the same 404. The
statistics stack loads inside the views (see webapp/reports/views.py for why).
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from surveys.models import Action, utcnow
from webapp.actions.effects import effects_for
from webapp.auth import roles_required
from webapp.db import get_session
from webapp.reports import params as report_params

bp = Blueprint("teams", __name__)
STAFF = ("team_lead", "hr_admin", "executive")


def _tree_and_scope():
    from surveys.insights.reports.common import Tree

    session = get_session()
    return session, Tree(session), report_params.scope_of(session, current_user)


@bp.route("/")
@roles_required(*STAFF)
def index():
    session, tree, scope = _tree_and_scope()
    if not scope.whole_org:
        roots = tree.roots(scope)
        if roots:
            return redirect(url_for("teams.page", team_code=tree.nodes[roots[0]].code))
        return render_template("teams/index.html", teams=[], message="You lead no team yet, so there is no team "
                               "page to show. HR can set you as a team's lead."), 200
    teams = [tree.nodes[t] for t in tree.order]
    return render_template("teams/index.html", teams=teams, message=None)


def _leverage(session, settings):
    """The organisation-wide leverage of focus areas from the report cache, computed and stored on a miss.

    It is the same for every team and costs one linkage analysis and one driver fit (seconds on a large
    organisation), so it is kept per data version like a report page (surveys.insights.cache).
    """
    from surveys.insights import cache, focus, team_page

    program = team_page.main_program(session)
    if program is None:
        return None
    key, version = cache.key("focus-leverage", program.code, settings), cache.data_version(session)
    stored = cache.get(session, key, version)
    if stored is not None:
        return focus.OrgLeverage.from_json(stored)
    leverage = focus.org_leverage(session, program.code, settings)
    try:
        writer = get_session(read_only=False)
        cache.put(writer, key, version, leverage.to_json())
        writer.commit()
    except SQLAlchemyError:  # another reader stored it at the same moment: theirs will do
        get_session(read_only=False).rollback()
    return leverage


def action_link(code: str, area) -> str:
    """The "Make this an action" link of a focus area: the new-action form, filled in from the suggestion."""
    from surveys.insights.focus import action_title

    query = urlencode({"team": code, "metric": area.metric, "source": "focus", "title": action_title(area)})
    return url_for("actions.index") + "new?" + query


@bp.route("/<team_code>")
@roles_required(*STAFF)
def page(team_code: str):
    from surveys.insights import team_page

    session, tree, scope = _tree_and_scope()
    team = team_page.find_team(tree, team_code, scope)
    if team is None:
        abort(404)
    settings = report_params.settings()
    leverage = _leverage(session, settings)
    session = get_session(read_only=True)  # storing the leverage may have switched the session to writing
    data = team_page.build(session, tree, team, settings, utcnow().date(), leverage=leverage)
    children = [tree.nodes[c.id] for c in tree.children[team.id] if scope.allows(c.id)]
    links = {a.metric: action_link(team.code, a) for a in data.focus}
    actions = list(session.scalars(select(Action).where(Action.id.in_([a.id for a in data.actions]))))
    return render_template("teams/page.html", page=data, children=children, action_links=links,
                           effects=effects_for(session, actions), today=utcnow().date())
