"""Staff pages for known issues: HR admins and executives write, publish and update them.

Team leads and employees have no access: what the organisation says in public is decided centrally
(a team lead reads the public page like everyone else). The alert or action an issue starts from is
shown beside the form for the author, and nothing of it is copied into the public text.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from surveys.errors import Conflict, ValidationError
from surveys.publicity import known_issues as service
from webapp.admin.forms_common import show_errors
from webapp.auth import roles_required
from webapp.db import get_session
from webapp.known_issues.forms import IssueForm, PublishForm, StatusForm
from webapp.known_issues.public import bp

EDITORS = ("hr_admin", "executive")
TEXT = ("title", "what_wrong", "what_doing", "started_on")


def _text(form) -> dict:
    return {name: form[name].data for name in TEXT}


@bp.route("/known-issues/manage")
@roles_required(*EDITORS)
def manage():
    """Every known issue, drafts included."""
    return render_template("known_issues/manage.html", issues=service.all_issues(get_session()),
                           publish_form=PublishForm())


@bp.route("/known-issues/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new():
    """Write a known issue (saved as a draft); `?alert_id=` or `?action_id=` links where it came from."""
    session = get_session()
    form = IssueForm()
    if not form.is_submitted():
        form.alert_id.data = request.args.get("alert_id", "")
        form.action_id.data = request.args.get("action_id", "")
    if form.validate_on_submit():
        try:
            issue = service.create_issue(session, **_text(form), alert_id=form.alert_id.data or None,
                                         action_id=form.action_id.data or None, actor_id=current_user.id)
        except ValidationError as exc:
            session.rollback()
            show_errors(form, exc)
        else:
            session.commit()
            flash(f"Known issue #{issue.id} saved as a draft: customers see it once you publish it.", "success")
            return redirect(url_for("known_issues.edit", issue_id=issue.id))
    context = service.source_context(session, form.alert_id.data, form.action_id.data)
    status = 400 if form.is_submitted() else 200
    return render_template("known_issues/form.html", form=form, issue=None, context=context), status


def _edit_page(issue, form=None, status_form=None, code=200):
    session = get_session()
    return render_template("known_issues/form.html", form=form or IssueForm(obj=issue), issue=issue,
                           status_form=status_form or StatusForm(status=issue.status), publish_form=PublishForm(),
                           context=service.source_context(session, issue.alert_id, issue.action_id)), code


@bp.route("/known-issues/<int:issue_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(issue_id: int):
    """Change the public text; the status and publication have their own forms on the same page."""
    session = get_session()
    issue = service.get_issue(session, issue_id)
    form = IssueForm(obj=issue)
    if not form.is_submitted() and issue.started_on:
        form.started_on.data = issue.started_on.isoformat()
    if form.validate_on_submit():
        try:
            service.edit_issue(session, issue.id, **_text(form), actor_id=current_user.id)
        except ValidationError as exc:
            session.rollback()
            show_errors(form, exc)
            return _edit_page(service.get_issue(session, issue_id), form=form, code=400)
        session.commit()
        flash(f"Known issue #{issue.id} saved.", "success")
        return redirect(url_for("known_issues.edit", issue_id=issue.id))
    return _edit_page(issue, form=form, code=400 if form.is_submitted() else 200)


@bp.route("/known-issues/<int:issue_id>/status", methods=["POST"])
@roles_required(*EDITORS)
def status(issue_id: int):
    """Post a dated public update: a new status, a note, or both."""
    session = get_session()
    issue = service.get_issue(session, issue_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            update = service.change_status(session, issue.id, form.status.data, form.note.data,
                                           actor_id=current_user.id)
        except (ValidationError, Conflict) as exc:
            session.rollback()
            if isinstance(exc, ValidationError):
                show_errors(form, exc)
            else:
                flash(exc.message, "error")
            return _edit_page(service.get_issue(session, issue_id), status_form=form, code=exc.status)
        session.commit()
        flash(f"Update posted: {service.STATUS_LABELS[update.status]}.", "success")
        return redirect(url_for("known_issues.edit", issue_id=issue.id))
    flash("The form had expired; please send the update again.", "error")
    return _edit_page(issue, status_form=form, code=400)


@bp.route("/known-issues/<int:issue_id>/publish", methods=["POST"])
@roles_required(*EDITORS)
def publish(issue_id: int):
    """Show the issue on the public page and feed."""
    return _publish(issue_id, True)


@bp.route("/known-issues/<int:issue_id>/unpublish", methods=["POST"])
@roles_required(*EDITORS)
def unpublish(issue_id: int):
    """Take the issue off the public page and feed (it stays here as a draft)."""
    return _publish(issue_id, False)


def _publish(issue_id: int, published: bool):
    session = get_session()
    issue = service.get_issue(session, issue_id)
    if not PublishForm().validate_on_submit():
        flash("The form had expired; please press the button again.", "error")
        return redirect(url_for("known_issues.edit", issue_id=issue.id))
    service.set_published(session, issue.id, published, actor_id=current_user.id)
    session.commit()
    flash(f"Known issue #{issue.id} is {'now public' if published else 'no longer public'}.", "success")
    return redirect(url_for("known_issues.edit", issue_id=issue.id))
