"""Public touchpoint links: one page of questions for any customer, with abuse protection."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask import session as cookie

from surveys.collection import public_links
from surveys.collection.submission import AnswersInvalid
from surveys.models import utcnow
from webapp.db import get_session
from webapp.respond.views import DONE_KEY, bp, raw_answers, shown_values

HONEYPOT_FIELD = "website"


def _render(target, values: dict, errors: dict, status: int = 200):
    return render_template("respond/customer.html", target=target, program=target.program,
                           touchpoint=target.touchpoint, survey=target.wave.survey,
                           questions=target.wave.survey.questions, values=values, errors=errors,
                           honeypot=HONEYPOT_FIELD), status


@bp.route("/c/<program_code>/<touchpoint_code>")
def public_form(program_code: str, touchpoint_code: str):
    """The feedback form of a touchpoint in a program's open wave."""
    return _render(public_links.resolve(get_session(), program_code, touchpoint_code, utcnow()), {}, {})


@bp.route("/c/<program_code>/<touchpoint_code>", methods=["POST"])
def public_submit(program_code: str, touchpoint_code: str):
    """Store the answers of a public form once the honeypot, the rate limit and the answers pass."""
    # Behind a reverse proxy remote_addr is the proxy's unless ProxyFix is configured (see README).
    limit = public_links.parse_rate_limit(current_app.config.get("PUBLIC_RATE_LIMIT"))
    client = public_links.client_key(current_app.config["SECRET_KEY"], request.remote_addr)
    posted = raw_answers(request.form)
    session = get_session()
    try:
        public_links.submit_public(session, program_code, touchpoint_code, posted, client=client, limit=limit,
                                   honeypot=request.form.get(HONEYPOT_FIELD, ""), now=utcnow())
    except AnswersInvalid as exc:
        session.rollback()
        target = public_links.resolve(session, program_code, touchpoint_code, utcnow())
        values = shown_values({}, posted, target.wave.survey.questions)
        return _render(target, values, exc.errors, 422)
    session.commit()
    cookie[DONE_KEY] = "customer"
    return redirect(url_for("respond.thanks"))
