"""Public touchpoint links: one page of questions for any customer, with abuse protection."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask import session as cookie
from flask_wtf.csrf import CSRFError

from surveys.collection import public_links
from surveys.collection.floods import FloodRules
from surveys.collection.public_links import RateLimited, SpamRejected
from surveys.collection.submission import AnswersInvalid
from surveys.errors import TandemError
from surveys.models import utcnow
from webapp.db import get_session
from surveys.voice import contacts
from webapp.respond.views import (
    CONTACT_PROBLEM, DONE_KEY, bp, contact_values, domain_error_page, message_page, raw_answers, shown_values,
)

HONEYPOT_FIELD = "website"
KEPT = "Your answers are still in the form below, so you can send them later without typing them again."
EXPIRED = ("This page had expired (for example, it was open for a long time or cookies were cleared), so your "
           "answers were not sent yet.")
EXPIRED_OTHER = "This page had expired, so nothing was saved. Please open your link again and retry."


def _render(target, values: dict, errors: dict, status: int = 200, notice: str | None = None,
            contact_errors: dict | None = None):
    return render_template("respond/customer.html", target=target, program=target.program,
                           touchpoint=target.touchpoint, survey=target.wave.survey,
                           questions=target.wave.survey.questions, values=values, errors=errors,
                           honeypot=HONEYPOT_FIELD, notice=notice, contact_values=contact_values(request.form),
                           contact_errors=contact_errors or {}), status


@bp.route("/c/<program_code>/<touchpoint_code>")
def public_form(program_code: str, touchpoint_code: str):
    """The feedback form of a touchpoint in a program's open wave."""
    return _render(public_links.resolve(get_session(), program_code, touchpoint_code, utcnow()), {}, {})


@bp.route("/c/<program_code>/<touchpoint_code>", methods=["POST"])
def public_submit(program_code: str, touchpoint_code: str):
    """Store the answers of a public form once the honeypot, the rate limit and the answers pass.

    A refused form comes back with every answer the customer gave, so nothing has to be typed again.
    """
    # Behind a reverse proxy remote_addr is the proxy's unless ProxyFix is configured (see README).
    limit = public_links.parse_rate_limit(current_app.config.get("PUBLIC_RATE_LIMIT"))
    client = public_links.client_key(current_app.config["SECRET_KEY"], request.remote_addr)
    posted = raw_answers(request.form)
    session = get_session()
    try:
        contact = contacts.from_form(request.form, current_app.config["CASE_DUE_WORKING_DAYS"])
    except contacts.ContactInvalid as exc:
        target = public_links.resolve(session, program_code, touchpoint_code, utcnow())
        values = shown_values({}, posted, target.wave.survey.questions)
        return _render(target, values, {None: CONTACT_PROBLEM}, 422, contact_errors=exc.errors)
    try:
        public_links.submit_public(session, program_code, touchpoint_code, posted, client=client, limit=limit,
                                   honeypot=request.form.get(HONEYPOT_FIELD, ""), now=utcnow(),
                                   flood=FloodRules.from_config(current_app.config), contact=contact)
    except (AnswersInvalid, RateLimited, SpamRejected) as exc:
        session.rollback()
        # Resolved again after the rollback: a link that stopped working meanwhile gets its own page.
        target = public_links.resolve(session, program_code, touchpoint_code, utcnow())
        values = shown_values({}, posted, target.wave.survey.questions)
        if isinstance(exc, AnswersInvalid):
            return _render(target, values, exc.errors, 422)
        body, status = _render(target, values, {}, exc.status, notice=f"{exc.message} {KEPT}")
        retry_after = getattr(exc, "retry_after", None)
        return body, status, ({"Retry-After": str(retry_after)} if retry_after else {})
    session.commit()
    cookie[DONE_KEY] = "customer"
    return redirect(url_for("respond.thanks"))


@bp.errorhandler(CSRFError)
def _expired_form(_exc: CSRFError):
    # The CSRF check runs before the view; on the public form the answers are still in the request.
    if request.endpoint != "respond.public_submit":
        return message_page("Please try again", EXPIRED_OTHER, 400)
    args = request.view_args or {}
    try:
        target = public_links.resolve(get_session(), args["program_code"], args["touchpoint_code"], utcnow())
    except TandemError as exc:
        return domain_error_page(exc)
    values = shown_values({}, raw_answers(request.form), target.wave.survey.questions)
    return _render(target, values, {}, 400, notice=f"{EXPIRED} Please press Send feedback again.")
