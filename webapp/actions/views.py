"""Action plans: the overview of the actions a user may see, and one action's page."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from surveys.actions import listing, scope as scoping
from surveys.actions.service import TRANSITIONS
from surveys.goals.metrics import choices as metric_choices
from surveys.goals.metrics import metric_info
from surveys.models import Action, Team
from surveys.org import hierarchy
from webapp.actions.common import today, user_scope
from webapp.actions.effects import effects_for
from webapp.actions.forms import ConfirmForm, NoteForm, StatusForm, StepDoneForm, StepForm
from webapp.auth import roles_required
from webapp.db import get_session

bp = Blueprint("actions", __name__)
STAFF = ("team_lead", "hr_admin", "executive")


def metric_label(key: str) -> str:
    """A metric key as people read it."""
    try:
        return metric_info(key).label
    except KeyError:
        return key


@bp.app_template_filter("metric_label")
def _metric_label(key: str) -> str:
    return metric_label(key)


@bp.route("/")
@roles_required(*STAFF)
def index():
    """Every action the user may see, filtered by department, team, status, metric and owner."""
    session = get_session()
    scope = user_scope(session)
    filters = listing.parse_filters(session, scope, request.args)
    view = listing.overview(session, scope, filters, today())
    teams = [t for t in session.scalars(select(Team).order_by(Team.name)) if scope.covers(t.id)]
    departments = [d for d in listing.departments(session)
                   if scope.everything or set(hierarchy.team_scope(session, d.id)) & scope.team_ids]
    return render_template(
        "actions/index.html", view=view, filters=filters, effects=effects_for(session, view.actions),
        teams=teams, departments=departments, owners=listing.owners(session, scope),
        metrics=metric_choices(), statuses=listing.STATUS_FILTERS, today=today(),
    ), 400 if filters.errors else 200


def render_detail(action: Action, status: int = 200, **forms):
    """One action's page; `forms` carries posted forms with their errors back to the page."""
    session = get_session()
    scope = user_scope(session)
    forms = {"step_form": StepForm(formdata=None), "note_form": NoteForm(formdata=None),
             "status_form": StatusForm(formdata=None), "done_form": StepDoneForm(formdata=None),
             "confirm_form": ConfirmForm(formdata=None), **forms}
    return render_template("actions/detail.html", action=action, can_change=scope.can_change(action),
                           moves=TRANSITIONS[action.status], effect=effects_for(session, [action]).get(action.id),
                           today=today(), **forms), status


@bp.route("/<int:action_id>")
@roles_required(*STAFF)
def detail(action_id: int):
    """An action: its fields, baseline, steps, notes, history and measured effect."""
    session = get_session()
    return render_detail(scoping.get_action(session, action_id, user_scope(session)))
