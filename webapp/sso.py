"""Optional single sign-on through OpenID Connect: /login/sso goes to the provider, the callback signs in.

Authlib does the protocol: discovery, state and nonce kept in the signed session cookie, PKCE (S256),
the code exchange, and the ID token's signature (the provider's JWKS), issuer, audience, nonce and expiry.
Tandem then maps the verified email to an existing staff member (surveys/org/sso.py) and starts the
same server-side session as a password sign-in. The provider's metadata and keys are cached on the
client (keyed by the issuer; keys are fetched again when a token names an unknown key id).
"""
from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, redirect, request, session, url_for
from flask_login import current_user, login_user
from joserfc.errors import JoseError

from surveys.org import sso
from webapp.auth import StaffUser, landing_url, safe_next
from webapp.db import get_session

bp = Blueprint("sso", __name__)

CLIENT = "tandem_oidc"
EXTENSION = "authlib.integrations.flask_client"
NEXT_KEY = "sso_next"
TIMEOUT_SECONDS = 10
START_AGAIN = " Please go back to the sign-in page and try again."
MESSAGES = {
    "provider_error": "The sign-in provider did not sign you in ({error})." + START_AGAIN,
    "missing_code": "The sign-in provider sent you back without a sign-in code." + START_AGAIN,
    "bad_state": "This sign-in link has expired or was already used, or it was not started here." + START_AGAIN,
    "bad_token": "The sign-in provider's answer could not be verified, so nobody was signed in." + START_AGAIN,
    "no_id_token": "The sign-in provider did not say who you are (no ID token)." + START_AGAIN,
    "provider_unreachable": "The sign-in provider could not be reached. Please try again in a moment.",
    "no_email": "The sign-in provider did not share your email address, so Tandem cannot find your account.",
    "email_not_verified": "Your sign-in provider has not verified your email address, so Tandem cannot match "
                          "it to an account. Verify it with your provider and try again.",
    "unknown_email": "You are signed in at your provider, but that email address has no active Tandem staff "
                     "account. Ask an HR administrator to add you.",
}
MESSAGES["inactive"] = MESSAGES["unknown_email"]  # the same words: the page does not tell which
STATUS = {"provider_unreachable": 502, "no_email": 403, "email_not_verified": 403, "unknown_email": 403,
          "inactive": 403}


def init_sso(app: Flask) -> None:
    """Add the routes and the OIDC client when single sign-on is configured; nothing is fetched yet."""
    if not app.config.get("OIDC_ISSUER"):
        return  # no routes at all: /login/sso answers 404
    app.register_blueprint(bp, url_prefix="/login/sso")
    oauth = OAuth(app)
    oauth.register(
        CLIENT, client_id=app.config["OIDC_CLIENT_ID"], client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email", "code_challenge_method": "S256",
                       "default_timeout": TIMEOUT_SECONDS})


def _client():
    oauth = current_app.extensions.get(EXTENSION)
    if oauth is None:
        abort(404)  # not configured (the blueprint is not registered then; this is a second guard)
    return oauth.create_client(CLIENT)


def _refuse(reason: str, email: str | None = None, **detail):
    """Audit the refusal, then answer with a clear page (never a 500)."""
    db = get_session(read_only=False)
    sso.record_failure(db, current_app.config["SECRET_KEY"], reason, email, **detail)
    db.commit()
    message = MESSAGES[reason].format(error=detail.get("error", "unknown error"))
    abort(STATUS.get(reason, 400), message)


@bp.route("")
def start():
    client = _client()
    if current_user.is_authenticated:
        return redirect(landing_url(current_user.role))
    session[NEXT_KEY] = safe_next(request.args.get("next", ""))
    redirect_uri = current_app.config["BASE_URL"] + url_for("sso.callback", _external=False)
    try:
        return client.authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, KeyError, RuntimeError):
        abort(502, MESSAGES["provider_unreachable"])  # discovery failed; nothing to audit yet


@bp.route("/callback")
def callback():
    client = _client()
    error = request.args.get("error")
    if error:
        _refuse("provider_error", error=error[:100])
    if not request.args.get("code"):
        _refuse("missing_code")
    # The issuer is pinned to the configured one, not to whatever the discovery document says; the
    # audience must be checked explicitly: Authlib's default options only compare `azp` with the client.
    claims = {"iss": {"essential": True, "value": current_app.config["OIDC_ISSUER"]},
              "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]}}
    try:
        token = client.authorize_access_token(claims_options=claims)
    except MismatchingStateError:
        _refuse("bad_state")
    except requests.RequestException:
        _refuse("provider_unreachable")
    except (AuthlibBaseError, JoseError, ValueError, KeyError, TypeError) as exc:
        _refuse("bad_token", error=_describe(exc))
    userinfo = token.get("userinfo")
    if not userinfo:
        _refuse("no_id_token")
    db = get_session(read_only=False)
    outcome = sso.sign_in(db, current_app.config["SECRET_KEY"], userinfo.get("email"),
                          userinfo.get("email_verified"), request.user_agent.string)
    db.commit()
    if not outcome.ok:
        abort(STATUS[outcome.reason], MESSAGES[outcome.reason])
    login_user(StaffUser(outcome.person, outcome.session_id))
    return redirect(session.pop(NEXT_KEY, None) or landing_url(outcome.person.role))


def _describe(exc: Exception) -> str:
    # For the audit trail: which check failed (e.g. "invalid_claim: Invalid claim 'nonce'"), briefly.
    code = getattr(exc, "error", None) or type(exc).__name__
    text = getattr(exc, "description", None) or str(exc)
    return f"{code}: {text}"[:160]
