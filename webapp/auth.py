"""Staff sign-in: the login form, Flask-Login user loading, the role guard and landing pages."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from surveys import audit
from surveys.models import Person
from surveys.org import accounts, signin
from webapp.db import get_session
from webapp.extensions import login_manager

bp = Blueprint("auth", __name__)

LANDING = {"hr_admin": "admin.index", "executive": "reports.index", "team_lead": "actions.index"}
GENERIC_LOGIN_ERROR = "That email and password do not match an account."
TOO_MANY_ATTEMPTS = "Too many failed sign-ins. Please wait 15 minutes and try again."


class StaffUser(UserMixin):
    """The signed-in staff member as the web layer sees them (a detached copy, not an ORM row)."""

    def __init__(self, person: Person):
        self.id = person.id
        self.email = person.email
        self.name = person.name
        self.role = person.role
        self.team_id = person.team_id


@login_manager.user_loader
def _load_user(user_id: str) -> StaffUser | None:
    person = get_session().get(Person, int(user_id)) if user_id.isdigit() else None
    if person is None or not person.active or not person.is_staff:
        return None
    return StaffUser(person)


def roles_required(*roles: str):
    """Allow only signed-in staff with one of `roles`; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


def safe_next(target: str) -> str | None:
    """A same-site path to go to after sign-in, or None: the login page must not be an open redirect."""
    if not target or any(ord(c) < 32 or c == "\\" for c in target):
        return None  # browsers drop tabs/newlines and read "\\" as "/", turning "/\t/x" into "//x"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def landing_url(role: str) -> str:
    """Where a role lands after signing in."""
    return url_for(LANDING.get(role, "auth.login"))


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(landing_url(current_user.role))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        keys = signin.throttle_keys(current_app.config["SECRET_KEY"], form.email.data, request.remote_addr)
        if signin.sign_in_blocked(session, keys):
            flash(TOO_MANY_ATTEMPTS, "error")
            return render_template("auth/login.html", form=form), 429
        person = accounts.authenticate(session, form.email.data, form.password.data)
        if person is None:
            signin.record_failed_sign_in(session, keys)
            audit.record(session, None, "auth.login_failed", "person", None,  # a keyed hash, never the address
                         email_hmac=audit.email_digest(current_app.config["SECRET_KEY"], form.email.data))
            session.commit()
            flash(GENERIC_LOGIN_ERROR, "error")
            return render_template("auth/login.html", form=form), 401
        audit.record(session, person.id, "auth.login", "person", person.id)
        session.commit()  # a rehashed password is saved
        login_user(StaffUser(person))
        target = safe_next(request.args.get("next", ""))
        return redirect(target or landing_url(person.role))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        abort(401, "Sign in first.")
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
