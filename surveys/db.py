"""Engine and session factories; SQLite gets the pragmas that make it a safe embedded database."""
from __future__ import annotations

import os
import sqlite3
import time

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from surveys.errors import ValidationError

SQLITE_BUSY_TIMEOUT_MS = 10_000
# A writer waiting for SQLite's write lock tries again after these pauses (seconds), then after a tenth of
# the time it has waited, between 1 and 10 ms (a long wait, behind an import's commit, costs little CPU).
WRITE_LOCK_PAUSES = (0.0001, 0.0002, 0.0005, 0.001)
WRITE_LOCK_MAX_PAUSE = 0.01
CHECKPOINT_WAIT_MS = 1_000
# The largest id any table holds: ids are INTEGER on PostgreSQL (psycopg refuses larger binds there) and
# SQLite; a larger number in a form or a path is refused with a message, never sent to the driver.
MAX_ID = 2**31 - 1
_READ_ONLY = "tandem_read_only"  # Session.info key: the flag, and the bind to restore when it is lifted


class ReadOnlySessionError(RuntimeError):
    """A read-only session (a GET request) was asked to write: a bug, so it fails loudly."""


def parse_id(raw) -> int | None:
    """A row id from form or URL text, or None when it cannot name a row: not plain ASCII digits
    ("²".isdigit() is True but int() refuses it) or too large to bind (the driver raises OverflowError)."""
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; on SQLite enable WAL, FULL sync, foreign keys and IMMEDIATE write transactions.

    Statement parameters are kept out of error messages and logs: they hold answers and tokens' hashes.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                               hide_parameters=True, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and ignores SAVEPOINT semantics; the recipe from
    # SQLAlchemy's pysqlite docs turns it off and emits BEGIN ourselves. IMMEDIATE takes the write lock
    # up front, so two writers queue on busy_timeout instead of failing with "database is locked"
    # half-way through. A connection may ask for a read-only DEFERRED begin with
    # execution_options(sqlite_begin="DEFERRED"); set_read_only() does so for whole sessions.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        in_memory = ":memory:" in str(engine.url) or engine.url.database in (None, "")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Overwrite deleted content (erased drafts) instead of leaving it in free pages of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
        if not in_memory:
            _owner_only(engine.url.database)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode == "IMMEDIATE":
            begin_immediate(conn)
        else:
            conn.exec_driver_sql(f"BEGIN {mode}")


def begin_immediate(conn) -> None:
    """BEGIN IMMEDIATE on a SQLite connection, waiting up to busy_timeout for the write lock in short pauses.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between tries: in a
    burst of submissions the lock, held a millisecond or two at a time, is free for most of those sleeps
    while every writer sleeps, and the unlucky ones wait a second. Here the write lock is asked for with
    busy_timeout 0 and asked again within a millisecond at first, then after a tenth of the time waited (at
    most 10 ms), until the same timeout has passed; then the "database is locked" error is raised as before.
    """
    raw = conn.connection.driver_connection  # the pragmas and tries are not statements of the application's
    started = time.monotonic()
    deadline = started + SQLITE_BUSY_TIMEOUT_MS / 1000
    tries = 0
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() <= deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    break
            waited = time.monotonic() - started
            pause = (WRITE_LOCK_PAUSES[tries] if tries < len(WRITE_LOCK_PAUSES)
                     else min(WRITE_LOCK_MAX_PAUSE, max(WRITE_LOCK_PAUSES[-1], waited / 10)))
            time.sleep(pause)
            tries += 1
        # Waited out, or another error: the last try fails as SQLAlchemy's error ("database is locked").
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def _owner_only(database: str) -> None:
    # The database, its WAL and shared-memory index hold answers: readable by the server's user only.
    for path in (database, database + "-wal", database + "-shm"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except FileNotFoundError:
            pass


def checkpoint(bind) -> bool:
    """SQLite: copy the WAL into the database and truncate it, so no old page (a draft, a queued
    answer) outlives the batch that replaced it; True when done. A no-op on PostgreSQL."""
    engine = getattr(bind, "engine", bind)
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")  # a writer busy now: the next batch will do
        busy, _log, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        return busy == 0
    finally:
        raw.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Session factory used by the web app and the CLI."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def set_read_only(session: Session, read_only: bool) -> None:
    """Make `session` read-only (GET requests) or writable again; the one switch, used by get_session.

    Read-only: SQLite transactions begin DEFERRED, so reading never takes the write lock that
    submissions queue for; PostgreSQL transactions run READ ONLY, so a stray write fails in the
    database; on both, a flush, an ORM insert/update/delete or a commit raises ReadOnlySessionError.
    Lifting the flag rolls back the read transaction (it has nothing to keep) so the next may write.
    """
    if is_read_only(session) == read_only:
        return
    if read_only:
        session.info[_READ_ONLY] = session.bind
        if isinstance(session.bind, Engine) and session.bind.dialect.name == "sqlite":
            session.bind = session.bind.execution_options(sqlite_begin="DEFERRED")
        if session.in_transaction():  # already begun (a test's shared session): from here on
            _begin_read_only(session, None, session.connection())
        return
    if session.in_transaction():
        session.rollback()  # not a commit: the rollback also ends PostgreSQL's READ ONLY (even in a savepoint)
    session.bind = session.info.pop(_READ_ONLY)


def is_read_only(session: Session) -> bool:
    """True while `session` is read-only (see set_read_only)."""
    return _READ_ONLY in session.info


@event.listens_for(Session, "after_begin")
def _begin_read_only(session, _transaction, connection):
    # Also inside a savepoint (the tests' sessions): PostgreSQL lets a transaction turn read-only at any
    # point, and rolling back the savepoint ends it again.
    if is_read_only(session) and connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")


@event.listens_for(Session, "before_flush")
def _refuse_flush(session, _flush_context, _instances):
    if is_read_only(session) and (session.new or session.dirty or session.deleted):
        raise ReadOnlySessionError("This request only reads (GET or HEAD) and may not change data; "
                                   "call get_session(read_only=False) before writing.")


@event.listens_for(Session, "before_commit")
def _refuse_commit(session):
    if is_read_only(session):
        raise ReadOnlySessionError("A read-only session never commits; call get_session(read_only=False).")


@event.listens_for(Session, "do_orm_execute")
def _refuse_writes(state: ORMExecuteState):
    if is_read_only(state.session) and (state.is_insert or state.is_update or state.is_delete):
        raise ReadOnlySessionError("This request only reads (GET or HEAD) and may not change data.")


def add_unique(session: Session, row, message: str, field: str = "code") -> None:
    """Insert `row` in a savepoint; a unique key taken meanwhile (another admin, another host) becomes
    a ValidationError naming `field`, checked beforehand for the usual case and here for the race."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise ValidationError(message, field=field) from None
