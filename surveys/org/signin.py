"""Sign-in throttling by exponential back-off, and the sign-in's final write.

A sign-in claims an attempt against its account and its address *before* the password is checked, in
one atomic `INSERT ... ON CONFLICT DO UPDATE ... WHERE not_before <= now RETURNING` per key: concurrent
attempts queue on the row, so no burst slips past the limit. The first attempts of a window are free;
after that each attempt sets a "not before" time that doubles up to a cap. An attempt that arrives
before it is refused without a password check (the caller answers 429 with Retry-After); one that
arrives after it is checked like any other, so the right password always gets in once the delay is over.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass

from sqlalchemy import case, delete, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from surveys.models import Person, SignInThrottle, utcnow
from surveys.org import staff_sessions
from surveys.org.accounts import Credentials, PasswordCheck


@dataclass(frozen=True)
class Backoff:
    """`free` attempts per quiet spell, then waits of base, 2×base, 4×base … seconds, at most `cap`.

    Failures are forgotten `window_seconds` after the last one.
    """

    free: int
    window_seconds: int = 900
    base_seconds: int = 1
    cap_seconds: int = 300

    def delay(self, failures: int) -> int:
        """Seconds the attempt after the `failures`-th must wait."""
        if failures <= self.free:
            return 0
        return min(self.base_seconds * 2 ** min(failures - self.free - 1, 30), self.cap_seconds)

    def capped_after(self) -> int:
        """The failure count from which the delay is the cap."""
        return self.free + 1 + max(0, math.ceil(math.log2(self.cap_seconds / self.base_seconds)))


PER_ACCOUNT = Backoff(free=5)
PER_ADDRESS = Backoff(free=30)


@dataclass(frozen=True)
class ThrottleKeys:
    """Keyed hashes (HMAC with the app secret) of the account and the address; never the values."""

    account: str
    address: str

    def rules(self) -> tuple[tuple[str, Backoff], ...]:
        """(key, rule) pairs, always in the same order so concurrent claims lock rows alike."""
        return (self.account, PER_ACCOUNT), (self.address, PER_ADDRESS)


def throttle_keys(secret: str, email: str, address: str | None) -> ThrottleKeys:
    """Counter keys for an account and an address."""
    def digest(text: str) -> str:
        return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()

    return ThrottleKeys(digest(f"account:{(email or '').strip().lower()}"), digest(f"address:{address or 'unknown'}"))


def _claim_one(session: Session, key: str, rule: Backoff, now: dt.datetime) -> bool:
    quiet = SignInThrottle.last_failure_at <= now - dt.timedelta(seconds=rule.window_seconds)
    failures = case((quiet, 1), else_=SignInThrottle.failures + 1)
    # The ladder of "not before" times is computed here, so the database needs no date arithmetic.
    steps = [(failures == n, now + dt.timedelta(seconds=rule.delay(n)))
             for n in range(rule.free + 1, rule.capped_after())]
    not_before = case((failures <= rule.free, null()), *steps,
                      else_=now + dt.timedelta(seconds=rule.cap_seconds))
    first = now + dt.timedelta(seconds=rule.delay(1)) if rule.delay(1) else None
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(SignInThrottle).values(key=key, failures=1, last_failure_at=now, not_before=first)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"], set_={"failures": failures, "last_failure_at": now, "not_before": not_before},
        where=or_(SignInThrottle.not_before.is_(None), SignInThrottle.not_before <= now))
    return session.execute(stmt.returning(SignInThrottle.failures)).first() is not None


def claim_attempt(session: Session, keys: ThrottleKeys, now: dt.datetime | None = None) -> int:
    """Count an attempt against both keys; 0 if it may go on, else seconds to wait (nothing counted)."""
    now = now or utcnow()
    savepoint = session.begin_nested()  # a refusal by the address key un-counts the account's claim
    refused = [key for key, rule in keys.rules() if not _claim_one(session, key, rule, now)]
    if not refused:
        savepoint.commit()
        return 0
    savepoint.rollback()
    waits = session.scalars(select(SignInThrottle.not_before).where(SignInThrottle.key.in_(refused)))
    return max([math.ceil((nb - now).total_seconds()) for nb in waits if nb is not None] + [1])


def _release(session: Session, key: str, rule: Backoff) -> None:
    # A successful sign-in was claimed as a failure of its address: take it back.
    session.execute(update(SignInThrottle).where(SignInThrottle.key == key, SignInThrottle.failures > 0)
                    .values(failures=SignInThrottle.failures - 1,
                            not_before=case((SignInThrottle.failures - 1 <= rule.free, null()),
                                            else_=SignInThrottle.not_before)))


def record_sign_in(session: Session, keys: ThrottleKeys, credentials: Credentials, check: PasswordCheck,
                   user_agent: str | None = None, now: dt.datetime | None = None) -> tuple[Person, str] | None:
    """After a password check: start a session (and forget the account's failures) or do nothing.

    Returns (person, session id) for a right password of a person who may still sign in, else None.
    A rehash computed by the check is saved only if the password was not changed meanwhile.
    """
    now = now or utcnow()
    person = session.get(Person, credentials.person_id) if check.ok else None
    if person is None or person.password_hash != credentials.password_hash or not person.active \
            or not person.is_staff:
        return None  # a failure stays counted
    if check.new_hash:
        person.password_hash = check.new_hash
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == keys.account))
    _release(session, keys.address, PER_ADDRESS)
    return person, staff_sessions.start(session, person, user_agent, now)


def prune(session: Session, now: dt.datetime | None = None) -> int:
    """Delete throttles whose failures are forgotten and whose wait is over."""
    now = now or utcnow()
    window = max(PER_ACCOUNT.window_seconds, PER_ADDRESS.window_seconds)
    return session.execute(delete(SignInThrottle).where(
        SignInThrottle.last_failure_at <= now - dt.timedelta(seconds=window),
        or_(SignInThrottle.not_before.is_(None), SignInThrottle.not_before <= now))).rowcount
