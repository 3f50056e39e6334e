"""/account/tokens: a staff member makes, lists and revokes their personal API tokens."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from surveys.errors import ValidationError
from surveys.models import Person, utcnow
from surveys.org import api_tokens
from webapp.account.forms import RevokeForm, TokenForm
from webapp.auth import roles_required
from webapp.db import get_session

bp = Blueprint("account", __name__)
STAFF = ("team_lead", "hr_admin", "executive")


def _page(form: TokenForm, status: int = 200, new_token: str | None = None):
    tokens = api_tokens.tokens_of(get_session(), current_user.id)
    return render_template("account/tokens.html", form=form, tokens=tokens, new_token=new_token, now=utcnow(),
                           limit=current_app.config.get("API_RATE_LIMIT")), status


@bp.route("/tokens")
@roles_required(*STAFF)
def tokens():
    """The signed-in person's tokens and the form to make one."""
    return _page(TokenForm(formdata=None))


@bp.route("/tokens", methods=["POST"])
@roles_required(*STAFF)
def tokens_new():
    """Make a token and show it once, in this response only (it is never stored and never redirected)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    session = get_session()
    try:
        _row, token = api_tokens.create(session, session.get(Person, current_user.id), form.name.data,
                                        current_app.config["SECRET_KEY"], form.days())
    except ValidationError as exc:
        session.rollback()
        getattr(form, exc.field or "name").errors = [exc.message]
        return _page(form, 400)
    session.commit()
    return _page(TokenForm(formdata=None), new_token=token)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(*STAFF)
def tokens_revoke(token_id: int):
    """Revoke one of the signed-in person's tokens."""
    if not RevokeForm().validate_on_submit():
        return _page(TokenForm(formdata=None), 400)
    session = get_session()
    row = api_tokens.revoke(session, current_user.id, token_id)
    session.commit()
    flash(f"Token '{row.name}' revoked: scripts using it now get 401.", "success")
    return redirect(url_for("account.tokens"))
