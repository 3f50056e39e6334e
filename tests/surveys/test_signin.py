"""Sign-in back-off: counted atomically under 40 concurrent attempts, never a lock-out; argon2 holds no lock."""
from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import uuid

import pytest
from sqlalchemy import delete

from surveys.db import make_engine, make_session_factory
from surveys.models import Base, SignInThrottle, utcnow
from surveys.org import accounts, signin
from surveys.org.signin import Backoff, ThrottleKeys
from webapp import create_app

PASSWORD = "a-long-enough-passphrase"


def test_backoff_doubles_up_to_its_cap():
    rule = Backoff(free=5, base_seconds=1, cap_seconds=300)
    assert [rule.delay(n) for n in range(1, 16)] == [0] * 5 + [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert rule.delay(1000) == 300 and rule.delay(rule.capped_after()) == 300


def test_an_attempt_after_the_delay_is_always_checked(db_session):
    keys, now = ThrottleKeys("acct-" + uuid.uuid4().hex, "addr-" + uuid.uuid4().hex), utcnow()
    for _ in range(signin.PER_ACCOUNT.free + 1):
        assert signin.claim_attempt(db_session, keys, now) == 0
    assert signin.claim_attempt(db_session, keys, now) == 1  # refused, and not counted
    for _ in range(40):  # an attacker guessing exactly when allowed: the wait grows, never beyond the cap
        wait = signin.claim_attempt(db_session, keys, now)
        now += dt.timedelta(seconds=wait)
        assert signin.claim_attempt(db_session, keys, now) == 0
    assert signin.claim_attempt(db_session, keys, now) == signin.PER_ACCOUNT.cap_seconds
    later = now + dt.timedelta(seconds=signin.PER_ACCOUNT.cap_seconds)
    assert signin.claim_attempt(db_session, keys, later) == 0  # the cap is a delay, not a lock-out


def test_a_refusal_by_the_address_does_not_count_against_the_account(db_session):
    now, address = utcnow(), "addr-" + uuid.uuid4().hex
    for n in range(signin.PER_ADDRESS.free + 1):
        assert signin.claim_attempt(db_session, ThrottleKeys(f"acct-{n}-{address}", address), now) == 0
    victim = ThrottleKeys("victim-" + address, address)
    assert signin.claim_attempt(db_session, victim, now) > 0
    assert db_session.get(SignInThrottle, victim.account) is None


def test_quiet_spell_forgets_failures(db_session):
    keys, now = ThrottleKeys("acct-" + uuid.uuid4().hex, "addr-" + uuid.uuid4().hex), utcnow()
    for _ in range(signin.PER_ACCOUNT.free):
        signin.claim_attempt(db_session, keys, now)
    later = now + dt.timedelta(seconds=signin.PER_ACCOUNT.window_seconds + 1)
    signin.claim_attempt(db_session, keys, later)
    assert db_session.get(SignInThrottle, keys.account).failures == 1
    assert signin.prune(db_session, later + dt.timedelta(seconds=signin.PER_ACCOUNT.window_seconds + 1)) >= 2


@pytest.mark.parametrize("shared", ["account", "address"])
def test_forty_concurrent_attempts_get_exactly_the_free_ones_through(database_url, shared):
    """On PostgreSQL, check-then-count let 13 of 40 through a limit of 10; the claim is one upsert."""
    engine = make_engine(database_url, pool_size=40, max_overflow=0)
    factory, tag, now = make_session_factory(engine), uuid.uuid4().hex, utcnow()
    rule = signin.PER_ACCOUNT if shared == "account" else signin.PER_ADDRESS
    barrier, allowed, errors = threading.Barrier(40), [], []

    def attempt(n: int) -> None:
        keys = (ThrottleKeys(f"acct-{tag}", f"addr-{tag}-{n}") if shared == "account"
                else ThrottleKeys(f"acct-{tag}-{n}", f"addr-{tag}"))
        with factory() as session:
            try:
                barrier.wait(10)
                wait = signin.claim_attempt(session, keys, now)
                session.commit()
                if wait == 0:
                    allowed.append(n)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(40)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        # The first `free` attempts are free; the next one is checked and sets the first wait.
        assert len(allowed) == rule.free + 1
    finally:
        with engine.begin() as conn:
            conn.execute(delete(SignInThrottle).where(SignInThrottle.key.like(f"%{tag}%")))
        engine.dispose()


@pytest.fixture
def own_sqlite(tmp_path, monkeypatch):
    """A file SQLite database of its own (the shared test session holds the real one's write lock)."""
    path = tmp_path / "lock.db"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        accounts.create_user(session, email="hr@example.com", name="HR", role="hr_admin", password=PASSWORD)
        session.commit()
    yield engine, path
    engine.dispose()


def _write_lock_is_free(path) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # fails at once with "database is locked" if someone holds it
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


class _Gate:
    """Blocks a wrapped function (the argon2 call) until the test has tried the write lock."""

    def __init__(self):
        self.inside, self.go_on = threading.Event(), threading.Event()

    def wrap(self, fn):
        def blocking(*args, **kwargs):
            self.inside.set()
            assert self.go_on.wait(20)
            return fn(*args, **kwargs)
        return blocking

    def lock_free_meanwhile(self, path, work) -> tuple[bool, object]:
        result: list = []
        worker = threading.Thread(target=lambda: result.append(work()))
        worker.start()
        try:
            assert self.inside.wait(20), "the password was never hashed"
            free = _write_lock_is_free(path)
        finally:
            self.go_on.set()
            worker.join(30)
        return free, result[0]


def _app(engine, tmp_path):
    return create_app({"TESTING": True, "ENGINE": engine, "INSTANCE_PATH": str(tmp_path / "i"),
                       "SECRET_KEY": "test-secret-key-0123456789", "WTF_CSRF_ENABLED": False})


def test_sign_in_checks_the_password_with_no_transaction_open(own_sqlite, monkeypatch, tmp_path):
    engine, path = own_sqlite
    client, gate = _app(engine, tmp_path).test_client(), _Gate()
    accounts._dummy_hash()  # cached before the patch
    monkeypatch.setattr(accounts, "_verify", gate.wrap(accounts._verify))
    free, response = gate.lock_free_meanwhile(
        path, lambda: client.post("/login", data={"email": "hr@example.com", "password": PASSWORD}))
    assert free, "another connection must get the write lock while argon2 runs"
    assert response.status_code == 302


def test_set_password_hashes_with_no_transaction_open(own_sqlite, monkeypatch, tmp_path):
    engine, path = own_sqlite
    runner, gate = _app(engine, tmp_path).test_cli_runner(), _Gate()
    monkeypatch.setattr(accounts, "_hasher", _GatedHasher(accounts._hasher, gate))
    free, result = gate.lock_free_meanwhile(path, lambda: runner.invoke(
        args=["user", "set-password", "hr@example.com", "--password", "another-long-passphrase"]))
    assert free, "another connection must get the write lock while argon2 runs"
    assert result.exit_code == 0, result.output


class _GatedHasher:
    """argon2's PasswordHasher whose hash() waits at the gate."""

    def __init__(self, real, gate: _Gate):
        self.real, self.hash = real, gate.wrap(real.hash)

    def __getattr__(self, name):
        return getattr(self.real, name)
