"""Staff sign-in: the login form, Flask-Login user loading, the role guard and landing pages."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from surveys import audit
from surveys.db import is_read_only
from surveys.models import Person, utcnow
from surveys.org import accounts, signin, staff_sessions
from webapp.db import get_session
from webapp.extensions import login_manager

bp = Blueprint("auth", __name__)

LANDING = {"hr_admin": "admin.index", "executive": "reports.index", "team_lead": "teams.index"}
GENERIC_LOGIN_ERROR = "That email and password do not match an account."
TOO_MANY_ATTEMPTS = "Too many failed sign-ins. Please wait {wait} and try again."
PASSWORD_OFF = "Sign-in with a password is turned off here; please use single sign-on."
SESSION_ENDED = "Your session has ended (signed out, timed out or your account changed). Please sign in again."


class StaffUser(UserMixin):
    """The signed-in staff member as the web layer sees them (a detached copy, not an ORM row).

    Flask-Login keeps get_id() in the cookie: the server-side session's random id, not the person id.
    """

    def __init__(self, person: Person, session_id: str):
        self.id = person.id
        self.email = person.email
        self.name = person.name
        self.role = person.role
        self.team_id = person.team_id
        self.session_id = session_id

    def get_id(self) -> str:
        """The session id the cookie carries."""
        return self.session_id


@login_manager.user_loader
def _load_user(session_id: str) -> StaffUser | None:
    now = utcnow()
    live = staff_sessions.resolve(get_session(), session_id, _limits(), now)
    if live is None:
        session.pop("_user_id", None)  # a dead id is not looked up again
        g.staff_session_ended = True
        return None
    user = StaffUser(live.person, session_id)
    if live.needs_touch(now):
        _touch(live.id_hash, now)
    return user


def _limits() -> staff_sessions.SessionLimits:
    return staff_sessions.SessionLimits.from_config(current_app.config)


def _touch(id_hash: str, now) -> None:
    # At most once a minute per session, and before the view has read anything (see _resolve_early):
    # a short write transaction of its own, after which a GET's session is read-only again. The idle
    # time-out is therefore exact to within the touch interval (30 minutes means 30 to 31).
    read_only = is_read_only(get_session())
    db = get_session(read_only=False)
    staff_sessions.touch(db, id_hash, now)
    db.commit()
    if read_only:
        get_session(read_only=True)


@bp.before_app_request
def _resolve_early():
    # Resolve the signed-in user before any view reads, so a due touch never commits a view's work.
    if "_user_id" in session:
        _ = current_user.is_authenticated


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
    if current_app.config.get("OIDC_ONLY") and request.method == "POST":
        abort(403, PASSWORD_OFF)
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    # Two short transactions, none open while argon2 runs (~0.15 s), so sign-ins never hold the SQLite
    # write lock that respondents' submissions queue for.
    keys = signin.throttle_keys(current_app.config["SECRET_KEY"], form.email.data, request.remote_addr)
    db = get_session(read_only=False)
    # 1. Count the attempt before checking it (a burst cannot slip past the limit) and read the account.
    wait = signin.claim_attempt(db, keys)
    credentials = None if wait else accounts.load_credentials(db, form.email.data)
    db.commit()
    if wait:
        return _too_many(form, wait)
    check = accounts.check_password(credentials, form.password.data)  # no transaction open
    # 2. A right password: start the session and forget the account's failures (a wrong one stays counted).
    signed_in = signin.record_sign_in(db, keys, credentials, check, request.user_agent.string) if check.ok else None
    if signed_in is None:  # a keyed hash of the address, never the address itself
        audit.record(db, None, "auth.login_failed", "person", None,
                     email_hmac=audit.email_digest(current_app.config["SECRET_KEY"], form.email.data))
    else:
        audit.record(db, signed_in[0].id, "auth.login", "person", signed_in[0].id)
    db.commit()
    if signed_in is None:
        flash(GENERIC_LOGIN_ERROR, "error")
        return render_template("auth/login.html", form=form), 401
    person, session_id = signed_in
    login_user(StaffUser(person, session_id))
    target = safe_next(request.args.get("next", ""))
    return redirect(target or landing_url(person.role))


def _too_many(form: LoginForm, wait: int):
    text = f"{wait} second{'s' if wait != 1 else ''}" if wait < 120 else f"{-(-wait // 60)} minutes"
    flash(TOO_MANY_ATTEMPTS.format(wait=text), "error")
    return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    db = get_session()
    staff_sessions.end(db, current_user.session_id)
    db.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        abort(401, "Sign in first.")
    ended = g.get("staff_session_ended", False)
    flash(SESSION_ENDED if ended else login_manager.login_message, login_manager.login_message_category)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
