"""Invitation links (employees and customer contacts): open, read the promise, page through, submit once.

The link's token is used once, on opening: its hash finds the invitation and HKDF turns it into the key
that seals the draft (surveys/collection/drafts.py). The signed session cookie then carries the
invitation id and that key, never the token; neither is stored on the server or written to a log.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask import session as cookie

from surveys.collection import drafts, opening, paging, submission
from surveys.errors import ValidationError
from surveys.fieldwork import membership
from surveys.models import utcnow
from webapp.db import get_session
from surveys.voice import contacts
from webapp.respond.views import (
    CONTACT_PROBLEM, DONE_KEY, KEY_KEY, SESSION_KEY, bp, contact_values, message_page, raw_answers, shown_values,
)

SESSION_ENDED = ("Your survey session has ended, for example because the browser was closed. "
                 "Please open the link from your invitation again: your saved answers are kept.")

NOTHING_TO_CONFIRM = ("This page confirms answers right after they are sent, and there is nothing to confirm now. "
                      "To answer a survey, open the link from your invitation or the feedback link you were "
                      "given.")

OTHER_LINK = ("Another survey link was opened in this browser after this page was loaded, so these answers "
              "were not saved. Please open the link of this survey again; answers saved earlier are kept.")


def _enter(token: str, kind: str):
    session = get_session()
    invitation = opening.find_invitation(session, token, kind=kind)
    opening.open_invitation(session, invitation.id, utcnow())
    # The token leaves the address bar and history; the signed session cookie carries the invitation.
    cookie[SESSION_KEY] = invitation.id
    cookie[KEY_KEY] = drafts.encode_key(drafts.key_for(token))
    return redirect(url_for("respond.survey"))


@bp.route("/i/<token>")
def employee_link(token: str):
    """An employee's single-use invitation link."""
    return _enter(token, "employee")


@bp.route("/t/<token>")
def contact_link(token: str):
    """A customer contact's single-use link."""
    return _enter(token, "contact")


def _current_id():
    invitation_id = cookie.get(SESSION_KEY)
    key = drafts.decode_key(cookie.get(KEY_KEY))
    return invitation_id if isinstance(invitation_id, int) and key is not None else None


def _key() -> bytes:
    return drafts.decode_key(cookie.get(KEY_KEY))


def _render_page(invitation, page: int, values: dict, errors: dict, status: int = 200,
                 contact_errors: dict | None = None):
    pages = paging.invitation_pages(invitation)
    questions = pages[page]
    first_number = sum(len(p) for p in pages[:page]) + 1
    return render_template("respond/survey.html", invitation=invitation, wave=invitation.wave,
                           survey=invitation.wave.survey, questions=questions, page=page,
                           page_count=len(pages), first_number=first_number, values=values,
                           errors=errors, contact_values=contact_values(request.form),
                           contact_errors=contact_errors or {}), status


@bp.route("/survey")
def survey():
    """The page the respondent is on: the anonymity promise first, then the saved page of questions."""
    invitation_id = _current_id()
    if invitation_id is None:
        return message_page("Please open your link again", SESSION_ENDED, 400)
    session = get_session()
    invitation = opening.open_invitation(session, invitation_id, utcnow())
    if invitation.draft is None and invitation.person_id is not None:
        return render_template("respond/promise.html", invitation=invitation, wave=invitation.wave,
                               survey=invitation.wave.survey, unit=membership.unit_of(session, invitation),
                               page_count=len(paging.invitation_pages(invitation)))
    try:
        page, answers = submission.draft_of(invitation, _key())
    except drafts.DraftUnreadable as exc:
        return render_template("respond/restart.html", message=exc.message), 409
    page = min(page, len(paging.invitation_pages(invitation)) - 1)
    return _render_page(invitation, page, answers, {})


@bp.route("/survey/start", methods=["POST"])
def start():
    """Leave the promise page for the first question."""
    invitation_id = _current_id()
    if invitation_id is None:
        return message_page("Please open your link again", SESSION_ENDED, 400)
    session = get_session()
    submission.start(session, invitation_id, utcnow(), key=_key(), restart=request.form.get("restart") == "yes")
    session.commit()
    return redirect(url_for("respond.survey"))


@bp.route("/survey", methods=["POST"])
def save_page():
    """Save the posted page, then move back or forward, or submit on the last page."""
    invitation_id = _current_id()
    if invitation_id is None:
        return message_page("Please open your link again", SESSION_ENDED, 400)
    if request.form.get("invitation") != str(invitation_id):
        # This form was loaded for another link opened earlier in this browser; do not mix them up.
        return message_page("Please open your link again", OTHER_LINK, 409)
    try:
        page = int(request.form.get("page", ""))
    except ValueError:
        raise ValidationError("The form did not say which page it was; please reopen your link.",
                              field="page") from None
    posted = raw_answers(request.form)
    session = get_session()
    action = request.form.get("action", "next")
    try:
        # Only a customer contact link shows the block; an employee form that posts it is refused by the service.
        contact = contacts.from_form(request.form, current_app.config["CASE_DUE_WORKING_DAYS"]) \
            if action == "submit" else None
    except contacts.ContactInvalid as exc:
        outcome = submission.record_page(session, invitation_id, page, posted, "save", utcnow(), key=_key())
        opening.load_page(outcome.invitation)  # shown again below
        session.commit()  # the answers are kept; only the contact block needs another look
        _page, saved = submission.draft_of(outcome.invitation, _key())
        return _render_page(outcome.invitation, page, saved, {None: CONTACT_PROBLEM, **outcome.errors}, 422,
                            contact_errors=exc.errors)
    outcome = submission.record_page(session, invitation_id, page, posted, action, utcnow(), key=_key(),
                                    contact=contact)
    if outcome.errors:
        opening.load_page(outcome.invitation)  # the page is shown again below, after the commit
    session.commit()
    invitation = outcome.invitation  # loaded once, by record_page
    if outcome.submitted:
        cookie[DONE_KEY] = "employee" if invitation.person_id is not None else "customer"
        return redirect(url_for("respond.thanks"))
    if not outcome.errors:
        if request.form.get("action") == "save":
            flash("Your answers are saved. You can close this page and continue later by opening the same "
                  "link again.", "success")
        return redirect(url_for("respond.survey"))
    _page, saved = submission.draft_of(invitation, _key())
    questions = paging.invitation_pages(invitation)[outcome.page]
    values = shown_values(saved, posted, questions) if outcome.page == page else saved
    return _render_page(invitation, outcome.page, values, outcome.errors, 422)


@bp.route("/thanks")
def thanks():
    """Confirms a submission once, right after it; opened any other way it confirms nothing."""
    kind = cookie.pop(DONE_KEY, None)  # one-time: a reload or a bookmarked address finds no flag
    if kind not in ("employee", "customer"):
        return message_page("Nothing to confirm", NOTHING_TO_CONFIRM, 200)
    return render_template("respond/thanks.html", kind=kind)
