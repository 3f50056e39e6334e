"""Bearer-token authentication of API requests, each token rate-limited; refusals are audited.

Cookies play no part: a browser session never opens the API, and the API needs no CSRF token because
it only reads. Refused tokens are audited, at most REFUSALS_AUDITED per address per window, so a flood
of guesses cannot fill the audit trail.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from flask import current_app, jsonify, request

from surveys import ratelimit
from surveys.models import utcnow
from surveys.org import api_tokens
from surveys.ratelimit import RateLimit
from webapp.db import get_session

REFUSALS_AUDITED = RateLimit(30, 600)  # refused tokens per client address (keyed hash) and window
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 429: "Too many requests"}
HOW = "Send a personal API token as 'Authorization: Bearer <token>'; make one at /account/tokens."


class Refused(Exception):
    """An API request that ends with a JSON error response."""

    def __init__(self, status: int, message: str, parameter: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.parameter, self.headers = status, message, parameter, headers or {}

    def response(self):
        """The JSON error: {"error", "message", "status"} and "parameter" when one is to blame."""
        body = {"error": TITLES.get(self.status, "Error"), "message": self.message, "status": self.status}
        if self.parameter:
            body["parameter"] = self.parameter
        resp = jsonify(body)
        resp.status_code = self.status
        resp.headers.update(self.headers)
        resp.headers["Cache-Control"] = "no-store"
        return resp


def _limit() -> RateLimit:
    hits, seconds = (int(p) for p in current_app.config.get("API_RATE_LIMIT", "120/60").split("/"))
    return RateLimit(hits, seconds)


def _retry_after(limit: RateLimit, now: dt.datetime) -> dict:
    end = limit.window_start(now) + dt.timedelta(seconds=limit.window_seconds)
    return {"Retry-After": str(max(1, int((end - now).total_seconds())))}


def _address_digest(secret: str) -> str:
    return hmac.new(secret.encode(), f"api-address:{request.remote_addr or 'unknown'}".encode(),
                    hashlib.sha256).hexdigest()


def authenticate() -> api_tokens.TokenUse:
    """The token use of this request, counted against its rate limit; Refused (401/429) otherwise."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    bearer = {"WWW-Authenticate": 'Bearer realm="tandem"'}
    if scheme.lower() != "bearer" or not token:
        raise Refused(401, "No API token. " + HOW, headers=bearer)
    secret, now = current_app.config["SECRET_KEY"], utcnow()
    try:
        use = api_tokens.authenticate(get_session(), token, secret, now)
    except api_tokens.TokenRefused as refused:
        db = get_session(read_only=False)
        digest = _address_digest(secret)
        if ratelimit.count_hit(db, "apifail:" + digest[:55], REFUSALS_AUDITED, now) > REFUSALS_AUDITED.max_hits:
            db.commit()
            raise Refused(429, "Too many refused API tokens from this address; wait and try again.",
                          headers=_retry_after(REFUSALS_AUDITED, now)) from None
        api_tokens.record_refusal(db, refused, digest)
        db.commit()
        raise Refused(401, refused.message + " " + HOW,
                      headers={"WWW-Authenticate": 'Bearer realm="tandem", error="invalid_token"'}) from None
    db, limit = get_session(read_only=False), _limit()
    if ratelimit.count_hit(db, f"api:token:{use.token_id}", limit, now) > limit.max_hits:
        db.commit()
        raise Refused(429, f"This token made more than {limit.max_hits} requests in {limit.window_seconds} "
                           "seconds; wait and try again.", headers=_retry_after(limit, now))
    if use.needs_touch(now):
        api_tokens.touch(db, use.token_id, now)
    db.commit()
    get_session(read_only=True)  # the report itself is read in a read-only transaction
    return use
