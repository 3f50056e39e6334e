"""Tandem web application factory."""
from __future__ import annotations

from importlib import import_module
from pathlib import Path

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

from surveys.instruments import question_types
from webapp.bounds import register_bounds
from webapp.cli import register_commands
from webapp.config import load_config
from webapp.db import init_db
from webapp.errors import register_error_handlers
from webapp.extensions import csrf, login_manager
from webapp.security import register_security
from webapp.sso import init_sso

BLUEPRINTS = ("auth", "respond", "admin", "reports", "actions", "api", "account", "goals", "teams", "shared",
              "known_issues", "voice", "cases", "themes", "digests", "alerts")
# Multipart forms are left to their views, which set their own upload size limit before parsing.
FORM_TYPES = ("application/x-www-form-urlencoded",)


def create_app(config: dict | None = None) -> Flask:
    """Build the app from environment variables, overridden by `config` (used by tests)."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(__name__, template_folder=str(root / "templates"), static_folder="static")
    settings = load_config(instance_path=(config or {}).get("INSTANCE_PATH"))
    settings.update(config or {})
    app.config.update(settings)
    # No request body may exceed the upload limit (plus room for the form's other fields); this is
    # enforced before CSRF or any view reads the body. Werkzeug separately caps non-file fields.
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: unlimited
        app.config["MAX_CONTENT_LENGTH"] = app.config["IMPORT_MAX_BYTES"] + 64 * 1024
    # CSRF tokens live as long as the browser session: a survey page left open overnight must still
    # save; the token stays bound to the session cookie, which is what stops forged forms.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    if app.config["TRUSTED_PROXIES"]:
        # Behind N reverse proxies, take the client address from X-Forwarded-For so the public-link
        # rate limit counts customers, not the proxy.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    init_db(app)
    register_security(app)  # first: the public body cap must run before CSRF reads a form
    csrf.init_app(app)
    login_manager.init_app(app)
    register_error_handlers(app)
    register_bounds(app)  # before the blueprints add their <int:...> rules
    _register_blueprints(app)
    init_sso(app)  # /login/sso exists only when TANDEM_OIDC_* are set
    _refuse_nul_bytes(app)
    register_commands(app)
    app.jinja_env.globals["registry"] = question_types.TYPES
    return app


def _register_blueprints(app: Flask) -> None:
    for name in BLUEPRINTS:
        module = import_module(f".{name}", __name__)
        prefix = {"auth": None, "respond": "/r", "shared": None, "known_issues": None,
                  "alerts": None}.get(name, f"/{name}")
        app.register_blueprint(module.bp, url_prefix=prefix)


def _refuse_nul_bytes(app: Flask) -> None:
    # PostgreSQL cannot store NUL in text (nor compare with it); refuse it once here for every address, form
    # and query string.
    @app.before_request
    def _check():
        if "\x00" in request.path:
            abort(400, "The address contained an invalid character (a NUL byte). Please check the link.")
        values = list(request.args.values()) + ([v for vs in request.form.listvalues() for v in vs]
                                                if request.mimetype in FORM_TYPES else [])
        if any("\x00" in v for v in values):
            abort(400, "The form contained an invalid character (a NUL byte). Please retype the text.")

