"""Goals: HR and executives set, change and archive them; team leads read the goals that apply to their
teams (their subtree, the units above it and the organisation). Each goal shows its latest value with n
and interval against the target."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from surveys.errors import ValidationError
from surveys.goals import service
from surveys.goals.metrics import metric_info
from surveys.org import hierarchy
from webapp.admin.forms_common import SelectChoice, merge_domain_check, show_errors
from webapp.auth import roles_required
from webapp.db import get_session
from webapp.goals.forms import goal_form

bp = Blueprint("goals", __name__)
EDITORS = ("hr_admin", "executive")
FIELDS = ("metric", "team_id", "target", "due_on", "note")


def visible_goals(session, user, archived: bool = False):
    """The goals a user may read: all for HR and executives; for a team lead, those on their subtree, the
    units above it and the organisation."""
    if user.role in EDITORS:
        return service.list_goals(session, archived=archived)
    scope = hierarchy.lead_scope(session, user.id, user.team_id)
    return service.list_goals(session, service.relevant_team_ids(session, scope), archived=archived)


@bp.route("/")
@roles_required("team_lead", *EDITORS)
def index():
    # Imported here: insights pulls in pandas and the analysis stack, which app start-up must not load.
    from surveys.insights import goal_progress

    session = get_session()
    archived = request.args.get("archived") == "1" and current_user.role in EDITORS
    goals = visible_goals(session, current_user, archived)
    rows = goal_progress.progress(session, goals, current_app.config["MIN_GROUP_SIZE"])
    return render_template("goals/index.html", rows=rows, archived=archived,
                           can_edit=current_user.role in EDITORS, k=current_app.config["MIN_GROUP_SIZE"])


def _values(form) -> dict:
    return {name: form[name].data for name in FIELDS}


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new():
    """Set a goal; every problem is shown beside its field at once."""
    session = get_session()
    form = goal_form(session)
    if form.validate_on_submit():
        try:
            goal = service.create_goal(session, **_values(form), actor_id=current_user.id)
        except ValidationError as exc:
            session.rollback()
            show_errors(form, exc)
        else:
            session.commit()
            flash(f"Goal #{goal.id} set: {metric_info(goal.metric).label} {goal.target:g} for "
                  f"{goal.team.name if goal.team else 'the organisation'} by {goal.due_on.isoformat()}.", "success")
            return redirect(url_for("goals.index"))
    elif form.is_submitted():  # one submit reports every problem, the form's and the rules'
        merge_domain_check(form, lambda: service.check_goal(session, **_values(form)))
    status = 400 if form.is_submitted() else 200
    return render_template("goals/form.html", form=form, goal=None), status


@bp.route("/<int:goal_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(goal_id: int):
    """Change a goal's metric, unit, target, date or note."""
    session = get_session()
    goal = service.get_goal(session, goal_id)
    form = goal_form(session, obj=goal)
    if goal.metric not in {c.value if hasattr(c, "value") else c[0] for c in form.metric.choices}:
        form.metric.choices.append(SelectChoice(goal.metric, metric_info(goal.metric).label))  # an outcome
    if not form.is_submitted():
        form.team_id.data = "" if goal.team_id is None else str(goal.team_id)
        form.target.data, form.due_on.data = f"{goal.target:g}", goal.due_on.isoformat()
    if form.validate_on_submit():
        try:
            service.update_goal(session, goal.id, **_values(form), actor_id=current_user.id)
        except ValidationError as exc:
            session.rollback()
            show_errors(form, exc)
        else:
            session.commit()
            flash(f"Goal #{goal.id} saved.", "success")
            return redirect(url_for("goals.index"))
    elif form.is_submitted():
        merge_domain_check(form, lambda: service.check_goal(session, **_values(form), current=goal))
    status = 400 if form.is_submitted() else 200
    return render_template("goals/form.html", form=form, goal=goal), status


@bp.route("/<int:goal_id>/archive", methods=["POST"])
@roles_required(*EDITORS)
def archive(goal_id: int):
    """Archive a goal: it leaves the list and the dashboard, and can be restored."""
    return _set_archived(goal_id, True)


@bp.route("/<int:goal_id>/restore", methods=["POST"])
@roles_required(*EDITORS)
def restore(goal_id: int):
    """Bring an archived goal back."""
    return _set_archived(goal_id, False)


def _set_archived(goal_id: int, archived: bool):
    session = get_session()
    goal = service.set_archived(session, goal_id, archived, actor_id=current_user.id)
    session.commit()
    flash(f"Goal #{goal.id} {'archived' if archived else 'restored'}.", "success")
    return redirect(url_for("goals.index", archived="1" if not archived else None))
