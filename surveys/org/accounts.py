"""People and staff accounts: creation, password hashing (argon2id) and login checks."""
from __future__ import annotations

import datetime as dt
import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys import audit
from surveys.errors import Conflict, ValidationError
from surveys.models import ROLES, STAFF_ROLES, Person, Team, utcnow

# argon2id with argon2-cffi's RFC 9106 "low memory" profile: 64 MiB, 3 passes, 4 lanes, which is
# above OWASP's minimum (19 MiB, 2 passes, 1 lane).
_hasher = PasswordHasher()
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    """Trim and lower-case an email address, or raise ValidationError."""
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationError(f"'{email}' is not a valid email address.", field="email")
    return email


def hash_password(password: str) -> str:
    """Hash a password with argon2id after checking its length."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    return _hasher.hash(password)


def create_user(session: Session, *, email: str, name: str, role: str, password: str | None = None,
                team_code: str | None = None, actor_id: int | None = None) -> Person:
    """Create a person; staff roles must be given a password."""
    email = normalise_email(email)
    if role not in ROLES:
        raise ValidationError(f"Role must be one of {', '.join(ROLES)}; got '{role}'.", field="role")
    if role in STAFF_ROLES and not password:
        raise ValidationError(f"A {role} needs a password to sign in.", field="password")
    if session.scalar(select(Person.id).where(Person.email == email)) is not None:
        raise Conflict(f"A person with email {email} already exists.")
    team = None
    if team_code:
        team = session.scalar(select(Team).where(Team.code == team_code))
        if team is None:
            raise ValidationError(f"Unknown team code '{team_code}'.", field="team")
    now = utcnow()  # a new account: it counts towards no team's size for the membership period
    person = Person(email=email, name=(name or email).strip(), role=role, team=team, created_at=now,
                    team_since=now, password_hash=hash_password(password) if password else None)
    session.add(person)
    session.flush()
    audit.record(session, actor_id, "user.create", "person", person.id, role=role)
    if team is not None:
        record_move(session, actor_id, person.id, None, team.code, now, new_account=True)
    session.flush()
    return person


def record_move(session: Session, actor_id: int | None, person_id: int, from_team: str | None,
                to_team: str | None, when: dt.datetime, *, new_account: bool = False) -> None:
    """Audit a person joining a team (a new account or a move): it restarts their membership period, so
    every service that sets a person's team calls this (see surveys/fieldwork/units.py)."""
    audit.record(session, actor_id, "person.join" if new_account else "person.move", "person", person_id,
                 from_team=from_team, to_team=to_team, since=when.isoformat(timespec="seconds"))


def set_password(session: Session, email: str, password: str, actor_id: int | None = None) -> Person:
    """Give a staff member a new password (the only way for staff created by import to sign in)."""
    person = session.scalar(select(Person).where(Person.email == normalise_email(email)))
    if person is None:
        raise ValidationError(f"No person with email {email.strip().lower()}.", field="email")
    if not person.is_staff:
        raise ValidationError(f"{person.email} is an employee; employees answer through links and never sign in.",
                              field="email")
    person.password_hash = hash_password(password)
    audit.record(session, actor_id, "user.set_password", "person", person.id)
    session.flush()
    return person


@cache
def _dummy_hash() -> str:
    # Made on first use, not at import: hashing costs ~0.15 s, which every `tandem` command would pay.
    return _hasher.hash("tandem-dummy-password")


def authenticate(session: Session, email: str, password: str) -> Person | None:
    """Return the active staff member with these credentials, or None (the caller shows one message)."""
    dummy = _dummy_hash()  # before the lookup, so the first sign-in's timing does not depend on the email
    person = session.scalar(select(Person).where(Person.email == (email or "").strip().lower()))
    if person is None or not person.password_hash or not person.active or not person.is_staff:
        # Hash anyway so timing does not tell which emails exist.
        _verify(dummy, password or "")
        return None
    if not _verify(person.password_hash, password or ""):
        return None
    if _hasher.check_needs_rehash(person.password_hash):
        person.password_hash = _hasher.hash(password)
    return person


def _verify(hash_: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_, password)
    except (VerificationError, InvalidHashError):
        return False


def count_people(session: Session) -> int:
    """Number of people, used to decide whether the demo needs seeding."""
    return session.scalar(select(func.count(Person.id))) or 0
