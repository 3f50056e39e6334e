"""Create an action (by hand, from a focus area or from a goal) and edit one."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from surveys.actions import scope as scoping
from surveys.actions import service
from surveys.actions import fields
from surveys.actions.fields import MAX_TITLE, check_fields
from surveys.actions.scope import Scope
from surveys.db import parse_id
from surveys.errors import ValidationError
from surveys.goals.metrics import metric_info
from surveys.models import Goal, Team
from webapp.actions.common import fill_choices, measure, teams_by_id, to_baseline, today, user_scope
from webapp.actions.forms import FORM_SOURCES, EditActionForm, NewActionForm
from webapp.actions.views import STAFF, bp
from webapp.admin.forms_common import merge_domain_check, show_errors
from webapp.auth import roles_required
from webapp.db import get_session

DEFAULT_DAYS = 90  # a new action is due in about a quarter unless its goal says otherwise


def _values(form) -> dict:
    out = {name: form[name].data for name in ("title", "description", "owner_id", "team_ids", "metric", "target",
                                              "starts_on", "due_on", "visibility")}
    if "source" in form:
        out.update(source=form.source.data, goal_id=form.goal_id.data or None)
    return out


def _prefill(session, scope: Scope, form: NewActionForm, args) -> list[str]:
    """Fill a new action's form from the link that led here; returns what could not be used, in sentences."""
    problems: list[str] = []
    form.owner_id.data = str(current_user.id)
    form.starts_on.data = today()
    form.due_on.data = today() + dt.timedelta(days=DEFAULT_DAYS)
    source = (args.get("source") or "manual").strip().lower()
    if source not in FORM_SOURCES:
        problems.append(f"'{source}' is not a source this page knows (manual, focus or goal); taken as manual.")
        source = "manual"
    form.source.data = source
    team_ids = []
    if args.get("goal"):
        goal = session.get(Goal, parse_id(args["goal"]) or 0)
        if goal is not None and not fields.goal_visible(session, scope, goal):
            goal = None  # another part of the organisation's goal reads as missing
        if goal is None:
            problems.append(f"There is no goal {args['goal']}; the action is not linked to a goal.")
        else:
            form.goal_id.data, form.source.data = str(goal.id), "goal"
            form.metric.data, form.target.data, form.due_on.data = goal.metric, f"{goal.target:g}", goal.due_on
            if goal.team_id is not None and scope.covers(goal.team_id):
                team_ids.append(goal.team_id)
    for code in args.getlist("team"):
        team_id = session.scalar(select(Team.id).where(Team.code == code.strip())) if code.strip() else None
        if team_id is None or not scope.covers(team_id):
            problems.append(f"Team '{code}' is not one of your teams; choose the teams from the list.")
        elif team_id not in team_ids:
            team_ids.append(team_id)
    form.team_ids.data = [str(t) for t in team_ids]
    if args.get("metric"):
        try:
            form.metric.data = metric_info(args["metric"]).key
        except KeyError as exc:
            problems.append(exc.args[0])
    if args.get("title"):
        form.title.data = args["title"].strip()[:MAX_TITLE]
    if args.get("target"):
        form.target.data = args["target"].strip()[:30]
    return problems


def _chosen(session, scope: Scope, form) -> list[int]:
    return [t.id for t in teams_by_id(session, form.team_ids.data) if scope.covers(t.id)]


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():
    """The new-action form; the baseline is the latest wave's value for the chosen teams, frozen on saving."""
    session = get_session()
    scope = user_scope(session)
    form = NewActionForm()
    if not form.is_submitted():
        for problem in _prefill(session, scope, form, request.args):
            flash(problem, "warning")
    fill_choices(session, form, scope)
    if form.is_submitted() and request.form.get("preview"):  # "Show the baseline": nothing is saved yet
        return render_template("actions/form.html", form=form, action=None, fixed=False,
                               measured=measure(session, form.metric.data, _chosen(session, scope, form)))
    if form.validate_on_submit():
        baseline = to_baseline(measure(session, form.metric.data, _chosen(session, scope, form)))
        try:
            action = service.create_action(session, scope, actor_id=current_user.id, baseline=baseline,
                                           steps=(form.steps.data or "").splitlines(), **_values(form))
        except ValidationError as exc:
            session.rollback()
            show_errors(form, exc)
        else:
            session.commit()
            flash(f"Action '{action.title}' created.", "success")
            return redirect(url_for("actions.detail", action_id=action.id))
    elif form.is_submitted():
        merge_domain_check(form, lambda: check_fields(session, scope, **_values(form)))
    measured = measure(session, form.metric.data, _chosen(session, scope, form))
    return render_template("actions/form.html", form=form, action=None, measured=measured,
                           fixed=False), 400 if form.is_submitted() else 200


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(action_id: int):
    """Change an action's fields; its metric and teams only while it is planned."""
    session = get_session()
    scope = user_scope(session)
    action = scoping.get_for_change(session, action_id, scope)
    form = EditActionForm(obj=action)
    fixed = action.status != "planned"
    if not form.is_submitted() or fixed:
        form.team_ids.data = [str(t.id) for t in action.teams if scope.covers(t.id)]
        form.metric.data = action.metric
    if not form.is_submitted():
        form.owner_id.data = str(action.owner_id or "")
        form.target.data = "" if action.target is None else f"{action.target:g}"
    fill_choices(session, form, scope, action)
    if form.validate_on_submit():
        try:
            service.update_action(session, action.id, scope, actor_id=current_user.id, **_values(form),
                                  retake_baseline=lambda metric, ids: to_baseline(measure(session, metric, ids)))
        except ValidationError as exc:
            session.rollback()
            show_errors(form, exc)
        else:
            session.commit()
            flash("Action saved.", "success")
            return redirect(url_for("actions.detail", action_id=action.id))
    elif form.is_submitted():
        merge_domain_check(form, lambda: check_fields(session, scope, keep_owner_id=action.owner_id, **_values(form)))
    return render_template("actions/form.html", form=form, action=action, fixed=fixed, measured=None,
                           kept=[t for t in action.teams if not scope.covers(t.id)]), \
        400 if form.is_submitted() else 200
