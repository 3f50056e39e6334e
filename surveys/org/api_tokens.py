"""Personal API tokens: create, list, revoke, and check a presented token (no Flask here).

A token is `tdm_` and 256 random bits; the database keeps only an HMAC of it keyed with the app's
secret key, so neither a copy of the table nor a guess tested offline gives a working token. A token
acts as its person with their *current* scope (a team lead's subtree as it is at the time of use), but
only while the person keeps the role they had when they made it: a person who changed role or was
deactivated must make a new token (the same rule as a signed-in session).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from surveys import audit
from surveys.errors import NotFound, ValidationError
from surveys.models import STAFF_ROLES, ApiToken, Person, utcnow

PREFIX = "tdm_"
TOKEN_BYTES = 32
NAME_MAX = 100
MAX_ACTIVE = 20  # per person: enough for every script a leader runs; a leak stays easy to audit
MAX_DAYS = 366 * 2
TOUCH_INTERVAL = dt.timedelta(seconds=60)  # last_used_at is written at most this often per token
TOKEN_MAX_LEN = 100  # longer headers are never a token: refused before any hashing or query


class TokenRefused(Exception):
    """A presented token that does not grant access; `reason` is one of REASONS (kept for the audit)."""

    REASONS = {
        "unknown": "The API token is not valid.",
        "revoked": "The API token was revoked.",
        "expired": "The API token has expired.",
        "inactive": "The API token's owner can no longer sign in.",
        "role_changed": "The API token's owner has another role now; make a new token.",
    }

    def __init__(self, reason: str, token: ApiToken | None = None):
        super().__init__(self.REASONS[reason])
        self.reason = reason
        self.message = self.REASONS[reason]
        self.token = token


@dataclass(frozen=True)
class TokenUse:
    """An accepted token: which token, and the person it acts for (role and team as they are now)."""

    token_id: int
    person: Person
    last_used_at: dt.datetime | None

    def needs_touch(self, now: dt.datetime) -> bool:
        """True when last_used_at is missing or older than the touch interval."""
        return self.last_used_at is None or now - self.last_used_at >= TOUCH_INTERVAL


def hash_token(secret: str, token: str) -> str:
    """HMAC-SHA256 (hex) of a token keyed with the app's secret key: what the table stores."""
    return hmac.new(secret.encode(), f"api-token:{token}".encode(), hashlib.sha256).hexdigest()


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the token a name, e.g. the script that will use it.", field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(f"The name is too long (at most {NAME_MAX} characters).", field="name")
    return name


def create(session: Session, person: Person, name: str, secret: str, days: int | None = None,
           now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Make a token for a staff member; returns (row, token). The token is never stored: show it once."""
    now = now or utcnow()
    name = _check_name(name)
    if not person.is_staff or not person.active:
        raise ValidationError("Only active staff can make API tokens.", field=None)
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"A token expires after 1 to {MAX_DAYS} days, or never.", field="expires")
    live = session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None),
        (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now)))
    if live >= MAX_ACTIVE:
        raise ValidationError(f"You already have {MAX_ACTIVE} active tokens; revoke one you no longer use.",
                              field="name")
    token = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken(person_id=person.id, name=name, token_hash=hash_token(secret, token), hint=token[-4:],
                   role=person.role, created_at=now,
                   expires_at=now + dt.timedelta(days=days) if days is not None else None)
    session.add(row)
    session.flush()
    audit.record(session, person.id, "api_token.create", "api_token", row.id, name=name, role=person.role,
                 expires_at=row.expires_at.isoformat() if row.expires_at else None)
    return row, token


def tokens_of(session: Session, person_id: int) -> list[ApiToken]:
    """A person's tokens, newest first (revoked and expired ones too, for their history)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.person_id == person_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke(session: Session, person_id: int, token_id: int, now: dt.datetime | None = None) -> ApiToken:
    """Revoke one of the person's own tokens (revoking twice is harmless); NotFound for anyone else's."""
    now = now or utcnow()
    row = session.get(ApiToken, token_id)
    if row is None or row.person_id != person_id:
        raise NotFound("There is no such token among yours.")
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, person_id, "api_token.revoke", "api_token", row.id, name=row.name)
        session.flush()
    return row


def authenticate(session: Session, token: str, secret: str, now: dt.datetime | None = None) -> TokenUse:
    """The use a presented token grants, or TokenRefused naming why not. Only reads."""
    now = now or utcnow()
    if not token or len(token) > TOKEN_MAX_LEN or not token.startswith(PREFIX):
        raise TokenRefused("unknown")
    row = session.execute(select(ApiToken, Person).join(Person, Person.id == ApiToken.person_id)
                          .where(ApiToken.token_hash == hash_token(secret, token))).first()
    if row is None:
        raise TokenRefused("unknown")
    found, person = row
    state = found.state(now)
    if state != "active":
        raise TokenRefused(state, found)
    if not person.active or person.role not in STAFF_ROLES:
        raise TokenRefused("inactive", found)
    if person.role != found.role:
        raise TokenRefused("role_changed", found)
    return TokenUse(found.id, person, found.last_used_at)


def touch(session: Session, token_id: int, now: dt.datetime | None = None) -> None:
    """Record that a token was used (a no-op if another request did so within the interval)."""
    now = now or utcnow()
    session.execute(update(ApiToken).where(
        ApiToken.id == token_id,
        (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= now - TOUCH_INTERVAL))
        .values(last_used_at=now))


def record_refusal(session: Session, refused: TokenRefused, address_digest: str) -> None:
    """Audit a refused token: the owner and token when known, a keyed hash of the caller's address."""
    token = refused.token
    audit.record(session, token.person_id if token else None, "api_token.refused", "api_token",
                 token.id if token else None, reason=refused.reason, address=address_digest)
