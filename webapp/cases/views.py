"""/cases: follow-up cases of consenting unhappy customers, their figures per team, and one case's page.

Team leads see their teams' cases (and the teams under them), HR and executives every case. Whoever sees a
case sees the customer's contact details on its page: the owning team's lead is the one who has to call.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from surveys.errors import Conflict, ValidationError
from surveys.insights.case_stats import case_stats, overall
from surveys.models import utcnow
from surveys.voice import cases, listing
from webapp.auth import roles_required
from webapp.cases.forms import CloseForm, ContactForm, NoteForm
from webapp.db import get_session

bp = Blueprint("cases", __name__)
STAFF = ("team_lead", "hr_admin", "executive")


def _scope(session):
    return listing.scope_for(session, current_user.id, current_user.role, current_user.team_id)


@bp.route("")
@roles_required(*STAFF)
def index():
    """Cases the user may see (open, overdue, closed or all; by team), the figures per team on top."""
    session = get_session()
    scope = _scope(session)
    filters = listing.parse_filters(session, scope, request.args)
    now = utcnow()
    rows, total = listing.list_cases(session, scope, filters, now)
    stats = case_stats(session, None if scope.everything else scope.team_ids, now=now)
    return render_template("cases/index.html", rows=rows, total=total, filters=filters, now=now,
                           counts=listing.counts(session, scope, now), stats=stats, pooled=overall(stats),
                           teams=listing.teams_in(session, scope), statuses=listing.STATUS_FILTERS,
                           per_page=listing.PER_PAGE), 400 if filters.errors else 200


def _detail(case, status: int = 200, **forms):
    session = get_session()
    forms = {"contact_form": ContactForm(formdata=None), "close_form": CloseForm(formdata=None),
             "note_form": NoteForm(formdata=None), **forms}
    return render_template("cases/detail.html", case=case, now=utcnow(),
                           feedback=listing.feedback_of(session, case.response_id),
                           contact=listing.contact_of(session, case.response_id), **forms), status


@bp.route("/<int:case_id>")
@roles_required(*STAFF)
def detail(case_id: int):
    """One case: the feedback, the customer's contact details, what was done, its history."""
    session = get_session()
    return _detail(listing.get_case(session, case_id, _scope(session)))


def _apply(case_id: int, form, name: str, change: Callable, done: str):
    session = get_session()
    case = listing.get_case(session, case_id, _scope(session))
    if not form.validate_on_submit():
        for field_name, messages in form.errors.items():
            if field_name not in form or form[field_name].type == "CSRFTokenField":
                for message in messages:
                    flash(message, "error")
        return _detail(case, 400, **{name: form})
    try:
        change(session, case)
    except (ValidationError, Conflict) as exc:
        session.rollback()
        flash(exc.message, "error")
        return _detail(listing.get_case(session, case_id, _scope(session)), exc.status, **{name: form})
    session.commit()
    flash(done, "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.route("/<int:case_id>/contact", methods=["POST"])
@roles_required(*STAFF)
def record_contact(case_id: int):
    """Record the call, mail or other contact made and what came of it."""
    form = ContactForm()
    return _apply(case_id, form, "contact_form", lambda session, case: cases.record_contact(
        session, case, current_user.id, form.method.data, form.result.data), "Contact recorded.")


@bp.route("/<int:case_id>/close", methods=["POST"])
@roles_required(*STAFF)
def close(case_id: int):
    """Close the case with its outcome."""
    form = CloseForm()
    return _apply(case_id, form, "close_form", lambda session, case: cases.close_case(
        session, case, current_user.id, form.outcome.data), "Case closed.")


@bp.route("/<int:case_id>/note", methods=["POST"])
@roles_required(*STAFF)
def note(case_id: int):
    """Add a note to the case's history."""
    form = NoteForm()
    return _apply(case_id, form, "note_form", lambda session, case: cases.add_note(
        session, case, current_user.id, form.note.data), "Note added.")
