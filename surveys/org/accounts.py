"""People and staff accounts: creation, password hashing (argon2id) and login checks."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys import audit
from surveys.errors import Conflict, ValidationError
from surveys.models import ROLES, STAFF_ROLES, Person, Team, utcnow
from surveys.org import password_policy, staff_sessions

# argon2id with argon2-cffi's RFC 9106 "low memory" profile: 64 MiB, 3 passes, 4 lanes, which is
# above OWASP's minimum (19 MiB, 2 passes, 1 lane).
_hasher = PasswordHasher()
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = password_policy.MIN_LENGTH


def normalise_email(email: str) -> str:
    """Trim and lower-case an email address, or raise ValidationError."""
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationError(f"'{email}' is not a valid email address.", field="email")
    return email


def hash_password(password: str, email: str | None = None) -> str:
    """Hash a password with argon2id after checking it against the password rules.

    Slow on purpose (~0.15 s): call it before opening a write transaction, and pass the result to
    create_user or set_password as `password_hash`.
    """
    password_policy.check(password, email)
    return _hasher.hash(password)


def create_user(session: Session, *, email: str, name: str, role: str, password: str | None = None,
                team_code: str | None = None, actor_id: int | None = None,
                password_hash: str | None = None) -> Person:
    """Create a person; staff roles must be given a password (or its hash from hash_password)."""
    email = normalise_email(email)
    if role not in ROLES:
        raise ValidationError(f"Role must be one of {', '.join(ROLES)}; got '{role}'.", field="role")
    if role in STAFF_ROLES and not (password or password_hash):
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
                    team_since=now,
                    password_hash=password_hash or (hash_password(password, email) if password else None))
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


def set_password(session: Session, email: str, password: str | None = None, actor_id: int | None = None, *,
                 password_hash: str | None = None) -> Person:
    """Give a staff member a new password (or its hash from hash_password) and end their sessions."""
    person = session.scalar(select(Person).where(Person.email == normalise_email(email)))
    if person is None:
        raise ValidationError(f"No person with email {email.strip().lower()}.", field="email")
    if not person.is_staff:
        raise ValidationError(f"{person.email} is an employee; employees answer through links and never sign in.",
                              field="email")
    person.password_hash = password_hash or hash_password(password, person.email)
    staff_sessions.end_all(session, person.id)
    audit.record(session, actor_id, "user.set_password", "person", person.id)
    session.flush()
    return person


@cache
def _dummy_hash() -> str:
    # Made on first use, not at import: hashing costs ~0.15 s, which every `tandem` command would pay.
    return _hasher.hash("tandem-dummy-password")


@dataclass(frozen=True)
class Credentials:
    """What a sign-in needs from the database, read before (and apart from) the slow password check."""

    person_id: int | None
    password_hash: str | None


@dataclass(frozen=True)
class PasswordCheck:
    """The outcome of a password check: ok, and a stronger hash to save when the parameters changed."""

    ok: bool
    new_hash: str | None = None


def load_credentials(session: Session, email: str) -> Credentials:
    """The sign-in data of the staff member with this email (empty when nobody may sign in with it)."""
    row = session.execute(select(Person.id, Person.password_hash, Person.active, Person.role)
                          .where(Person.email == (email or "").strip().lower())).first()
    if row is None or not row.password_hash or not row.active or row.role not in STAFF_ROLES:
        return Credentials(None, None)
    return Credentials(row.id, row.password_hash)


def check_password(credentials: Credentials, password: str) -> PasswordCheck:
    """Verify `password` (argon2, slow): call it with no transaction open. Needs no database."""
    dummy = _dummy_hash()  # made first, so the first sign-in's timing does not depend on the email
    if credentials.password_hash is None:
        _verify(dummy, password or "")  # hash anyway so timing does not tell which emails exist
        return PasswordCheck(False)
    if not _verify(credentials.password_hash, password or ""):
        return PasswordCheck(False)
    rehash = _hasher.hash(password) if _hasher.check_needs_rehash(credentials.password_hash) else None
    return PasswordCheck(True, rehash)


def authenticate(session: Session, email: str, password: str) -> Person | None:
    """Return the active staff member with these credentials, or None (the caller shows one message).

    For the CLI and tests; the sign-in page splits the same steps around its transactions.
    """
    credentials = load_credentials(session, email)
    check = check_password(credentials, password)
    if not check.ok:
        return None
    person = session.get(Person, credentials.person_id)
    if check.new_hash:
        person.password_hash = check.new_hash
    return person


def _verify(hash_: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_, password)
    except (VerificationError, InvalidHashError):
        return False


def count_people(session: Session) -> int:
    """Number of people, used to decide whether the demo needs seeding."""
    return session.scalar(select(func.count(Person.id))) or 0
