"""The buttons of an alert's page: acknowledge, plan an action, resolve with a note, dismiss with a reason."""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect, url_for
from flask_login import current_user

from surveys.alerts import workflow
from surveys.alerts.access import get_alert
from surveys.errors import Conflict, ValidationError
from surveys.models import utcnow
from webapp.admin.forms_common import show_errors
from webapp.alerts.forms import ConfirmForm, DismissForm, ResolveForm
from webapp.alerts.views import STAFF, bp, render_detail, user_scope
from webapp.auth import roles_required
from webapp.db import get_session


def _apply(alert_id: int, form, form_name: str, change: Callable, done: Callable[[object], str], anchor: str):
    """Validate the form, make one change, commit and go back to the alert (or wherever `done` points); on a
    problem show the page again with the form as it was sent and the reason."""
    session = get_session()
    scope = user_scope(session)
    alert = get_alert(session, alert_id, scope)  # another team's alert: the same 404 as none
    if not form.validate_on_submit():
        for name, messages in form.errors.items():
            if name not in form or form[name].type in ("HiddenField", "CSRFTokenField"):  # not shown by a field
                for message in messages:
                    flash(message, "error")
        return render_detail(alert, 400, **{form_name: form})
    try:
        result = change(session, scope)
    except (ValidationError, Conflict) as exc:
        session.rollback()
        if isinstance(exc, ValidationError):
            show_errors(form, exc)
        else:
            flash(exc.message, "error")
        return render_detail(get_alert(session, alert_id, scope), exc.status, **{form_name: form})
    session.commit()
    message, target = done(result)
    flash(message, "success")
    return redirect(target or url_for("alerts.detail", alert_id=alert_id, _anchor=anchor))


@bp.route("/alerts/<int:alert_id>/acknowledge", methods=["POST"])
@roles_required(*STAFF)
def acknowledge(alert_id: int):
    """Say the alert is seen and being looked at (stops the acknowledgement clock)."""
    return _apply(alert_id, ConfirmForm(), "confirm_form", lambda session, scope: workflow.acknowledge(
        session, alert_id, scope, actor_id=current_user.id), lambda _a: ("Alert acknowledged.", None), "status")


@bp.route("/alerts/<int:alert_id>/plan", methods=["POST"])
@roles_required(*STAFF)
def plan(alert_id: int):
    """One click: an improvement action for the alert's team, linked to the alert; opens the new action."""
    def change(session, scope):
        alert = get_alert(session, alert_id, scope)
        baseline = workflow.action_baseline(session, alert, current_app.config["MIN_GROUP_SIZE"])
        return workflow.plan_action(session, alert_id, scope, actor_id=current_user.id, today=utcnow().date(),
                                    baseline=baseline)

    return _apply(alert_id, ConfirmForm(), "confirm_form", change,
                  lambda action: (f"Action '{action.title}' planned; add its steps and a target here.",
                                  url_for("actions.detail", action_id=action.id)), "status")


@bp.route("/alerts/<int:alert_id>/resolve", methods=["POST"])
@roles_required(*STAFF)
def resolve(alert_id: int):
    """Close the alert by hand with a note saying what fixed it."""
    form = ResolveForm()
    return _apply(alert_id, form, "resolve_form", lambda session, scope: workflow.resolve(
        session, alert_id, scope, actor_id=current_user.id, note=form.note.data),
        lambda _a: ("Alert resolved.", None), "status")


@bp.route("/alerts/<int:alert_id>/dismiss", methods=["POST"])
@roles_required(*STAFF)
def dismiss(alert_id: int):
    """Close the alert as not worth acting on, with the reason."""
    form = DismissForm()
    return _apply(alert_id, form, "dismiss_form", lambda session, scope: workflow.dismiss(
        session, alert_id, scope, actor_id=current_user.id, reason=form.reason.data),
        lambda _a: ("Alert dismissed.", None), "status")
