"""Single sign-on: map a provider's verified email to an existing staff member and start their session.

The provider proves who someone is; Tandem alone decides whether they may sign in and with which role.
Nobody is created here and no role changes: an unknown or inactive email is refused.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import audit
from surveys.models import STAFF_ROLES, Person, utcnow
from surveys.org import staff_sessions

METHOD = "oidc"


@dataclass(frozen=True)
class SsoOutcome:
    """A started session (person and session id), or the reason nobody was signed in."""

    person: Person | None = None
    session_id: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.person is not None


def record_failure(session: Session, secret: str, reason: str, email: str | None = None, **extra) -> None:
    """Audit a refused single sign-on, with a keyed hash of the email when there was one."""
    detail = {"method": METHOD, "reason": reason, **extra}
    if email:
        detail["email_hmac"] = audit.email_digest(secret, email)
    audit.record(session, None, "auth.login_failed", "person", None, **detail)


def sign_in(session: Session, secret: str, email: str | None, email_verified: object,
            user_agent: str | None = None, now: dt.datetime | None = None) -> SsoOutcome:
    """Start a staff session for the active staff member with this provider-verified email, or refuse.

    `email_verified` must be the JSON boolean true: an address the provider has not verified could be
    anyone's. Both outcomes are audited as a sign-in (method "oidc"); the caller commits.
    """
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    reason = None
    if not email:
        reason = "no_email"
    elif email_verified is not True:
        reason = "email_not_verified"
    person = None
    if reason is None:
        person = session.scalar(select(Person).where(Person.email == email))  # stored lower-cased
        if person is None or person.role not in STAFF_ROLES:
            reason = "unknown_email"  # an employee never signs in, by password or otherwise
        elif not person.active:
            reason = "inactive"
    if reason is not None:
        record_failure(session, secret, reason, email or None)
        session.flush()
        return SsoOutcome(reason=reason)
    session_id = staff_sessions.start(session, person, user_agent, now or utcnow())
    audit.record(session, person.id, "auth.login", "person", person.id, method=METHOD)
    session.flush()
    return SsoOutcome(person=person, session_id=session_id)
