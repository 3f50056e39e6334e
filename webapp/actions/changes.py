"""The buttons and small forms of an action's page: status, steps and progress notes."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, url_for
from flask_login import current_user

from surveys.actions import scope as scoping
from surveys.actions import service, steps
from surveys.errors import Conflict, ValidationError
from webapp.actions.common import user_scope
from webapp.actions.forms import ConfirmForm, NoteForm, StatusForm, StepDoneForm, StepForm
from webapp.actions.views import STAFF, bp, render_detail
from webapp.admin.forms_common import show_errors
from webapp.auth import roles_required
from webapp.db import get_session

MOVES = {"in_progress": "started", "done": "marked done", "abandoned": "abandoned"}


def _apply(action_id: int, form, form_name: str, change: Callable, done: str, anchor: str):
    """Validate the form, make one change, commit and go back to the action; on a problem show the page
    again with the form as it was sent (nothing typed is lost) and the reason."""
    session = get_session()
    scope = user_scope(session)
    action = scoping.get_action(session, action_id, scope)  # another team's action: the same 404 as none
    if not form.validate_on_submit():
        for name, messages in form.errors.items():
            if name not in form or form[name].type in ("HiddenField", "CSRFTokenField"):  # not shown beside a field
                for message in messages:
                    flash(message, "error")
        return render_detail(action, 400, **{form_name: form})
    try:
        change(session, scope)
    except (ValidationError, Conflict) as exc:
        session.rollback()
        if isinstance(exc, ValidationError):
            show_errors(form, exc)
        else:
            flash(exc.message, "error")
        return render_detail(scoping.get_action(session, action_id, scope), exc.status, **{form_name: form})
    session.commit()
    flash(done, "success")
    return redirect(url_for("actions.detail", action_id=action_id, _anchor=anchor))


@bp.route("/<int:action_id>/status", methods=["POST"])
@roles_required(*STAFF)
def status(action_id: int):
    """Start, finish or abandon (with a reason) an action."""
    form = StatusForm()
    return _apply(action_id, form, "status_form", lambda session, scope: service.change_status(
        session, action_id, scope, form.to.data, actor_id=current_user.id, reason=form.reason.data),
        f"Action {MOVES.get(form.to.data, 'changed')}.", "status")


@bp.route("/<int:action_id>/steps", methods=["POST"])
@roles_required(*STAFF)
def add_step(action_id: int):
    """Add a step to the checklist."""
    form = StepForm()
    return _apply(action_id, form, "step_form", lambda session, scope: steps.add_step(
        session, action_id, scope, actor_id=current_user.id, text=form.text.data), "Step added.", "steps")


@bp.route("/<int:action_id>/steps/<int:step_id>/done", methods=["POST"])
@roles_required(*STAFF)
def step_done(action_id: int, step_id: int):
    """Tick or untick a step."""
    form = StepDoneForm()
    return _apply(action_id, form, "done_form", lambda session, scope: steps.set_done(
        session, action_id, step_id, scope, done=form.done.data == "1", actor_id=current_user.id),
        "Step ticked." if form.done.data == "1" else "Step unticked.", "steps")


@bp.route("/<int:action_id>/steps/<int:step_id>/remove", methods=["POST"])
@roles_required(*STAFF)
def remove_step(action_id: int, step_id: int):
    """Remove a step from the checklist."""
    form = ConfirmForm()
    return _apply(action_id, form, "confirm_form", lambda session, scope: steps.remove_step(
        session, action_id, step_id, scope, actor_id=current_user.id), "Step removed.", "steps")


@bp.route("/<int:action_id>/notes", methods=["POST"])
@roles_required(*STAFF)
def add_note(action_id: int):
    """Add a dated progress note."""
    form = NoteForm()
    return _apply(action_id, form, "note_form", lambda session, scope: service.add_note(
        session, action_id, scope, actor_id=current_user.id, note=form.note.data), "Progress note added.", "notes")
