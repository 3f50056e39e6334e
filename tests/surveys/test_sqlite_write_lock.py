"""SQLite writers wait for the write lock in short pauses (surveys.db.begin_immediate): a writer gets the lock
within milliseconds of its release, not after SQLite's own sleeps of up to 100 ms; a writer that waits longer
than the busy timeout still fails with "database is locked"; the connection keeps its busy timeout either way."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

import surveys.db
from surveys.db import SQLITE_BUSY_TIMEOUT_MS, make_engine


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield engine
    engine.dispose()


def _busy_timeout(conn) -> int:
    return conn.exec_driver_sql("PRAGMA busy_timeout").scalar()


def test_a_waiting_writer_gets_the_lock_soon_after_its_release(engine, monkeypatch):
    holder = engine.connect()
    holder.begin()
    holder.exec_driver_sql("INSERT INTO t VALUES (1)")
    got: list[bool] = []
    sleeps: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(surveys.db.time, "sleep", lambda s: (sleeps.append(s), real_sleep(s)))

    def writer():
        with engine.begin() as conn:
            got.append(True)
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join(0.4)
    assert thread.is_alive() and not got, "the second writer must wait while the lock is held"
    holder.commit()
    holder.close()
    thread.join(5)
    assert got, "the second writer gets the lock once it is released"
    # It waited in its own pauses, none longer than 10 ms, so it asks again within 10 ms of the release; SQLite's
    # own handler would be sleeping 50-100 ms at a time by now. (Pauses, not a stopwatch: the machine is shared.)
    assert sleeps and max(sleeps) <= surveys.db.WRITE_LOCK_MAX_PAUSE
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2
        assert _busy_timeout(conn) == SQLITE_BUSY_TIMEOUT_MS


def test_a_writer_waiting_past_the_timeout_fails_as_before(engine, monkeypatch):
    monkeypatch.setattr(surveys.db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    holder = engine.connect()
    holder.begin()
    holder.exec_driver_sql("INSERT INTO t VALUES (1)")
    started = time.perf_counter()
    with engine.connect() as conn:
        with pytest.raises(OperationalError, match="database is locked"):
            conn.begin()
        waited = time.perf_counter() - started
        assert 0.3 <= waited < 5  # the timeout, not the busy timeout again on top of it
        assert _busy_timeout(conn) == 300  # restored (the patched value, read at each begin)
    holder.rollback()
    holder.close()
    with engine.begin() as conn:  # the lock is free again: a writer gets it at once
        conn.exec_driver_sql("INSERT INTO t VALUES (3)")
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1


def test_read_only_transactions_begin_deferred_and_never_wait(engine):
    holder = engine.connect()
    holder.begin()
    holder.exec_driver_sql("INSERT INTO t VALUES (1)")
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as reader:
        started = time.perf_counter()
        with reader.begin():
            assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0  # the last commit's snapshot
        assert time.perf_counter() - started < 5  # never the 10 s busy timeout (generous: a shared machine)
    holder.rollback()
    holder.close()


def test_a_long_wait_tries_rarely(engine, monkeypatch):
    """Behind a long write (an import's commit) a waiting writer backs off to 10 ms pauses: few tries, little CPU."""
    monkeypatch.setattr(surveys.db, "SQLITE_BUSY_TIMEOUT_MS", 1000)
    holder = engine.connect()
    holder.begin()
    holder.exec_driver_sql("INSERT INTO t VALUES (1)")
    sleeps: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(surveys.db.time, "sleep", lambda s: (sleeps.append(s), real_sleep(s)))
    with engine.connect() as conn:
        with pytest.raises(OperationalError, match="database is locked"):
            conn.begin()
    holder.rollback()
    holder.close()
    assert sleeps[:4] == list(surveys.db.WRITE_LOCK_PAUSES)
    assert max(sleeps) == surveys.db.WRITE_LOCK_MAX_PAUSE and len(sleeps) < 250  # 1 ms pauses would be ~1,000
